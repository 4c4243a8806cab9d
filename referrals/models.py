"""Referrals to other agencies (R14). The incident's decision to refer creates the first one."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Agency(models.TextChoices):
    POLICE_101 = "police_101", "Police (101)"
    SAFER_SCHOOLS_OFFICER = "safer_schools", "Police: safer schools officer"
    PCSO = "pcso", "Police: PCSO"
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    MASH = "mash", "Multi-Agency Safeguarding Hub (MASH)"
    LADO = "lado", "LADO (a member of staff is involved)"
    NCA_CEOP = "ceop", "NCA-CEOP"
    EARLY_HELP = "early_help", "Early Help"
    OTHER = "other", "Other"

    @property
    def is_police(self) -> bool:
        return self in (Agency.POLICE_101, Agency.SAFER_SCHOOLS_OFFICER, Agency.PCSO)


class Referral(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="referrals"
    )
    agency = models.CharField(max_length=20, choices=Agency.choices)
    made_at = models.DateTimeField("when the referral was made", default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"Referral to {self.get_agency_display()}"
