"""Managing an incident in school (R17-R20), and the school's own list of platforms (R4).

Beside the case's models in `__init__`, which re-exports them; they point at the incident and
the people involved by name, so the two modules do not import each other.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School

from ..rules import (
    ActionKind,
    NotInformingAgreedWith,
    ParentContactKind,
    ParentContactMethod,
    PlatformKind,
    RiskLevel,
)


class RiskAssessment(models.Model):
    """The further review after a decision not to refer (R17): UKCCIS and Annex A questions,
    for each young person (the pictured child, the sender and the recipients differ)."""

    incident = models.ForeignKey(
        "Incident", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    # Empty only for an assessment of the whole incident recorded before they were per person.
    young_person = models.ForeignKey(
        "InvolvedPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)  # {RiskQuestion value: note}
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    summary = models.TextField("overall assessment")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "young_person"], name="one_risk_assessment_per_young_person"
            ),
            models.UniqueConstraint(
                fields=["incident"],
                condition=models.Q(young_person__isnull=True),
                name="one_whole_incident_risk_assessment",
            ),
        ]

    def __str__(self) -> str:
        who = self.young_person.display_name if self.young_person_id else "the incident"
        return f"Risk assessment of {who}"


class Conversation(models.Model):
    """A conversation with a young person (R18): what the imagery contains, without looking."""

    incident = models.ForeignKey(
        "Incident", on_delete=models.PROTECT, related_name="conversations"
    )
    young_person = models.ForeignKey(
        "InvolvedPerson", on_delete=models.PROTECT, related_name="conversations"
    )
    held_at = models.DateTimeField("when")
    held_by = models.CharField("who held it", max_length=200)
    preferred_adult = models.BooleanField(
        "held by an adult the young person chose",
        default=False,
        help_text="If the young person is more comfortable with another teacher, that is facilitated.",
    )
    imagery_described = models.TextField(
        "what the imagery contains, as described (without looking)"
    )
    seen_or_shared_by = models.TextField("who has seen or shared it")
    preventing_sharing = models.TextField("how further sharing will be prevented")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"Conversation with {self.young_person}"


class ParentContact(models.Model):
    """Parents or carers informed, or the decision not to inform them and why (R19)."""

    incident = models.ForeignKey(
        "Incident", on_delete=models.PROTECT, related_name="parent_contacts"
    )
    young_person = models.ForeignKey(
        "InvolvedPerson", on_delete=models.PROTECT, related_name="parent_contacts"
    )
    # Informed, a later update, or not informed (item 6); `informed` is false only for the last.
    kind = models.CharField(
        max_length=20, choices=ParentContactKind.choices, default=ParentContactKind.INFORMED
    )
    informed = models.BooleanField()
    at = models.DateTimeField("when")
    by = models.CharField("by whom", max_length=200)
    who = models.CharField("who was told", max_length=200, blank=True)
    how = models.CharField(max_length=20, choices=ParentContactMethod.choices, blank=True)
    note = models.TextField("what they were told", blank=True)
    reason_not_informed = models.TextField(blank=True)
    agreed_by = models.CharField(
        "who agreed not to inform them",
        max_length=20,
        choices=NotInformingAgreedWith.choices,
        blank=True,
    )
    agreed_with = models.CharField(
        "agreed with",
        max_length=300,
        blank=True,
        help_text="Names and roles.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Parents of {self.young_person}: {self.get_kind_display().lower()}"


class Action(models.Model):
    """Support, education, sanctions, reports (R20): each with an owner and a due date."""

    incident = models.ForeignKey("Incident", on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    # The young person the action concerns (R17), so their file lists it; empty for the whole
    # incident (a report to a platform, education for a year group).
    young_person = models.ForeignKey(
        "InvolvedPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due = models.DateField("due by")
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    # When the chase (records/chasing.py) next looks at this: empty until it first has.
    next_chase_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(
                fields=["due"], condition=models.Q(done_at__isnull=True), name="action_open_due"
            ),
            models.Index(fields=["next_chase_on"], name="action_chase_next"),
            models.Index(
                fields=["due"],
                condition=models.Q(done_at__isnull=True, next_chase_on__isnull=True),
                name="action_chase_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due < timezone.localdate()


class SafetyPlan(models.Model):
    """R43 (KCSIE Part 5, child-on-child abuse): the pictured young person and one who made or
    shared the imagery attend this school, so what keeps them apart where needed, who knows, and
    the support for each are written down and reviewed by a date, until the plan is ended."""

    incident = models.ForeignKey("Incident", on_delete=models.PROTECT, related_name="safety_plans")
    pictured = models.ForeignKey(
        "InvolvedPerson", on_delete=models.PROTECT, related_name="+", verbose_name="pictured"
    )
    other = models.ForeignKey(
        "InvolvedPerson",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="who made or shared the imagery",
    )
    arrangements = models.TextField("what is arranged to keep them apart where needed")
    who_knows = models.TextField("who knows about the plan (names and roles)")
    support_pictured = models.TextField("support for the pictured young person")
    support_other = models.TextField("support for the young person who made or shared it")
    review_on = models.DateField("next review")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField("why the plan is no longer needed", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "pictured", "other"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_safety_plan_per_pair",
            )
        ]
        indexes = [
            models.Index(
                fields=["review_on"],
                condition=models.Q(ended_at__isnull=True),
                name="safety_plan_open_review",
            )
        ]

    def __str__(self) -> str:
        return f"Safety plan: {self.pictured} and {self.other}"

    @property
    def review_overdue(self) -> bool:
        return self.ended_at is None and self.review_on < timezone.localdate()


class SafetyPlanReview(models.Model):
    """A review of a safety plan: what was looked at, and the next review date (or the end)."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField("when")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("what was reviewed, and what changed")
    next_review_on = models.DateField("next review", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"Review of the {self.plan} ({self.reviewed_at:%d %b %Y})"


class Platform(models.Model):
    """A device, app or platform a school's DSL added to the standard list (R4)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="platforms")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=PlatformKind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_platform_per_school")
        ]

    def __str__(self) -> str:
        return self.name
