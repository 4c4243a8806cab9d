"""The initial review: scope, imagery facts, typology, the meeting and the criteria (R3, R5-R7)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ypsi.recording import save

from .. import rules, stages
from ..models import Incident, InitialReview, InvolvedPerson, Stage
from .assessment import get_review
from .common import require_open, require_reason, start_review
from .decision import facts_changed
from .intake import Person, check_person, person_row


@transaction.atomic
def record_facts(incident: Incident, user, reason: str, **fields) -> None:
    """Scope, imagery facts, typology and risk: fields of the incident the DSL records."""
    allowed = {
        "incident_type",
        "imagery_media",
        "imagery_origin",
        "sexual_acts",
        "sextortion",
        "typology",
        "risk_level",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not a recorded fact: {', '.join(sorted(unknown))}")
    require_open(user, incident)
    start_review(incident, user)
    first = not any(getattr(incident, f) for f in ("incident_type", "typology"))
    reason = "Initial review recorded" if first and not reason else require_reason(reason)
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.full_clean(exclude=["reference"])
    save(incident, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def close_out_of_scope(incident: Incident, user, incident_type: str, reason: str) -> None:
    """Not YPSI (R3): closed with its reason, and kept on record (R25)."""
    require_open(user, incident)
    if incident_type not in rules.OUT_OF_SCOPE_TYPES:
        raise ValidationError(
            "Only adult pornography or messages without imagery are out of scope."
        )
    reason = require_reason(reason)
    start_review(incident, user)
    incident.incident_type = incident_type
    incident.closure_reason = f"Not YPSI: {reason}"
    stages.move(incident, Stage.CLOSED, user, f"Closed as not YPSI: {reason}")


@transaction.atomic
def record_meeting(
    incident: Incident,
    user,
    *,
    held_at,
    attendees,
    other_attendees: str,
    considerations: dict[str, str],
    reason: str = "",
) -> InitialReview:
    require_open(user, incident)
    if held_at and held_at > timezone.now():
        raise ValidationError("The meeting cannot be in the future.")
    unknown = set(considerations) - set(rules.Consideration.values)
    if unknown:
        raise ValueError(f"Unknown consideration: {', '.join(sorted(unknown))}")
    start_review(incident, user)
    review = get_review(incident)
    reason = (
        "Initial review meeting recorded" if review.held_at is None else require_reason(reason)
    )
    review.held_at = held_at
    review.other_attendees = other_attendees
    review.considerations = {k: v for k, v in considerations.items() if v.strip()}
    save(review, user, reason)
    review.attendees.set(attendees)
    return review


@transaction.atomic
def record_criteria(
    incident: Incident,
    user,
    *,
    criteria: dict[str, tuple[str, str]],
    aggravating_factors: list[str],
    reason: str = "",
) -> InitialReview:
    """The DSL's judgement on each criterion, with a note (R6), and the aggravating factors."""
    require_open(user, incident)
    for criterion, (answer, _note) in criteria.items():
        if criterion not in rules.Criterion.values or answer not in rules.Answer.values:
            raise ValueError(f"Bad criterion answer: {criterion}={answer}")
    if set(aggravating_factors) - set(rules.AggravatingFactor.values):
        raise ValueError("Unknown aggravating factor")
    start_review(incident, user)
    review = get_review(incident)
    reason = (
        "Criteria recorded" if review.pk is None or not review.criteria else require_reason(reason)
    )
    review.criteria = {c: {"answer": a, "note": n.strip()} for c, (a, n) in criteria.items()}
    review.aggravating_factors = sorted(set(aggravating_factors))
    save(review, user, reason)
    facts_changed(incident, user, reason)
    return review


@transaction.atomic
def correct_person(person: InvolvedPerson, user, reason: str, **fields) -> None:
    """Correct what is known of a person: the only way to change a derived criterion (R7)."""
    incident = person.incident
    require_open(user, incident, person)
    reason = require_reason(reason)
    for name, value in fields.items():
        setattr(person, name, value)
    check_person(incident.school, _as_person(person))
    save(person, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def add_person(incident: Incident, user, person: Person, reason: str) -> InvolvedPerson:
    require_open(user, incident)
    reason = require_reason(reason)
    check_person(incident.school, person)
    row = person_row(incident, person)
    save(row, user, reason)
    facts_changed(incident, user, reason)
    return row


def _as_person(p: InvolvedPerson) -> Person:
    return Person(roles=list(p.roles), pupil=p.pupil, name=p.name)
