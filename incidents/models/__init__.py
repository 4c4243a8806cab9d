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
from accounts.names import fold

from ..rules import (
    AgeBand,
    AggravatingFactor,
    Answer,
    ImageryOrigin,
    IncidentType,
    PersonKind,
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
from .decisions import Decision as Decision
from .decisions import SignOff as SignOff
from .managing import Action as Action
from .managing import Conversation as Conversation
from .managing import ParentContact as ParentContact
from .managing import Platform as Platform
from .managing import RiskAssessment as RiskAssessment
from .managing import SafetyPlan as SafetyPlan
from .managing import SafetyPlanReview as SafetyPlanReview


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


# What the inspection report counts each month by, in the order it reads them (records/
# inspection.py: summary), carried by the period's indexes.
COUNTED = ["outcome", "incident_type", "imagery_origin"]


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
    # The same, picked by the DSL from the school's list (Platform) so that they can be counted.
    platforms = models.JSONField(
        "devices, apps and platforms (from the list)", default=list, blank=True
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
    # What became of the case, as the inspection report counts it: worked out by the database
    # from the columns above and kept with the row, so a trust's year of tens of thousands is
    # counted from an index alone (issue 14), never out of step with the record.
    outcome = models.GeneratedField(
        expression=models.Case(
            models.When(closure_reason__startswith="Not YPSI", then=models.Value("Not YPSI")),
            models.When(
                models.Q(stage=Stage.REFERRED) | models.Q(referred_at__isnull=False),
                then=models.Value("Referred"),
            ),
            models.When(
                stage__in=[Stage.MANAGED_IN_SCHOOL, Stage.CLOSED],
                then=models.Value("Managed in school"),
            ),
            default=models.Value("Open: not yet decided"),
        ),
        output_field=models.CharField(max_length=30),
        db_persist=True,
    )
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

    # R37: since when a referral has been required and not made (kept by services.urgency after
    # every change, and by the sweep), so the dashboard and the reminders need no re-assessment.
    referral_required_since = models.DateTimeField(null=True, blank=True, editable=False)

    # The dashboard's group of the case (incidents/workspace.py), kept so that a trust's
    # dashboard is a read rather than a working-out of every open case on every request: `step`
    # is what happens next but for overdue work, `late_at` the moment the first thing pending
    # falls overdue, both worked out from the record at `step_version`. A change (which bumps
    # `version`) makes them stale; they are worked out again at the next read.
    step = models.CharField(max_length=20, blank=True, editable=False)
    late_at = models.DateTimeField(null=True, blank=True, editable=False)
    step_version = models.PositiveIntegerField(default=0, editable=False)

    # When the case was first reviewed (left "reported"), first referred to the police, social
    # care or the LADO, and its decision first signed off: what the inspection report's
    # medians are taken from (issue 14), kept as each happens by the saves that make them.
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    referred_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)

    # "Who told you", folded as names are (accounts/names.py) for the search.
    search_discloser = models.CharField(max_length=400, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "outcome",  # the database's, from the columns kept here
            "version",
            "changed_at",
            "changed_by",
            "referral_required_since",
            "step",
            "late_at",
            "step_version",
            "search_discloser",
            "reviewed_at",
            "referred_at",
            "signed_off_at",
        ]
    )

    class Meta:
        ordering = ["-reported_at"]
        # Every filter and ordering of the list, the dashboard and the inspection report, per
        # school (a DSL) and across schools (a trust lead): checked with EXPLAIN (bench/).
        indexes = [
            models.Index(
                fields=["school", "-reported_at", "-id"], name="incident_school_reported"
            ),
            models.Index(fields=["-reported_at", "-id"], name="incident_reported"),
            models.Index(fields=["school", "stage", "-reported_at"], name="incident_school_stage"),
            models.Index(fields=["stage", "-reported_at"], name="incident_stage"),
            # The inspection report's period, for a school and for a trust, with what its
            # medians read (PostgreSQL reads them from the index alone).
            models.Index(
                fields=["school", "disclosed_at"],
                include=[*COUNTED, "reviewed_at", "referred_at", "signed_off_at"],
                name="incident_school_period",
            ),
            models.Index(
                fields=["disclosed_at"],
                include=["school", *COUNTED, "reviewed_at", "referred_at", "signed_off_at"],
                name="incident_period",
            ),
            # Its platforms: the few incidents that name any.
            models.Index(
                fields=["school", "disclosed_at"],
                condition=~models.Q(platforms=[]),
                name="incident_with_platforms",
            ),
            models.Index(
                fields=["referral_required_since"],
                condition=models.Q(referral_required_since__isnull=False),
                name="incident_referral_required",
            ),
            # The dashboard's counts and first cases of each group: open cases only, with
            # what the grouping reads (PostgreSQL reads them from the index alone).
            models.Index(
                fields=["school", "reported_at", "id"],
                condition=~models.Q(stage="closed"),
                include=[
                    "stage",
                    "step",
                    "late_at",
                    "version",
                    "step_version",
                    "referral_required_since",
                    "flood",
                ],
                name="incident_open",
            ),
            # The overdue group's "see all" list: the open cases whose first thing pending is
            # past (with `incident_referral_required`, the rest of what makes a case overdue);
            # every other group's, newest first (a trust's: 5 ms, now 1.5).
            models.Index(
                fields=["late_at"],
                condition=~models.Q(stage="closed"),
                name="incident_open_late",
            ),
            models.Index(
                fields=["step", "-reported_at", "-id"],
                condition=~models.Q(stage="closed"),
                name="incident_open_step",
            ),
            # The dashboard's notices of many reports: those of each still to review.
            models.Index(
                fields=["flood"],
                condition=models.Q(stage="reported", flood__isnull=False),
                name="incident_flood_awaiting",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        self.search_discloser = fold(self.discloser)[:400]
        # Whatever saves the incident itself (a stage moved, the admin) changed its record:
        # its dashboard group is worked out again at the next read.
        self.step_version = 0
        if self.stage != Stage.REPORTED and self.reviewed_at is None:
            self.reviewed_at = timezone.now()
        if not self._state.adding and kwargs.get("update_fields") is None:
            # Kept by a referral's or a sign-off's own save: never written back from an
            # instance read before it (a stage moved after the referral was recorded).
            kwargs["update_fields"] = {
                f.name for f in self._meta.concrete_fields if not f.primary_key
            } - {"referred_at", "signed_off_at"}
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_discloser",
                "step_version",
                "reviewed_at",
            }
        super().save(*args, **kwargs)

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
    # R36: an online contact whose age is not verified, or an AI application, beside people.
    kind = models.CharField(
        "who or what they are",
        max_length=20,
        choices=PersonKind.choices,
        default=PersonKind.PERSON,
    )
    # R4: "about 200 pupils" in a group chat is a group with an approximate number, not a person.
    group_size = models.PositiveIntegerField(
        "about how many",
        null=True,
        blank=True,
        help_text="For a group (such as a year group chat): roughly how many received it.",
    )
    # R4: recorded for anyone involved; a roster pupil's own flags count as well.
    sen_or_disability = models.BooleanField("SEN or disability", default=False)
    looked_after = models.BooleanField("looked after", default=False)
    known_to_social_care = models.BooleanField("known to children's social care", default=False)
    # The name folded (accounts/names.py), for the search that forgives accents, case and
    # apostrophes; a roster pupil is searched by the pupil's own. Kept by save().
    search_name = models.CharField(max_length=300, editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)[:300]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_group(self) -> bool:
        return self.group_size is not None

    @property
    def vulnerabilities(self) -> list[str]:
        """What is recorded here, and on the roster for a pupil: either source is enough."""
        names = ("sen_or_disability", "looked_after", "known_to_social_care")
        return [
            self._meta.get_field(n).verbose_name
            for n in names
            if getattr(self, n) or (self.pupil_id and getattr(self.pupil, n))
        ]

    @property
    def display_name(self) -> str:
        name = str(self.pupil) if self.pupil_id else self.name or "Name not known"
        return f"{name} (about {self.group_size})" if self.is_group else name

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

    def age_source(self) -> str:
        """What an age from a date of birth rests on, so that a finding of an adult says so (a
        slip in a date of birth is easily made); "" for an age or band given as such."""
        dob = self.effective_date_of_birth
        if dob is None:
            return ""
        where = "on the school roster" if self.pupil_id else "as recorded"
        return f"born {dob.day} {dob:%B %Y}, {where}"

    def age_band_at(self, day: date) -> str:
        age = self.age_at(day)
        return band_for_age(age) if age is not None else self.age_band

    def role_labels(self) -> list[str]:
        """Their part, after what they are when that is not a person of a known kind (R36)."""
        kind = [] if self.kind == PersonKind.PERSON else [self.get_kind_display()]
        return kind + [PersonRole(r).label for r in self.roles if r in PersonRole.values]


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
    # {AggravatingFactor value: {"answer": "yes" or "no", "note": str}}: each answered (R9).
    aggravating_factors = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords(m2m_fields=[attendees])

    def __str__(self) -> str:
        return f"Initial review of {self.incident}"

    def judged(self, criterion: str) -> tuple[str, str]:
        entry = self.criteria.get(criterion) or {}
        return entry.get("answer", Answer.NOT_KNOWN), entry.get("note", "")

    def factor(self, factor: str) -> tuple[str, str]:
        entry = self.aggravating_factors.get(factor) or {}
        return entry.get("answer", ""), entry.get("note", "")

    def factors_present(self) -> list[tuple[str, str]]:
        """The aggravating factors answered yes, with their notes."""
        return [
            (f.label, self.factor(f)[1])
            for f in AggravatingFactor
            if self.factor(f)[0] == Answer.YES
        ]

    def factor_labels(self) -> list[str]:
        return [label for label, _note in self.factors_present()]

    def factors_unanswered(self) -> list[str]:
        return [f.label for f in AggravatingFactor if not self.factor(f)[0]]
