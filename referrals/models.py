"""Work with other agencies (R14) and devices held for them (R15).

A decision to refer creates the first referral; more can follow. Devices live here because their
custody chain exists for the police; a device returned to a parent or carer ends the same chain.
"""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    POLICE_101 = "police_101", "Police (101)"
    SAFER_SCHOOLS_OFFICER = "safer_schools", "Police: safer schools officer"
    PCSO = "pcso", "Police: PCSO"
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    MASH = "mash", "Multi-Agency Safeguarding Hub (MASH)"
    LADO = "lado", "LADO (a member of staff is involved)"
    NCA_CEOP = "ceop", "NCA-CEOP"
    EARLY_HELP = "early_help", "Early Help"
    OTHER = "other", "Other"


POLICE_AGENCIES = frozenset(
    {Agency.POLICE, Agency.POLICE_101, Agency.SAFER_SCHOOLS_OFFICER, Agency.PCSO}
)
# Law enforcement: once involved, the school preserves evidence (R16).
LAW_ENFORCEMENT = POLICE_AGENCIES | {Agency.NCA_CEOP}
SOCIAL_CARE = frozenset({Agency.CHILDRENS_SOCIAL_CARE, Agency.MASH})
# A referral to one of these is the "refer" decision: it cannot sit beside managing in school.
STATUTORY = LAW_ENFORCEMENT | SOCIAL_CARE | {Agency.LADO}


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    ONLINE_FORM = "online_form", "Online referral form"
    EMAIL = "email", "Secure email"
    IN_PERSON = "in_person", "In person"


class Referral(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="referrals"
    )
    agency = models.CharField(max_length=20, choices=Agency.choices)
    made_at = models.DateTimeField("when the referral was made", default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_whom = models.CharField("to whom", max_length=200, blank=True)
    how = models.CharField(max_length=20, choices=ContactMethod.choices, blank=True)
    reference = models.CharField(
        "crime or case reference number",
        max_length=100,
        blank=True,
        help_text="UKCCIS: ensure any crime reference numbers provided are recorded.",
    )
    reason = models.TextField()
    response = models.TextField("the agency's response", blank=True)
    # R38: what the agency is expected to send back, and by when (`services.expected`); empty
    # where nothing is expected (Early Help, another service) or for a referral made before.
    acknowledgement_due = models.DateField("acknowledgement expected by", null=True, blank=True)
    decision_due = models.DateField("decision expected by", null=True, blank=True)
    acknowledged_at = models.DateTimeField(
        "when the agency acknowledged it", null=True, blank=True
    )
    acknowledged_by = models.CharField(
        "who acknowledged it (name and role)", max_length=200, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]
        indexes = [
            models.Index(
                fields=["acknowledgement_due"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="referral_awaiting_ack",
            )
        ]

    def __str__(self) -> str:
        return f"Referral to {self.get_agency_display()}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The incident keeps when it was first referred where a referral is required (R37):
        # the inspection report's median time to referral (issue 14).
        first = Referral.objects.filter(incident=OuterRef("pk"), agency__in=STATUTORY)
        Incident.objects.filter(pk=self.incident_id).update(
            referred_at=Subquery(first.order_by("made_at").values("made_at")[:1])
        )

    @property
    def is_police(self) -> bool:
        return self.agency in POLICE_AGENCIES

    @property
    def missing_reference(self) -> bool:
        return self.is_police and not self.reference


class FollowUp(models.Model):
    """Tenacity in following up with agencies, and partnership working (R14, R26)."""

    class Kind(models.TextChoices):
        CHASER = "chaser", "Chased the agency"
        UPDATE = "update", "Update from the agency"
        MEETING = "meeting", "Inter-agency meeting attended"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="follow_ups"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField("when")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    with_whom = models.CharField("with whom", max_length=300, blank=True)
    note = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%d %b %Y})"


class Escalation(models.Model):
    """The local escalation (professional disagreement) procedure, used when the referrer
    disagrees with the agency's decision or the child's situation does not improve (R38;
    Working Together 2023): when, to whom, why, and what came of it."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="escalations")
    escalated_at = models.DateTimeField("when")
    to_whom = models.CharField("escalated to (name and role)", max_length=200)
    concern = models.TextField("why: the disagreement, or what has not improved")
    outcome = models.TextField("the outcome", blank=True)
    outcome_at = models.DateTimeField("when the outcome was known", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["escalated_at", "pk"]

    def __str__(self) -> str:
        return f"Escalation to {self.to_whom} ({self.escalated_at:%d %b %Y})"


class Device(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="devices"
    )
    description = models.CharField(
        max_length=200, help_text="For example: black phone in a blue case. Do not open it."
    )
    owner = models.CharField("whose device", max_length=200)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.description} ({self.owner})"


class CustodyKind(models.TextChoices):
    # UKCCIS "Securing and handing over devices": confiscated, turned off, under lock and key
    # until the police collect it; HAT §5, §9: or returned to a parent or carer with consent.
    CONFISCATED = "confiscated", "Confiscated"
    POWERED_OFF = "powered_off", "Turned off"
    STORED = "stored", "Locked away"
    HANDED_TO_POLICE = "to_police", "Handed to the police"
    RETURNED_TO_PARENT = "returned", "Returned to a parent or carer"


# Each event, and what may follow it: the chain has no gaps and no loose ends.
CUSTODY_NEXT: dict[str, frozenset[str]] = {
    "": frozenset({CustodyKind.CONFISCATED}),
    CustodyKind.CONFISCATED: frozenset({CustodyKind.POWERED_OFF}),
    CustodyKind.POWERED_OFF: frozenset({CustodyKind.STORED}),
    CustodyKind.STORED: frozenset(
        {CustodyKind.STORED, CustodyKind.HANDED_TO_POLICE, CustodyKind.RETURNED_TO_PARENT}
    ),
    CustodyKind.HANDED_TO_POLICE: frozenset(),
    CustodyKind.RETURNED_TO_PARENT: frozenset(),
}


class ConsentMethod(models.TextChoices):
    # HAT §9: "express consent"; "permitted to phone and give verbal consent".
    IN_PERSON = "in_person", "In person at school"
    BY_PHONE = "phone", "Verbal consent by phone, taken by a member of the management team"


class CustodyEvent(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="custody")
    kind = models.CharField(max_length=20, choices=CustodyKind.choices)
    at = models.DateTimeField("when")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_whom = models.CharField("taken from", max_length=200, blank=True)
    reason = models.TextField("why", blank=True)
    location = models.CharField("where it is locked away", max_length=200, blank=True)
    officer_name = models.CharField("officer's name", max_length=200, blank=True)
    officer_number = models.CharField("officer's number", max_length=50, blank=True)
    police_reference = models.CharField("police reference", max_length=100, blank=True)
    returned_to = models.CharField("returned to", max_length=200, blank=True)
    consent = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d %b %Y %H:%M}"


class OutcomeKind(models.TextChoices):
    """What the agency decided (issue 13 item 3), in the police's and social care's terms."""

    # Police: Home Office outcome types.
    POLICE_NFA = "police_nfa", "Police: no further action"
    OUTCOME_21 = "outcome_21", "Police: Outcome 21 (not in the public interest to take further)"
    COMMUNITY_RESOLUTION = "community_resolution", "Police: community resolution"
    CAUTION = "caution", "Police: caution"
    CHARGE = "charge", "Police: charge"
    POLICE_INVESTIGATING = "investigating", "Police: investigation continuing"
    # Children's social care (Working Together 2023).
    CSC_NFA = "csc_nfa", "Social care: no further action"
    EARLY_HELP = "early_help", "Social care: early help or signposting"
    ASSESSMENT = "assessment", "Social care: child and family assessment"
    STRATEGY_MEETING = "strategy", "Social care: strategy meeting"
    SECTION_47 = "section_47", "Social care: section 47 enquiry"
    CP_CONFERENCE = "conference", "Social care: child protection conference"
    OTHER = "other", "Other"


# Outcome 21 is recorded against the young person and may be disclosed by an enhanced DBS check
# later, at the chief officer's discretion: the DSL notes what the family was told about that.
OUTCOME_21_NOTE = (
    "Outcome 21: the police record the crime but decide that further action is not in the "
    "public interest. It may be disclosed on a later enhanced DBS check if a chief officer "
    "thinks it relevant. Note what the young person and their family were told about later checks."
)


class ReferralOutcome(models.Model):
    """An outcome of a referral, with its date and the agency's reference (counted for Ofsted)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField("outcome", max_length=30, choices=OutcomeKind.choices)
    decided_on = models.DateField("date of the outcome")
    reference = models.CharField("the agency's reference", max_length=100, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.decided_on:%d %b %Y})"


class AdviceCall(models.Model):
    """An anonymous call for advice to the MASH, social care or the police before deciding
    (R13): the young people were not named."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="advice_calls"
    )
    agency = models.CharField(
        max_length=20,
        choices=[
            (Agency.MASH.value, Agency.MASH.label),
            (Agency.CHILDRENS_SOCIAL_CARE.value, Agency.CHILDRENS_SOCIAL_CARE.label),
            (Agency.POLICE.value, Agency.POLICE.label),
        ],
    )
    called_at = models.DateTimeField("when")
    spoke_to = models.CharField("who gave the advice (name and role)", max_length=200)
    advice = models.TextField("the advice given")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["called_at", "pk"]

    def __str__(self) -> str:
        return f"Anonymous advice from {self.get_agency_display()}"


class SextortionAdvice(models.Model):
    """The advice given to a young person when sextortion is recorded (UKCIS 2024), and when."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="sextortion_advice"
    )
    given_to = models.CharField(
        "given to (the young person, or their parent or carer)", max_length=200
    )
    given_at = models.DateTimeField("when")
    given_by = models.CharField("by whom", max_length=200)
    # The four points of the advice; each recorded as covered.
    points = models.JSONField(default=list)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["given_at", "pk"]

    def __str__(self) -> str:
        return f"Sextortion advice to {self.given_to}"
