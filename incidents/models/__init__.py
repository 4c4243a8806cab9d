"""An incident of sharing nudes and semi-nudes, from the first disclosure onwards.

Nothing here is ever deleted (records are kept, referred or not: R25); every change is kept by
django-simple-history with its user and reason (R27).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Pupil, School, Sex

from ..rules import (
    ActionKind,
    AgeBand,
    AggravatingFactor,
    Answer,
    ImageryOrigin,
    IncidentType,
    ParentContactMethod,
    PersonRole,
    RiskLevel,
    Typology,
    age_on,
    band_for_age,
)

# The alerts' models live beside the case's; they are the app's models all the same.
from .alerts import DeliveryFailure as DeliveryFailure
from .alerts import Notification as Notification
from .alerts import ReportFlood as ReportFlood


class Stage(models.TextChoices):
    REPORTED = "reported", "Reported: awaiting initial review"
    UNDER_REVIEW = "under_review", "Under initial review"
    REFERRED = "referred", "Referred"
    MANAGED_IN_SCHOOL = "managed", "Managed in school"
    CLOSED = "closed", "Closed"


class DisclosureSource(models.TextChoices):
    # UKCCIS "Disclosure": the ways an incident comes to the school's attention (R2).
    YOUNG_PERSON = "young_person", "The young person themselves"
    FRIEND = "friend", "A friend of the young person"
    PARENT_CARER = "parent_carer", "A parent or carer"
    STAFF = "staff", "A member of staff"
    IT_MONITORING = "it_monitoring", "A member of staff through IT monitoring or filtering"
    POLICE = "police", "The police"
    ANOTHER_SCHOOL = "another_school", "Another school or college"


class Spread(models.TextChoices):
    # UKCCIS initial review: "Whether the imagery has been shared widely ... This may be unknown."
    UNKNOWN = "unknown", "Not known"
    NOT_SHARED = "not_shared", "Not known to have been shared beyond the person it was sent to"
    FEW = "few", "Shared with a few people"
    WIDELY = "widely", "Shared widely (for example in a group chat or online)"


class Incident(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=30, unique=True, editable=False)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REPORTED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    reported_at = models.DateTimeField(default=timezone.now, editable=False)

    # Disclosure (R2)
    disclosure_source = models.CharField(
        "how the concern came to light", max_length=20, choices=DisclosureSource.choices
    )
    discloser = models.CharField(
        "who told you",
        max_length=200,
        blank=True,
        help_text="For example: the young person, a friend in Year 9, a parent.",
    )
    disclosed_at = models.DateTimeField("when it was disclosed")
    received_by = models.CharField("who received the disclosure", max_length=200)
    account = models.TextField(
        "what was said",
        help_text="Write down what you were told, in the discloser's own words where you can.",
    )

    # Devices, services and platforms; how widely shared (R4)
    devices_and_platforms = models.TextField(
        "devices, apps and platforms involved", blank=True, help_text="If known."
    )
    spread = models.CharField(
        "how widely the imagery has been shared",
        max_length=20,
        choices=Spread.choices,
        default=Spread.UNKNOWN,
    )

    # Scope (R3), recorded by the DSL at the initial review.
    incident_type = models.CharField(
        "type of incident", max_length=20, choices=IncidentType.choices, blank=True
    )
    # The imagery as far as known, without anyone looking (R30).
    imagery_media = models.JSONField("kind of imagery", default=list, blank=True)
    imagery_origin = models.CharField(
        "real or manipulated",
        max_length=20,
        choices=ImageryOrigin.choices,
        default=ImageryOrigin.NOT_KNOWN,
    )
    sexual_acts = models.CharField(
        "does the imagery involve sexual acts?",
        max_length=10,
        choices=Answer.choices,
        default=Answer.NOT_KNOWN,
    )
    sextortion = models.BooleanField(
        "financially motivated sexual extortion (sextortion)", default=False
    )
    # Typology and risk (R12, R13)
    typology = models.CharField(max_length=30, choices=Typology.choices, blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)

    closure_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Bumped under the row lock by every change to the incident or what hangs off it, so a form
    # opened at an older version is refused rather than silently overwriting (issue 10).
    version = models.PositiveIntegerField(default=1, editable=False)
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # One of an unusual number of reports from one account (issue 17): the DSLs were told once,
    # and it is listed under that notice rather than emailed on its own.
    flood = models.ForeignKey(
        "ReportFlood",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="incidents",
    )

    history = HistoricalRecords(excluded_fields=["version", "changed_at", "changed_by"])

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incident_detail", args=[self.pk])

    @property
    def incident_date(self) -> date:
        """The date ages are worked out at: when the concern was disclosed."""
        return timezone.localdate(self.disclosed_at)


class InvolvedPerson(models.Model):
    """A person involved: a pupil from the roster, or someone else described as far as known."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="people")
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="involvements"
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="Or a description, such as 'unknown adult online'."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.NOT_KNOWN)
    year_group = models.CharField(max_length=20, blank=True)
    school_name = models.CharField(
        "school or setting",
        max_length=200,
        blank=True,
        help_text="Another school, or 'adult' for someone who is not at school.",
    )
    roles = models.JSONField(default=list)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.pupil) if self.pupil_id else self.name or "Name not known"

    @property
    def effective_date_of_birth(self) -> date | None:
        return self.pupil.date_of_birth if self.pupil_id else self.date_of_birth

    @property
    def effective_sex(self) -> str:
        return self.pupil.get_sex_display() if self.pupil_id else self.get_sex_display()

    @property
    def effective_year_group(self) -> str:
        return self.pupil.year_group if self.pupil_id else self.year_group

    @property
    def effective_school(self) -> str:
        return self.pupil.school.name if self.pupil_id else self.school_name

    def age_at(self, day: date) -> int | None:
        """Age on `day` from the date of birth when known, else the age recorded."""
        dob = self.effective_date_of_birth
        return age_on(dob, day) if dob else self.age

    def age_band_at(self, day: date) -> str:
        age = self.age_at(day)
        return band_for_age(age) if age is not None else self.age_band

    def role_labels(self) -> list[str]:
        return [PersonRole(r).label for r in self.roles if r in PersonRole.values]


class InitialReview(models.Model):
    """The initial review meeting (R5) and the five criteria as judged there (R6)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="review")
    held_at = models.DateTimeField("when the meeting was held", null=True, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    other_attendees = models.CharField(
        "others who attended", max_length=500, blank=True, help_text="Names and roles."
    )
    # {Consideration value: note}
    considerations = models.JSONField(default=dict, blank=True)
    # {Criterion value: {"answer": Answer value, "note": str}}: the DSL's judgement.
    criteria = models.JSONField(default=dict, blank=True)
    aggravating_factors = models.JSONField(default=list, blank=True)
    history = HistoricalRecords(m2m_fields=[attendees])

    def __str__(self) -> str:
        return f"Initial review of {self.incident}"

    def judged(self, criterion: str) -> tuple[str, str]:
        entry = self.criteria.get(criterion) or {}
        return entry.get("answer", Answer.NOT_KNOWN), entry.get("note", "")

    def factor_labels(self) -> list[str]:
        return [AggravatingFactor(f).label for f in self.aggravating_factors]


class Decision(models.Model):
    """Refer, or manage in school (R8, R9). Never edited: a change is a new decision."""

    class Kind(models.TextChoices):
        REFER = "refer", "Refer"
        MANAGE_IN_SCHOOL = "manage", "Manage in school"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    aggravating_answer = models.TextField(blank=True)
    headteacher_input = models.TextField(blank=True)
    facts = models.JSONField(default=dict)  # what the decision rests on, as it was
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]
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


class RiskAssessment(models.Model):
    """The further review after a decision not to refer (R17): UKCCIS and Annex A questions."""

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="risk_assessment"
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)  # {RiskQuestion value: note}
    summary = models.TextField("overall assessment")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Risk assessment of {self.incident}"


class Conversation(models.Model):
    """A conversation with a young person (R18): what the imagery contains, without looking."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="conversations")
    young_person = models.ForeignKey(
        InvolvedPerson, on_delete=models.PROTECT, related_name="conversations"
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
        Incident, on_delete=models.PROTECT, related_name="parent_contacts"
    )
    young_person = models.ForeignKey(
        InvolvedPerson, on_delete=models.PROTECT, related_name="parent_contacts"
    )
    informed = models.BooleanField()
    at = models.DateTimeField("when")
    by = models.CharField("by whom", max_length=200)
    who = models.CharField("who was told", max_length=200, blank=True)
    how = models.CharField(max_length=20, choices=ParentContactMethod.choices, blank=True)
    reason_not_informed = models.TextField(blank=True)
    agreed_with = models.CharField(
        "agreed with",
        max_length=300,
        blank=True,
        help_text="Normally children's social care or the police.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Parents of {self.young_person}: {'informed' if self.informed else 'not informed'}"


class Action(models.Model):
    """Support, education, sanctions, reports (R20): each with an owner and a due date."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due = models.DateField("due by")
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due < timezone.localdate()
