"""The decision (refer, or manage in school) and the headteacher's sign-off: the case's
judgements, kept beside it. The incident is named as a string so that the two modules do not
import each other.
"""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..rules import AggravatingFactor, Answer


class Decision(models.Model):
    """Refer, or manage in school (R8, R9). Never edited: a change is a new decision."""

    class Kind(models.TextChoices):
        REFER = "refer", "Refer"
        MANAGE_IN_SCHOOL = "manage", "Manage in school"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    aggravating_answer = models.TextField(blank=True)
    headteacher_input = models.TextField(blank=True)
    # The parts of the initial review not complete when a referral was decided (issue 12):
    # a referral never waits for them, and the record says what was not yet done.
    review_incomplete = models.JSONField(
        "parts of the initial review not complete", default=list, blank=True
    )
    facts = models.JSONField(default=dict)  # what the decision rests on, as it was
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.TextField(blank=True)
    # When the chase (records/chasing.py) next looks at this: empty until it first has.
    next_chase_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]
        indexes = [
            models.Index(fields=["next_chase_on"], name="decision_chase_next"),
            models.Index(
                fields=["made_at"],
                condition=models.Q(superseded_at__isnull=True, next_chase_on__isnull=True),
                name="decision_chase_first",
            ),
        ]
        constraints = [
            # Two DSLs deciding at the same instant cannot leave two decisions in force.
            models.UniqueConstraint(
                fields=["incident"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_live_decision_per_incident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.incident})"

    def save(self, *args, **kwargs):
        if self.pk:
            before = Decision.objects.get(pk=self.pk)
            fixed = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.name.startswith("superseded")
            ]
            if any(getattr(before, f) != getattr(self, f) for f in fixed):
                raise ValueError("A decision is never edited: record a new decision instead.")
        super().save(*args, **kwargs)

    @property
    def current_sign_off(self):
        live = [s for s in self.sign_offs.all() if s.superseded_at is None]
        return live[-1] if live else None

    @property
    def awaits_sign_off(self) -> bool:
        """A decision to manage in school, still in force, with no live sign-off: for one read
        with its sign-offs (`services.awaiting_sign_off` is the database's reading)."""
        return (
            self.kind == Decision.Kind.MANAGE_IN_SCHOOL
            and self.superseded_at is None
            and self.current_sign_off is None
        )

    @property
    def aggravating_present(self) -> list[str]:
        """The aggravating factors that were "yes" when the decision was made (R9), shown
        beside it. Decisions from before each factor was answered kept a list of those present."""
        factors = self.facts.get("aggravating_factors") or {}
        if isinstance(factors, list):
            return [AggravatingFactor(f).label for f in factors]
        return [
            AggravatingFactor(f).label
            for f, (answer, _note) in factors.items()
            if answer == Answer.YES
        ]


class SignOff(models.Model):
    """The headteacher's sign-off of a decision not to refer, or its return (R10)."""

    class Outcome(models.TextChoices):
        SIGNED = "signed", "Signed off"
        SENT_BACK = "sent_back", "Sent back"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="sign_offs")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(
        max_length=200, help_text="Headteacher, or who signs in their place."
    )
    signed_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField()
    facts = models.JSONField(default=dict)  # what was signed, as it was
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_live_sign_off_per_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} by {self.signed_by}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The incident keeps when its decision was first signed off, for the inspection report.
        signed = SignOff.objects.filter(
            decision__incident=OuterRef("pk"), outcome=SignOff.Outcome.SIGNED
        )
        incident = self._meta.apps.get_model("incidents", "Incident")
        incident.objects.filter(decisions=self.decision_id).update(
            signed_off_at=Subquery(signed.order_by("signed_at").values("signed_at")[:1])
        )
