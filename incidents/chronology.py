"""The incident's story in time order, so a DSL can read a case in two minutes.

Each source is one query, whatever the incident holds; nothing here changes the record. The
other apps add their own sources through the hub (referrals, custody, viewings, deletions...).
"""

from dataclasses import dataclass
from datetime import datetime

from . import hub
from .models import Incident, Notification, SignOff


@dataclass(frozen=True)
class Event:
    at: datetime
    who: object
    what: str
    detail: str = ""


def chronology(incident: Incident) -> list[Event]:
    events = [
        Event(
            incident.reported_at,
            incident.reported_by,
            "Concern reported",
            incident.get_disclosure_source_display(),
        )
    ]
    for note in incident.notifications.filter(sent_at__isnull=False).select_related("recipient"):
        if note.kind == Notification.Kind.NEW_CONCERN:
            events.append(Event(note.sent_at, None, f"{note.recipient} notified by email"))
        else:
            events.append(
                Event(
                    note.sent_at, None, f"{note.get_kind_display()}: reminder to {note.recipient}"
                )
            )
    previous_stage = None
    for row in incident.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        # A change of stage, with the reason given for it (review started, referred, closed...).
        if previous_stage is not None and row.stage != previous_stage:
            events.append(
                Event(
                    row.history_date,
                    row.history_user,
                    row.history_change_reason or row.get_stage_display(),
                )
            )
        previous_stage = row.stage
    review = getattr(incident, "review", None)
    if review is not None and review.held_at:
        events.append(
            Event(review.held_at, None, "Initial review meeting held", review.other_attendees)
        )
    for d in incident.decisions.select_related("made_by"):
        events.append(
            Event(d.made_at, d.made_by, f"Decision: {d.get_kind_display().lower()}", d.reason)
        )
        if d.superseded_at:
            events.append(Event(d.superseded_at, None, "Decision superseded", d.superseded_reason))
    for s in SignOff.objects.filter(decision__incident=incident).select_related("signed_by"):
        events.append(
            Event(s.signed_at, s.signed_by, f"{s.get_outcome_display()} ({s.capacity})", s.comment)
        )
        if s.superseded_at:
            events.append(Event(s.superseded_at, None, "Sign-off superseded", s.superseded_reason))
    assessment = (
        getattr(incident, "risk_assessment", None)
        if hasattr(incident, "risk_assessment")
        else None
    )
    if assessment is not None:
        events.append(
            Event(assessment.assessed_at, None, "Risk assessment recorded", assessment.summary)
        )
    for c in incident.conversations.select_related("young_person__pupil", "recorded_by"):
        events.append(
            Event(
                c.held_at,
                c.held_by,
                f"Conversation with {c.young_person.display_name}",
                c.imagery_described,
            )
        )
    for p in incident.parent_contacts.select_related("young_person__pupil"):
        what = "Parents informed" if p.informed else "Decision not to inform parents"
        detail = (
            f"{p.who}, {p.get_how_display().lower()}"
            if p.informed
            else f"{p.reason_not_informed} (agreed with {p.agreed_with})"
        )
        events.append(Event(p.at, p.by, f"{what}: {p.young_person.display_name}", detail))
    for a in incident.actions.select_related("owner"):
        if a.done_at:
            events.append(Event(a.done_at, a.owner, f"Action done: {a.description}", a.outcome))
    events += hub.chronology_events(incident)
    return sorted(events, key=lambda e: e.at)
