"""Logs of what is done with imagery: viewing (R21), searches (R33) and deletion (R23).

The imagery itself is never stored (R22): these rows describe what happened, never what was seen.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ViewingReason(models.TextChoices):
    # UKCCIS "Viewing the imagery": the three permitted reasons (R21).
    ONLY_WAY_TO_DECIDE = (
        "decide",
        "It is the only way to make a decision about whether to involve other agencies",
    )
    NEEDED_TO_REPORT = (
        "report",
        "It is necessary to report the image to a website, app or reporting agency to have it taken down",
    )
    UNAVOIDABLE = (
        "unavoidable",
        "It was unavoidable: presented to a member of staff, or found on a school device or network",
    )


class UnavoidableHow(models.TextChoices):
    PRESENTED = "presented", "A young person showed it to a member of staff"
    SCHOOL_DEVICE = "school_device", "Found on a school device"
    IT_MONITORING = "it_monitoring", "Flagged by IT monitoring or filtering"


class ViewingRecord(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="viewings"
    )
    reason = models.CharField(max_length=20, choices=ViewingReason.choices)
    unavoidable_how = models.CharField(max_length=20, choices=UnavoidableHow.choices, blank=True)
    viewed_at = models.DateTimeField("when")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    young_person = models.ForeignKey(
        "incidents.InvolvedPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    discussed_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The headteacher the decision to view was discussed with.",
    )
    discussed_at = models.DateTimeField(null=True, blank=True)
    staff_present = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(max_length=200)
    others_present = models.CharField(max_length=300, blank=True)
    why = models.TextField()
    what_followed = models.TextField()
    same_sex = models.BooleanField("the viewer is the same sex as the young person pictured")
    different_sex_reason = models.TextField(blank=True)
    support_offered = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    viewer_confirmed_at = models.DateTimeField(null=True, blank=True)
    present_confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["viewed_at", "pk"]

    def __str__(self) -> str:
        return f"Imagery viewed by {self.viewer}"

    @property
    def is_signed(self) -> bool:
        """Signed and dated by the viewer and, where one is needed, the member of staff present."""
        return bool(
            self.viewer_confirmed_at and (self.present_confirmed_at or not self.staff_present_id)
        )


class DeletionRequest(models.Model):
    """A young person asked to delete the imagery everywhere, by a deadline (R23)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Deletion confirmed"
        REFUSED = "refused", "Refused"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="deletions"
    )
    young_person = models.ForeignKey(
        "incidents.InvolvedPerson", on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField("when they were asked")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    everywhere = models.BooleanField(
        "asked to delete it from every device, online storage and social media account they have"
    )
    told_illegal = models.BooleanField("told that possessing the imagery is illegal")
    told_police = models.BooleanField(
        "told that refusing to delete it means the police will be involved"
    )
    deadline = models.DateField()
    # Counted in the school's days (issue 20): how many, how, and whether it is provisional
    # because the term dates (or bank holidays) did not reach it. None: a date was given.
    school_days = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_note = models.CharField("how the deadline was counted", max_length=500, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_how = models.CharField(max_length=200, blank=True)
    witnessed_by = models.CharField(max_length=200, blank=True)
    refusal_note = models.TextField(blank=True)
    # When the chase (records/chasing.py) next looks at this: empty until it first has.
    next_chase_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="deletion_due"),
            models.Index(fields=["next_chase_on"], name="deletion_chase_next"),
            models.Index(
                fields=["deadline"],
                condition=models.Q(status="pending", next_chase_on__isnull=True),
                name="deletion_chase_first",
            ),
        ]

    def __str__(self) -> str:
        return f"Deletion by {self.young_person} (deadline {self.deadline:%d %b %Y})"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.deadline < timezone.localdate()


class SearchRecord(models.Model):
    """A search of a device, or deletion by staff (DfE Searching, screening and confiscation; R33)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="searches"
    )
    young_person = models.ForeignKey(
        "incidents.InvolvedPerson", on_delete=models.PROTECT, related_name="+"
    )
    searched_at = models.DateTimeField("when")
    place = models.CharField(max_length=200)
    searched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authorised_at = models.DateTimeField()
    present = models.CharField("who was present", max_length=300)
    sought = models.TextField("what was sought, and the good reason for the search")
    found = models.TextField("what was found")
    deleted = models.BooleanField("data was deleted from the device", default=False)
    followed = models.TextField("what followed")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["searched_at", "pk"]

    def __str__(self) -> str:
        return f"Search by {self.searched_by} ({self.searched_at:%d %b %Y})"


class AccessLog(models.Model):
    """Who opened an incident, its chronology, its history or an export, and when.

    Written once, never changed or deleted: it has no history of its own because it is one.
    """

    class What(models.TextChoices):
        INCIDENT = "incident", "Opened the incident"
        CHRONOLOGY = "chronology", "Opened the chronology"
        HISTORY = "history", "Opened the history"
        EXPORT = "export", "Exported the record (PDF)"
        DOWNLOAD = "download", "Downloaded an export that includes it"
        PAGE = "page", "Opened a page of the case (review, decision, a record)"
        LIST = "list", "Listed it (dashboard, incident list or search)"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=20, choices=What.choices)
    at = models.DateTimeField(default=timezone.now)
    in_team = models.BooleanField(help_text="The user is in the school's safeguarding team.")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["incident", "-at"], name="access_by_incident")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_what_display().lower()}"


class Transfer(models.Model):
    """A child protection file sent to a pupil's new school (KCSIE; R31).

    Within 5 school days of the move, or on the 5th school day of the next term for a move after
    the last day of one; chased until the new school's receipt is recorded.
    """

    pupil = models.ForeignKey("accounts.Pupil", on_delete=models.PROTECT, related_name="transfers")
    to_school = models.CharField("the new school", max_length=200)
    moved_on = models.DateField("the date of the move")
    deadline = models.DateField()
    deadline_note = models.CharField("how the deadline was counted", max_length=500, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_how = models.CharField("how it was sent securely", max_length=200, blank=True)
    receipt_at = models.DateTimeField(
        "when the new school confirmed receipt", null=True, blank=True
    )
    receipt_from = models.CharField("who confirmed receipt", max_length=200, blank=True)
    # R42 (KCSIE Annex C): what the DSL shared before the child left, or why nothing was.
    shared_before = models.TextField(
        "information shared before the move (what, with whom, when), or why none", blank=True
    )
    # Where the new school uses this installation too, the file goes inside it, never as a
    # download handed to someone: the receiving DSL accepts it, which is the receipt.
    receiving_school = models.ForeignKey(
        "accounts.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    sent_content = models.JSONField("the file as it was sent", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the chase (records/chasing.py) next looks at this: empty until it first has.
    next_chase_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["moved_on"], name="transfer_moved"),
            models.Index(fields=["next_chase_on"], name="transfer_chase_next"),
            models.Index(
                fields=["deadline"],
                condition=models.Q(receipt_at__isnull=True, next_chase_on__isnull=True),
                name="transfer_chase_first",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.pupil} to {self.to_school}"


class ReceivedFile(models.Model):
    """A child protection file imported from another school running ypsi: kept as it came."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="received_files"
    )
    pupil = models.ForeignKey(
        "accounts.Pupil", on_delete=models.PROTECT, related_name="received_files"
    )
    from_school = models.CharField(max_length=200)
    content = models.JSONField()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Sent inside ypsi (R42): the transfer it came by.
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="received"
    )
    # R42 (KCSIE Annex C): the receiving school makes sure its DSL and SENCO know.
    dsl_told_on = models.DateField("the DSL told on", null=True, blank=True)
    senco_told_on = models.DateField("the SENCO told on", null=True, blank=True)
    senco = models.CharField("the SENCO (name)", max_length=200, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"File for {self.pupil} from {self.from_school}"


class Export(models.Model):
    """A large export built by a worker: its progress, and the PDF once it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the file holds: a download is refused to a user who has since lost any of them.
    incidents = models.ManyToManyField("incidents.Incident", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"Inspection report export {self.pk} ({self.get_status_display().lower()})"

    @property
    def expires_at(self):
        if self.finished_at is None:
            return None
        return self.finished_at + timedelta(hours=settings.EXPORT_EXPIRES_HOURS)


# Retention and disposal live in their own module; they are the app's models all the same.
from .retention_models import Disposal as Disposal  # noqa: E402
from .retention_models import RetentionAdvice as RetentionAdvice  # noqa: E402
from .retention_models import RetentionHold as RetentionHold  # noqa: E402
from .retention_models import RetentionListing as RetentionListing  # noqa: E402
from .retention_models import RetentionReview as RetentionReview  # noqa: E402
from .sar_models import SubjectAccessRequest as SubjectAccessRequest  # noqa: E402
from .sar_models import Withholding as Withholding  # noqa: E402
from .sharing_models import SharingDecision as SharingDecision  # noqa: E402
