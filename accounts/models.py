"""Trusts, schools and their safeguarding policy settings, who holds which role, and pupils.

Roles are held per school (a person may be DSL at one school and staff at another). What each
role may do is data in `accounts.permissions`, granted through django-guardian groups.
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .names import fold


class User(AbstractUser):
    """Our own user model from day one, so later fields (a second factor) need no swap."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    calendar = models.ForeignKey(
        "Calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"school__isnull": True},  # published, not a school's own
        related_name="trusts",
        verbose_name="default term dates",
        help_text="The term dates the trust's schools inherit, unless a school follows another.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class FirstPointOfContact(models.TextChoices):
    # UKCCIS footnote 17: "If the school's local area has a Multi-Agency Safeguarding Hub then
    # this may be the most appropriate first point of contact".
    MASH = "mash", "Multi-Agency Safeguarding Hub (MASH)"
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    POLICE = "police", "Police"


class RetentionRule(models.TextChoices):
    """The named rules a YPSI record is kept under (R32, R40); the first two are a school's
    choice, the others follow from the record (a legal hold overrides all)."""

    # IRMS Information Management Toolkit for Schools: the last school keeps a child
    # protection file to the pupil's 25th birthday, then reviews it.
    IRMS = "irms", "IRMS: keep to the 25th birthday of the youngest young person, then review"
    # IICSA 2015 letter (do not destroy) and final report 2022: keep for up to 75 years.
    IICSA = "iicsa", "IICSA: keep for up to 75 years (records touching child sexual abuse)"
    POLICE_OR_COURT = "as_advised", "Police or court involvement: keep as they advise"
    LEGAL_HOLD = "legal_hold", "Legal hold: keep until the hold is lifted"


SCHOOL_RETENTION_RULES = [
    (RetentionRule.IRMS.value, RetentionRule.IRMS.label),
    (RetentionRule.IICSA.value, RetentionRule.IICSA.label),
]


class School(models.Model):
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", "Use 2 to 8 capital letters.")],
        help_text="Short code used in incident references, for example HIL.",
    )

    # Policy settings (R7, R13).
    under_age_threshold = models.PositiveSmallIntegerField(
        "age threshold for criterion 4",
        default=13,
        validators=[MinValueValidator(10), MaxValueValidator(18)],
        help_text=(
            "Criterion 4 holds when the imagery involves sexual acts and any pupil in it is under "
            "this age. The national advice says 13; some local policies use a higher age."
        ),
    )
    first_point_of_contact = models.CharField(
        max_length=10, choices=FirstPointOfContact.choices, default=FirstPointOfContact.MASH
    )
    mash_contact = models.CharField("MASH: name", max_length=200, blank=True)
    mash_phone = models.CharField("MASH: phone", max_length=40, blank=True)
    social_care_contact = models.CharField(
        "Children's social care: name", max_length=200, blank=True
    )
    social_care_phone = models.CharField(
        "Children's social care: phone", max_length=40, blank=True
    )
    police_contact = models.CharField(
        "Police: name",
        max_length=200,
        blank=True,
        help_text="For example the safer schools officer.",
    )
    police_phone = models.CharField("Police: phone", max_length=40, blank=True, default="101")
    out_of_hours_phone = models.CharField("Out of hours: phone", max_length=40, blank=True)
    wolverhampton_rule = models.BooleanField(
        "aggravated incidents go to the first point of contact (Wolverhampton rule)",
        default=False,
        help_text=(
            "Refer an aggravated incident when the young people are 12 or under, an adult is "
            "involved, the risk to 13 to 17 year olds is high, or criterion 2, 3 or 5 holds."
        ),
    )
    # Retention (R32, R40): the rule the school's YPSI records are kept under.
    retention_rule = models.CharField(
        "retention rule for YPSI records",
        max_length=20,
        choices=SCHOOL_RETENTION_RULES,
        default=RetentionRule.IRMS,
        help_text=(
            "Under either rule the review defaults to keeping the record, and nothing is "
            "disposed of without a reason and the headteacher's agreement. A legal hold "
            "overrides every rule."
        ),
    )
    retention_follows_advice = models.BooleanField(
        "when the police or a court are involved, keep the record as they advise",
        default=True,
        help_text="Never for less time than the rule above.",
    )
    alternative_signatory_title = models.CharField(
        "who signs off when the headteacher made the decision",
        max_length=100,
        default="Chair of governors",
        help_text="Held by the user with the 'nominated signatory' role at this school.",
    )

    # The days the school is open (issue 20): its own dates, over those it inherits.
    calendar = models.OneToOneField(
        "Calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school",
        help_text="The school's own term dates and closure days.",
    )
    published_calendar = models.ForeignKey(
        "Calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"school__isnull": True},
        related_name="following_schools",
        verbose_name="term dates published by",
        help_text="A local authority's or trust's term dates; if blank, the trust's default.",
    )

    # Not a safeguarding fact: a counter for references, kept out of the history.
    incident_counter = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["incident_counter"])

    class Meta:
        ordering = ["name"]
        # Object permissions, granted per school to role groups (accounts.permissions).
        permissions = [
            ("report_concern", "Report a concern"),
            ("view_incidents", "See the school's incident records"),
            ("change_incidents", "Record and decide on the school's incidents"),
            ("sign_off_decisions", "Sign off decisions not to refer"),
            ("manage_roster", "Manage the pupil roster"),
            ("manage_policy", "Manage the school's safeguarding policy settings"),
            ("read_security_log", "Read the security log of the school's people"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", "Staff member"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
    HEADTEACHER = "headteacher", "Headteacher"
    ADMINISTRATOR = "administrator", "School administrator"
    SIGNATORY = "signatory", "Nominated signatory (signs in place of the headteacher)"


class Membership(models.Model):
    """A role a user holds at a school; the groups that carry permissions follow it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="unique_school_role")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}, {self.school}"


class TrustLead(models.Model):
    """A trust-level safeguarding lead: reads every school of the trust, changes nothing."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="trust_leads")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="leads")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "trust"], name="unique_trust_lead")]

    def __str__(self) -> str:
        return f"{self.user}: trust safeguarding lead, {self.trust}"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class Pupil(models.Model):
    """A pupil on the school's roll, so the same young person is recognised across incidents."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField(
        "UPN",
        max_length=13,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z]\d{11}[0-9A-Z]$", "A UPN is a letter, 11 digits and a check character."
            )
        ],
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    year_group = models.CharField(max_length=20)
    sen_or_disability = models.BooleanField("SEN or disability", default=False)
    looked_after = models.BooleanField("looked after", default=False)
    known_to_social_care = models.BooleanField("known to children's social care", default=False)
    # Surname then forename, folded (accounts/names.py): what search looks in and the roster
    # sorts by, so that Łucja is found as "lucja" and listed among the Ls. Kept by save().
    search_name = models.CharField(max_length=300, editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        ordering = ["search_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"], condition=~models.Q(upn=""), name="unique_school_upn"
            )
        ]
        indexes = [models.Index(fields=["school", "search_name"], name="pupil_school_search_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.last_name} {self.first_name}")[:300]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def flags(self) -> list[str]:
        names = ("sen_or_disability", "looked_after", "known_to_social_care")
        return [self._meta.get_field(n).verbose_name for n in names if getattr(self, n)]


class ViewingDelegation(models.Model):
    """The headteacher's delegated authority for a safeguarding team member to view (R21)."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="viewing_delegations"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="viewing_delegations")
    delegated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    delegated_on = models.DateField(default=timezone.localdate)
    revoked_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user} may view imagery at {self.school} (from {self.delegated_on:%d %b %Y})"


class FormSubmission(models.Model):
    """A form's one-time token, claimed in the transaction that saves what the form records.

    A double click or a retried request carries the same token: the database refuses the second
    claim, so nothing is recorded twice (issue 10).
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.token} ({self.user})"


class Calendar(models.Model):
    """Term dates and closure days (issue 20): a school's own, or published by a local authority
    or a trust for its schools to inherit (published ones are kept in the admin).

    A school open day is a weekday in a term that is neither a closure nor a bank holiday.
    """

    name = models.CharField(max_length=200, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarDays(models.Model):
    """A run of days in a calendar, from the first to the last: a term, or a closure.

    PROTECT: a calendar keeps its dates until each is removed, with who removed it, so the
    dates a recorded deadline was counted in are never lost with their calendar (R27).
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="%(class)ss")
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        abstract = True
        ordering = ["first_day", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="%(class)s_ends_after_it_starts",
            )
        ]

    @property
    def days(self) -> str:
        first, last = self.first_day, self.last_day
        return f"{first:%-d %b %Y}" + (f" to {last:%-d %b %Y}" if last != first else "")


class Term(CalendarDays):
    """The school is open from the first day to the last; the days between terms are holidays."""

    name = models.CharField(max_length=100, help_text="For example Autumn term.")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.name} ({self.days})"


class Closure(CalendarDays):
    """Days within a term the school is closed: INSET days, a half-term, a polling day."""

    class Kind(models.TextChoices):
        INSET = "inset", "INSET (staff training) day"
        HOLIDAY = "holiday", "Holiday within a term (for example half-term)"
        OTHER = "other", "Other closure (for example a polling day)"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INSET)
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.label} ({self.days})"

    @property
    def label(self) -> str:
        if self.description:
            return self.description
        return {
            self.Kind.INSET: "INSET day",
            self.Kind.HOLIDAY: "Holiday",
            self.Kind.OTHER: "Closure",
        }[self.kind]


class SecurityEvent(models.Model):
    """Sign-ins that failed, lockouts, second factors and passwords changed, roles given: what a
    data protection officer asks to see (issue 11). Written once and never changed: like the
    access log, it has no history because it is one.
    """

    class Kind(models.TextChoices):
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        MFA_FAILED = "mfa_failed", "Second factor code wrong"
        LOCKED_OUT = "locked_out", "Sign-in paused after too many failures"
        SIGNED_IN = "signed_in", "Signed in"
        FACTOR_ADDED = "factor_added", "Second factor added"
        FACTOR_REMOVED = "factor_removed", "Second factor removed"
        FACTOR_RESET = "factor_reset", "Recovery codes made again"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset by email"
        ROLE_GIVEN = "role_given", "Role given"
        ROLE_REMOVED = "role_removed", "Role removed"
        REFUSED = "refused", "Refused a case page (not found or not allowed)"

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="security_events"
    )
    username = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="security_by_user")]

    def __str__(self) -> str:
        return f"{self.username or self.user}: {self.get_kind_display().lower()}"


class SecurityLogEntry(models.Model):
    """An event as one school's security log holds it, written with the event for each school
    the user then held a role at or led the trust of. A school's log is then one range of one
    index, its last page as cheap as its first however large every school's log grows (a join
    of the events to the school's people read all of them: 0.5-0.9 s a page at 420,000, issue
    14); and an account's events stay in the log of a school where its role has since ended."""

    # No index of the school's own: `security_log_of_school` begins with it.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", db_index=False)
    event = models.ForeignKey(SecurityEvent, on_delete=models.PROTECT, related_name="entries")
    at = models.DateTimeField()  # the event's, for the index

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "event"], name="unique_security_log_entry")
        ]
        indexes = [models.Index(fields=["school", "-at", "-event"], name="security_log_of_school")]

    def __str__(self) -> str:
        return f"{self.event} ({self.school_id})"
