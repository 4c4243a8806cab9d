"""What the people looking after a school are told, and what could not reach them.

Notifications are rows in the database, sent by a worker and retried by the sweep (R1, R24).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School


class ReportFlood(models.Model):
    """An unusual number of reports from one account at one school within an hour.

    A report is never refused for volume (a real concern must get through), so volume is
    contained instead: the school's DSLs are told once, the reports are grouped under this
    notice, and the headteacher or administrator can suspend the account from it. It lasts
    while reports keep coming: an hour without one ends it.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="report_floods")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_floods"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_report_at = models.DateTimeField(default=timezone.now)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-last_report_at"]

    def __str__(self) -> str:
        return f"Reports from {self.reporter} since {self.started_at:%d %b %Y %H:%M}"


class Notification(models.Model):
    """An email that a user must be sent, kept in the database so none is lost (R1, R34), and
    listed in the app with the unread ones counted in the header (issue 12).

    Sent by a task and re-tried by the periodic sweep; `claimed_at` stops two workers sending the
    same email, and a claim older than CLAIM_TIMEOUT is taken to be a dead worker's.
    """

    class Kind(models.TextChoices):
        NEW_CONCERN = "new_concern", "A new concern needs your attention"
        DELETION_OVERDUE = "deletion_overdue", "A deletion has not been confirmed by its deadline"
        SIGN_OFF_OVERDUE = "sign_off_overdue", "A decision is waiting for your sign-off"
        ACTION_OVERDUE = "action_overdue", "An action is past its due date"
        TRANSFER_OVERDUE = "transfer_overdue", "A child protection file transfer is not confirmed"
        CALENDAR_ENDING = "calendar_ending", "The school's term dates need entering"
        UNUSUAL_VOLUME = "unusual_volume", "An unusual number of reports from one account"
        ROLE_CHANGED = "role_changed", "A role at your school was given or removed"
        # Issue 12: told at once, not only when overdue, and in the app as well as by email.
        AWAITING_SIGN_OFF = "awaiting_sign_off", "A decision is awaiting your sign-off"
        SENT_BACK = "sent_back", "A decision you made was sent back to you"
        # R37: at once, and again every REFERRAL_URGENT_EVERY_HOURS until a referral is made.
        REFERRAL_REQUIRED = "referral_required", "A referral is required and has not been made"
        # R38: what an agency has not sent back by when it was expected.
        REFERRAL_NO_ACK = "referral_no_ack", "An agency has not acknowledged a referral"
        REFERRAL_NO_DECISION = "referral_no_decision", "An agency has not said what it decided"
        # R41: a subject access request nearing or past its one-month deadline.
        SAR_DUE = "sar_due", "A subject access request is due"
        # R43: a safety plan's review date has passed.
        SAFETY_PLAN_REVIEW = "safety_plan_review", "A safety plan is due for review"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    incident = models.ForeignKey(
        "Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    link = models.CharField(
        max_length=200, blank=True, help_text="Where the email points, if not an incident."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # One row per reminder and interval: the key makes a second sweep's copy impossible (R24).
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Seen in the app (issue 12): set when the user opens it, or the incident it is about.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "incident", "kind"],
                condition=models.Q(kind="new_concern"),
                name="unique_new_concern_notification",
            )
        ]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="notification_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"


class DeliveryFailure(models.Model):
    """Why a notification is not delivered (issue 19): retried after `retry_after`, or given up."""

    notification = models.OneToOneField(
        Notification, primary_key=True, on_delete=models.CASCADE, related_name="failure"
    )
    since = models.DateTimeField()
    failures = models.PositiveIntegerField(default=1)
    retry_after = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.reason
