"""The audit trail of an incident in plain English (R27): who, when, what changed, and why.

One query per kind of record (and one per many-to-many field, such as who attended the initial
review meeting), whatever the length of the history: every version is loaded once and compared
with the one before it in memory. The first version lists what was recorded, so that nothing
recorded (the meeting's attendees and considerations among it) is missing from the trail.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from simple_history.utils import get_m2m_reverse_field_name

from accounts.models import User
from incidents import hub, rules
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


# The keys of the review's JSON fields, in the guidance's words.
LABELS = dict(
    rules.Consideration.choices
    + rules.Criterion.choices
    + rules.AggravatingFactor.choices
    + rules.Answer.choices
    + rules.PersonRole.choices
    + rules.ImageryMedium.choices
)


def _display_json(value) -> str:
    if isinstance(value, dict):
        if set(value) <= {"answer", "note"}:
            answer = LABELS.get(value.get("answer", ""), value.get("answer", ""))
            note = value.get("note", "")
            return f"{answer}: {note}" if note else str(answer)
        return "; ".join(f"{LABELS.get(k, k)}: {_display_json(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_display_json(v) for v in value)
    return str(LABELS.get(value, value)) if isinstance(value, str) else str(value)


def _display(field, value, users: dict[int, User]) -> str:
    if value in (None, "", [], {}):
        return "(blank)"
    if field is None:  # a many-to-many of users: who attended
        return "; ".join(str(users.get(pk, f"user {pk}")) for pk in value)
    if isinstance(value, (dict, list)):
        return _display_json(value)
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


def _members(model, rows) -> dict[str, dict[int, list[int]]]:
    """For each many-to-many field kept in `model`'s history: the members of each version."""
    found = {}
    history = model.history.model
    for field in getattr(history, "_history_m2m_fields", []):
        through = getattr(history, field.name).model
        target = get_m2m_reverse_field_name(field)
        by_version: dict[int, list[int]] = {}
        for version, member in (
            through.objects.filter(history__in=rows.values("history_id"))
            .order_by(f"{target}_id")
            .values_list("history_id", f"{target}_id")
        ):
            by_version.setdefault(version, []).append(member)
        found[field.name] = by_version
    return found


def _with_history(incident: Incident) -> list[tuple[type, str]]:
    """The sources with any history for `incident`, found in one query: a new case has the
    history of a few of the 16 (issue 14: the history page and the PDF read each, 1.5-2.5 ms a
    query). One reached through another (a sign-off through its decision) has history only if
    that other has: history is never deleted."""
    direct = [(model, path) for model, path in SOURCES if path == "incident_id"]
    found = hub.rows_exist(incident.pk, [(model.history.model, path) for model, path in direct])
    held = {model for (model, _), any_row in zip(direct, found, strict=True) if any_row}
    held.add(Incident)
    return [
        (model, path)
        for model, path in SOURCES
        if model in held
        or ("__" in path and model._meta.get_field(path.split("__")[0]).related_model in held)
    ]


def audit_trail(incident: Incident) -> list[Entry]:
    users = {
        u.pk: u for u in User.objects.filter(memberships__school=incident.school_id).distinct()
    }
    entries = []
    for model, path in _with_history(incident):
        rows = model.history.filter(**{path: incident.pk})
        members = _members(model, rows)
        rows = rows.select_related("history_user").order_by("id", "history_date", "history_id")
        name = model._meta.verbose_name
        fields = {f.attname: f for f in model._meta.concrete_fields if f.name not in HIDDEN}
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            if before is None:
                what = f"Recorded the {name}"
                changes = [
                    (str(field.verbose_name), "", _display(field, value, users))
                    for attname, field in fields.items()
                    if (value := getattr(row, attname, None)) not in (None, "", [], {})
                    and not (field.has_default() and value == field.get_default())
                    # What it belongs to (the school, the incident) is not news.
                    and not (field.is_relation and field.related_model is not User)
                ]
            else:
                delta = row.diff_against(before, excluded_fields=list(members))
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
            for label, by_version in members.items():
                old = by_version.get(before.history_id, []) if before is not None else []
                new = by_version.get(row.history_id, [])
                if old != new:
                    changes.append((label, _display(None, old, users), _display(None, new, users)))
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
