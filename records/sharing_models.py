"""The information sharing log (R39): the rows. The rules are in records/sharing.py.

Registered with the app by records/models.py, which imports them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class SharingDecision(models.Model):
    """One decision to share information, or not to (DfE Information sharing advice 2024: the
    seventh golden rule, "keep a record of your decision and the reasons for it")."""

    class Decision(models.TextChoices):
        SHARE = "share", "Shared"
        NOT_SHARE = "not_share", "Not shared"

    class Recipient(models.TextChoices):
        SCHOOL = "school", "Another school or college"
        AGENCY = "agency", "An agency (police, children's social care, health, early help)"
        PLATFORM = "platform", "A platform or reporting service (such as Report Remove)"
        OTHER_PARENT = "other_parent", "A parent or carer of another young person"
        OTHER = "other", "Someone else"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent was sought and given"
        REFUSED = "refused", "Consent was sought and refused"
        NOT_SOUGHT = "not_sought", "Consent was not sought"

    class LawfulBasis(models.TextChoices):
        # DfE advice: safeguarding is usually public task, with the special-category condition
        # "safeguarding of children and individuals at risk" (DPA 2018 Sch. 1 para. 18).
        PUBLIC_TASK = (
            "public_task",
            "Public task (UK GDPR Art. 6(1)(e)), safeguarding of children and individuals at "
            "risk (Art. 9(2)(g), DPA 2018 Sch. 1 para. 18)",
        )
        LEGAL_OBLIGATION = (
            "legal_obligation",
            "Legal obligation (UK GDPR Art. 6(1)(c)): a statutory duty or a court order",
        )
        VITAL_INTERESTS = (
            "vital_interests",
            "Vital interests (UK GDPR Art. 6(1)(d), Art. 9(2)(c)): to protect someone's life",
        )
        CONSENT = "consent", "Consent (UK GDPR Art. 6(1)(a), Art. 9(2)(a))"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="sharing_decisions"
    )
    decision = models.CharField("the decision", max_length=10, choices=Decision.choices)
    decided_at = models.DateTimeField("when it was decided")
    recipient_kind = models.CharField("with whom", max_length=20, choices=Recipient.choices)
    recipient = models.CharField("name and organisation", max_length=200)
    what = models.TextField("what information")
    why = models.TextField("why: the reasons for the decision")
    consent = models.CharField(max_length=10, choices=Consent.choices)
    consent_from = models.CharField("whose consent", max_length=200, blank=True)
    consent_note = models.TextField(
        "why consent was not sought, or why information was shared without it", blank=True
    )
    lawful_basis = models.CharField(
        "lawful basis", max_length=20, choices=LawfulBasis.choices, blank=True
    )
    decided_by = models.CharField("who decided", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.recipient}"
