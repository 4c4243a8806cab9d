"""Subject access requests (R41): the rows. The rules are in records/sar.py.

Registered with the app by records/models.py, which imports them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Relationship(models.TextChoices):
    # ICO: a child may make their own request once they understand their rights (in England
    # usually from about 12 or 13); a parent may ask on their behalf.
    YOUNG_PERSON = "self", "The young person themselves"
    PARENT = "parent", "A parent or carer"
    REPRESENTATIVE = "representative", "Someone acting for the young person (such as a solicitor)"


class Exemption(models.TextChoices):
    """What allows a part of the file to be withheld (UK GDPR Art. 15; DPA 2018 Sch. 2, Sch. 3)."""

    THIRD_PARTY = (
        "third_party",
        "Third-party data: another person's information (DPA 2018 Sch. 2 Part 3 para. 16)",
    )
    SERIOUS_HARM = (
        "serious_harm",
        "Serious harm: release would be likely to cause serious harm to the physical or mental "
        "health of any person (DPA 2018 Sch. 3 Part 4 para. 19)",
    )
    CHILD_ABUSE = (
        "child_abuse",
        "Child abuse data: asked for by a parent, and release is not in the young person's best "
        "interests (DPA 2018 Sch. 3 Part 5 para. 21)",
    )
    CRIME = (
        "crime",
        "Crime: release would be likely to prejudice the prevention or detection of crime or a "
        "prosecution (DPA 2018 Sch. 2 Part 1 para. 2)",
    )


class SubjectAccessRequest(models.Model):
    """A request for a young person's own safeguarding file, from receipt to release.

    The response is prepared by a DSL, approved by the headteacher (never the preparer), and
    released; what was released (the PDF itself), when and to whom is kept.
    """

    class Status(models.TextChoices):
        PREPARING = "preparing", "Received: the response is being prepared"
        AWAITING_APPROVAL = "awaiting", "Waiting for the headteacher's approval"
        APPROVED = "approved", "Approved: ready to release"
        RELEASED = "released", "Released"

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    pupil = models.ForeignKey(
        "accounts.Pupil", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    requester = models.CharField("who is asking", max_length=200)
    relationship = models.CharField(
        "their relationship to the young person", max_length=20, choices=Relationship.choices
    )
    received_on = models.DateField("when the request was received")
    identity_checked = models.TextField("how their identity, and right to ask, were checked")
    deadline = models.DateField(help_text="One month from receipt (UK GDPR Art. 12(3)).")
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The response as the headteacher approved it, with everything withheld already taken out.
    response = models.JSONField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)
    released_at = models.DateTimeField("when it was released", null=True, blank=True)
    released_to = models.CharField("to whom", max_length=200, blank=True)
    released_how = models.CharField("how it was sent securely", max_length=200, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_pdf = models.BinaryField(null=True, blank=True, editable=False)
    released_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # When the chase (records/sar.py) next reminds the DSLs: empty once released.
    next_chase_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["released_pdf", "next_chase_on"])

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["next_chase_on"], name="sar_chase_next")]

    def __str__(self) -> str:
        return f"Subject access request from {self.requester}"

    @property
    def due_on(self):
        return self.extended_to or self.deadline

    @property
    def overdue(self) -> bool:
        return self.status != self.Status.RELEASED and self.due_on < timezone.localdate()


class Withholding(models.Model):
    """A part of the file withheld from the response (or, once decided, released after all),
    with the exemption that allows it and the reason."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="withholdings"
    )
    # What it covers: "person:<pk>" (another person's name, identifiers and part), or one passage
    # of the file ("account:<incident pk>", "decision:<pk>"...): see records/sar.py.
    key = models.CharField(max_length=40)
    what = models.CharField(max_length=300)
    withheld = models.BooleanField(default=True)
    exemption = models.CharField(max_length=20, choices=Exemption.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "key"], name="one_withholding_per_part")
        ]

    def __str__(self) -> str:
        return f"{'Withheld' if self.withheld else 'Released'}: {self.what}"
