"""Managing in school: risk assessment, conversations, parents and carers, actions (R17-R20)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ypsi.recording import not_future, require_filled, save

from .. import rules
from ..models import (
    Action,
    Conversation,
    Incident,
    InvolvedPerson,
    ParentContact,
    RiskAssessment,
)
from .common import require_open, require_reason


def _young_person(incident: Incident, person: InvolvedPerson) -> InvolvedPerson:
    if person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    return person


@transaction.atomic
def record_risk_assessment(
    incident: Incident, user, *, answers: dict[str, str], summary: str, reason: str = ""
) -> RiskAssessment:
    """The further review after a decision not to refer (R17)."""
    require_open(user, incident)
    if set(answers) - set(rules.RiskQuestion.values):
        raise ValueError("Unknown risk question")
    if not summary.strip():
        raise ValidationError("Give the overall assessment.")
    try:
        assessment = incident.risk_assessment
        reason = require_reason(reason)
    except RiskAssessment.DoesNotExist:
        assessment = RiskAssessment(incident=incident)
        reason = "Risk assessment recorded"
    assessment.answers = {k: v.strip() for k, v in answers.items() if v.strip()}
    assessment.summary = summary.strip()
    assessment.assessed_at = timezone.now()
    save(assessment, user, reason)
    return assessment


@transaction.atomic
def record_conversation(
    incident: Incident,
    user,
    *,
    young_person: InvolvedPerson,
    held_at,
    held_by: str,
    imagery_described: str,
    seen_or_shared_by: str,
    preventing_sharing: str,
    preferred_adult: bool = False,
    note: str = "",
) -> Conversation:
    """R18: identify, without looking, what the image contains; who has seen or shared it."""
    require_open(user, incident)
    _young_person(incident, young_person)
    not_future(held_at, "The conversation")
    require_filled(
        (held_by, "who held the conversation"),
        (imagery_described, "what the imagery contains, as described"),
        (seen_or_shared_by, "who has seen or shared it"),
        (preventing_sharing, "how further sharing will be prevented"),
    )
    conversation = Conversation(
        incident=incident,
        young_person=young_person,
        held_at=held_at,
        held_by=held_by.strip(),
        preferred_adult=preferred_adult,
        imagery_described=imagery_described.strip(),
        seen_or_shared_by=seen_or_shared_by.strip(),
        preventing_sharing=preventing_sharing.strip(),
        note=note.strip(),
        recorded_by=user,
    )
    save(conversation, user, "Conversation recorded")
    return conversation


@transaction.atomic
def record_parent_contact(
    incident: Incident,
    user,
    *,
    young_person: InvolvedPerson,
    informed: bool,
    at,
    by: str,
    who: str = "",
    how: str = "",
    reason_not_informed: str = "",
    agreed_with: str = "",
) -> ParentContact:
    """R19: informed (who, when, by whom, how), or not, with the reason and who agreed it."""
    require_open(user, incident)
    _young_person(incident, young_person)
    if at > timezone.now():
        raise ValidationError("This cannot be in the future.")
    if not by.strip():
        raise ValidationError("Record who informed the parents, or who made the decision.")
    if informed and not (who.strip() and how):
        raise ValidationError("Record who was told and how.")
    if not informed and not (reason_not_informed.strip() and agreed_with.strip()):
        raise ValidationError(
            "A decision not to inform parents needs its reason, and who it was agreed with "
            "(normally children's social care or the police)."
        )
    contact = ParentContact(
        incident=incident,
        young_person=young_person,
        informed=informed,
        at=at,
        by=by.strip(),
        who=who.strip(),
        how=how if informed else "",
        reason_not_informed="" if informed else reason_not_informed.strip(),
        agreed_with="" if informed else agreed_with.strip(),
        recorded_by=user,
    )
    save(contact, user, "Parents informed" if informed else "Decision not to inform parents")
    return contact


@transaction.atomic
def add_action(incident: Incident, user, *, kind: str, description: str, owner, due) -> Action:
    """R20: every action has an owner at the school and a due date."""
    require_open(user, incident)
    if kind not in rules.ActionKind.values:
        raise ValidationError("Choose the kind of action.")
    if not description.strip():
        raise ValidationError("Describe the action.")
    if not owner.memberships.filter(school=incident.school).exists():
        raise ValidationError("The owner must work at this school.")
    action = Action(
        incident=incident, kind=kind, description=description.strip(), owner=owner, due=due
    )
    save(action, user, "Action added")
    return action


@transaction.atomic
def complete_action(action: Action, user, *, outcome: str, done_at=None) -> None:
    require_open(user, action.incident, action)
    if action.done_at is not None:
        raise ValidationError("This action is already done.")
    if not outcome.strip():
        raise ValidationError("Record the outcome (for a report: what the service did).")
    action.done_at = done_at or timezone.now()
    if action.done_at > timezone.now():
        raise ValidationError("An action cannot be done in the future.")
    action.outcome = outcome.strip()
    save(action, user, "Action done")
