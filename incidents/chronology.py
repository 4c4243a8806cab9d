"""The incident's story in time order, so a DSL can read a case in two minutes.

Each source is one query, whatever the incident holds; nothing here changes the record. The
other apps add their own sources through the hub (referrals, custody, viewings, deletions...).
"""

from dataclasses import dataclass
from datetime import datetime

from . import hub
from .models import Action, Incident, InitialReview, Notification, SignOff, Stage
from .rules import ADULT_QUESTION, UNVERIFIED_KINDS, Answer, Criterion


@dataclass(frozen=True)
class Event:
    at: datetime
    who: object
    what: str
    detail: str = ""


# The stage moves that are events of their own; every other move is made by a decision or a
# sign-off, which is listed once, as itself.
OWN_MOVES = {
    (Stage.REPORTED, Stage.UNDER_REVIEW),
    (Stage.UNDER_REVIEW, Stage.CLOSED),
    (Stage.MANAGED_IN_SCHOOL, Stage.CLOSED),
    (Stage.REFERRED, Stage.CLOSED),
    (Stage.CLOSED, Stage.UNDER_REVIEW),
}


def chronology(incident: Incident) -> list[Event]:
    """Everything recorded, each once, in the order it happened."""
    hub.take_stock(incident)
    events = [
        Event(
            incident.disclosed_at,
            None,
            "Concern disclosed",
            f"{incident.get_disclosure_source_display()}; received by {incident.received_by}",
        ),
        Event(
            incident.reported_at,
            incident.reported_by,
            "Concern reported",
            incident.get_disclosure_source_display(),
        ),
    ]
    sent = incident.notifications.filter(sent_at__isnull=False).select_related("recipient")
    for note in hub.recorded(incident, "notifications", sent):
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
        # A change of stage, with the reason given for it (review started, closed, reopened).
        if previous_stage is not None and (previous_stage, row.stage) in OWN_MOVES:
            events.append(
                Event(
                    row.history_date,
                    row.history_user,
                    row.history_change_reason or row.get_stage_display(),
                )
            )
        previous_stage = row.stage
    review = InitialReview.objects.filter(incident=incident).prefetch_related("attendees").first()
    if review is not None and review.held_at:
        events.append(
            Event(review.held_at, None, "Initial review meeting held", meeting_attendees(review))
        )
    events += adult_question_answers(incident, review)
    # A sign-off is of a decision: none without one.
    sign_offs = list(
        SignOff.objects.filter(decision__incident=incident).select_related("signed_by")
        if hub.holds(incident, "decisions")
        else ()
    )
    sent_back = {s.decision_id for s in sign_offs if s.outcome == SignOff.Outcome.SENT_BACK}
    earlier = None
    for d in hub.recorded(incident, "decisions", incident.decisions.select_related("made_by")):
        escalated = earlier is not None and (earlier.superseded_reason or "").startswith(
            "Escalated"
        )
        what = (
            "Escalated to a referral" if escalated else f"Decision: {d.get_kind_display().lower()}"
        )
        events.append(Event(d.made_at, d.made_by, what, d.reason))
        # A decision sent back or escalated is told by the sign-off or the next decision.
        if (
            d.superseded_at
            and d.pk not in sent_back
            and not d.superseded_reason.startswith("Escalated")
        ):
            events.append(Event(d.superseded_at, None, "Decision superseded", d.superseded_reason))
        earlier = d
    for s in sign_offs:
        events.append(
            Event(s.signed_at, s.signed_by, f"{s.get_outcome_display()} ({s.capacity})", s.comment)
        )
        if s.superseded_at:
            events.append(Event(s.superseded_at, None, "Sign-off superseded", s.superseded_reason))
    for assessment in hub.recorded(
        incident,
        "risk_assessments",
        incident.risk_assessments.select_related("young_person__pupil"),
    ):
        who = f": {assessment.young_person.display_name}" if assessment.young_person_id else ""
        events.append(
            Event(
                assessment.assessed_at, None, f"Risk assessment recorded{who}", assessment.summary
            )
        )
    for c in hub.recorded(
        incident,
        "conversations",
        incident.conversations.select_related("young_person__pupil", "recorded_by"),
    ):
        events.append(
            Event(
                c.held_at,
                c.held_by,
                f"Conversation with {c.young_person.display_name}",
                c.imagery_described,
            )
        )
    for p in hub.recorded(
        incident, "parent_contacts", incident.parent_contacts.select_related("young_person__pupil")
    ):
        what = {"informed": "Parents informed", "update": "Parents updated"}.get(
            p.kind, "Decision not to inform parents"
        )
        detail = (
            f"{p.who}, {p.get_how_display().lower()}" + (f": {p.note}" if p.note else "")
            if p.informed
            else f"{p.reason_not_informed} (agreed with {p.get_agreed_by_display() or p.agreed_with}"
            + (f": {p.agreed_with})" if p.agreed_by else ")")
        )
        events.append(Event(p.at, p.by, f"{what}: {p.young_person.display_name}", detail))
    for added in Action.history.filter(incident_id=incident.pk, history_type="+").select_related(
        "history_user", "owner"
    ):
        events.append(
            Event(
                added.history_date,
                added.history_user,
                f"Action added: {added.description}",
                f"{added.get_kind_display()}; {added.owner}, due {added.due:%-d %b %Y}",
            )
        )
    for a in hub.recorded(incident, "actions", incident.actions.select_related("owner")):
        if a.done_at:
            events.append(Event(a.done_at, a.owner, f"Action done: {a.description}", a.outcome))
    events += hub.chronology_events(incident)
    return sorted(events, key=lambda e: e.at)


def meeting_attendees(review: InitialReview) -> str:
    """Who attended the initial review meeting: the users recorded, then anyone else named."""
    names = [user.get_full_name() or user.username for user in review.attendees.all()]
    if review.other_attendees:
        names.append(review.other_attendees)
    return "Attended by " + "; ".join(names) if names else ""


def adult_question_answers(incident: Incident, review: InitialReview | None) -> list[Event]:
    """R36: with an online contact whose age is not verified, or an AI application, criterion 1
    is a question the DSL answers with a reason: each answer given, when and by whom. (Only a
    review with a reason for criterion 1 can hold one, so no other case asks the database.)"""
    adult = (review.criteria.get(Criterion.ADULT) or {}) if review is not None else {}
    if not adult.get("note") or not incident.people.filter(kind__in=UNVERIFIED_KINDS).exists():
        return []
    events, previous = [], None
    for row in (
        InitialReview.history.filter(incident_id=incident.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        entry = (row.criteria or {}).get(Criterion.ADULT) or {}
        answer, note = entry.get("answer", Answer.NOT_KNOWN), entry.get("note", "").strip()
        if (answer, note) != previous and answer != Answer.NOT_KNOWN and note:
            what = f"Criterion 1, {ADULT_QUESTION.lower()} Answered {Answer(answer).label.lower()}"
            events.append(Event(row.history_date, row.history_user, what, note))
        previous = (answer, note)
    return events
