"""Retention and disposal (R32, R40): the rows. The rules are in records/retention.py.

Registered with the app by records/models.py, which imports them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import RetentionRule


class RetentionHold(models.Model):
    """A legal hold (litigation, an inquiry, a request to preserve): overrides every rule, and
    while it is in place nothing is disposed of."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="retention_holds"
    )
    reason = models.TextField("why the record is held")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["placed_at", "pk"]

    def __str__(self) -> str:
        return f"Legal hold placed {self.placed_at:%d %b %Y}"


class RetentionAdvice(models.Model):
    """What the police or a court advised about keeping the record ("as advised", R40)."""

    class Source(models.TextChoices):
        POLICE = "police", "The police"
        COURT = "court", "A court"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="retention_advice"
    )
    source = models.CharField("who advised", max_length=10, choices=Source.choices)
    advised_by = models.CharField("name, role or court", max_length=200)
    advised_on = models.DateField("when")
    keep_until = models.DateField(
        "keep until", null=True, blank=True, help_text="Blank: until they say otherwise."
    )
    note = models.TextField("what they advised")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["advised_on", "pk"]

    def __str__(self) -> str:
        return f"Retention advice from {self.advised_by}"


class RetentionListing(models.Model):
    """One month's list of records falling due for review, made once (by the monthly task or,
    if it did not run, the next sweep)."""

    month = models.DateField(unique=True, help_text="The first day of the month listed.")
    listed_at = models.DateTimeField(default=timezone.now)
    listed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Retention reviews due in {self.month:%B %Y}"


class RetentionReview(models.Model):
    """A record due for review under its rule. The review defaults to keep (R32)."""

    class Outcome(models.TextChoices):
        KEEP = "keep", "Keep the record"
        DISPOSE = "dispose", "Propose disposal (the headteacher must agree)"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="retention_reviews"
    )
    rule = models.CharField(max_length=20)
    due_on = models.DateField()
    listed_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "due_on"], name="one_review_per_due_date")
        ]

    def __str__(self) -> str:
        return f"Retention review due {self.due_on:%d %b %Y}"

    def get_rule_display(self) -> str:
        return RetentionRule(self.rule).label if self.rule in RetentionRule.values else self.rule


class Disposal(models.Model):
    """The disposal record: what, when, who, under which rule and why.

    Proposed by the DSL at a review, it takes effect when the headteacher agrees. From then the
    record's personal data is withheld from every page and export; the rows and their history
    are kept unchanged, because the audit history is never deleted or rewritten (R27).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed: awaiting the headteacher's agreement"
        DISPOSED = "disposed", "Disposed of"
        DECLINED = "declined", "Declined by the headteacher: the record is kept"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="disposals"
    )
    review = models.ForeignKey(RetentionReview, on_delete=models.PROTECT, related_name="disposals")
    rule = models.CharField("the rule applied", max_length=20)
    reason = models.TextField()
    what = models.TextField("what is disposed of")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("the headteacher's comment", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=~models.Q(status="declined"),
                name="one_live_disposal_per_incident",
            )
        ]

    def __str__(self) -> str:
        return f"Disposal of {self.incident} ({self.get_status_display().lower()})"

    def get_rule_display(self) -> str:
        return RetentionRule(self.rule).label if self.rule in RetentionRule.values else self.rule
