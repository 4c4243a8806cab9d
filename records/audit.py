"""The audit trail of an incident in plain English (R27): who, when, what changed, and why.

One query per kind of record, whatever the length of the history: every version is loaded once
and compared with the one before it in memory.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import User
from incidents.models import (
    Action,
    Conversation,
    Decision,
    Incident,
    InitialReview,
    InvolvedPerson,
    ParentContact,
    RiskAssessment,
    SignOff,
)
from referrals.models import CustodyEvent, Device, FollowUp, Referral

from .models import DeletionRequest, SearchRecord, ViewingRecord

# Each model whose history belongs to an incident, and the path from it to the incident.
SOURCES = [
    (Incident, "id"),
    (InvolvedPerson, "incident_id"),
    (InitialReview, "incident_id"),
    (Decision, "incident_id"),
    (SignOff, "decision__incident_id"),
    (Referral, "incident_id"),
    (FollowUp, "incident_id"),
    (Device, "incident_id"),
    (CustodyEvent, "device__incident_id"),
    (RiskAssessment, "incident_id"),
    (Conversation, "incident_id"),
    (ParentContact, "incident_id"),
    (Action, "incident_id"),
    (ViewingRecord, "incident_id"),
    (DeletionRequest, "incident_id"),
    (SearchRecord, "incident_id"),
]
HIDDEN = {
    "id",
    "incident",
    "facts",
    "history_id",
    "history_date",
    "history_user",
    "history_change_reason",
    "history_type",
}


@dataclass
class Entry:
    when: datetime
    who: object
    what: str
    reason: str
    changes: list[tuple[str, str, str]]


def _display(field, value, users: dict[int, User]) -> str:
    if value in (None, "", [], {}):
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model is User:
        return str(users.get(value, f"user {value}"))
    if field.is_relation:
        return f"record {value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d %b %Y %H:%M}"
    return str(value)


def audit_trail(incident: Incident) -> list[Entry]:
    users = {
        u.pk: u for u in User.objects.filter(memberships__school=incident.school_id).distinct()
    }
    entries = []
    for model, path in SOURCES:
        rows = model.history.filter(**{path: incident.pk})
        rows = rows.select_related("history_user").order_by("id", "history_date", "history_id")
        name = model._meta.verbose_name
        fields = {f.attname: f for f in model._meta.concrete_fields if f.name not in HIDDEN}
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            if before is None:
                what = f"Recorded the {name}"
                changes = []
            else:
                delta = row.diff_against(before)
                changes = []
                for change in delta.changes:
                    field = fields.get(change.field) or fields.get(f"{change.field}_id")
                    if field is None:
                        continue
                    changes.append(
                        (
                            str(field.verbose_name),
                            _display(field, change.old, users),
                            _display(field, change.new, users),
                        )
                    )
                what = f"Changed the {name}"
            previous[row.id] = row
            if before is not None and not changes:
                continue
            entries.append(
                Entry(
                    row.history_date,
                    row.history_user,
                    what,
                    row.history_change_reason or "",
                    changes,
                )
            )
    return sorted(entries, key=lambda e: e.when)
