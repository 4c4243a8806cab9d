"""Closing and reopening: what must be recorded first, from every app (R25)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import hub, rules, stages
from ..models import Decision, Incident, Stage
from .assessment import assess
from .common import lock, require_open, require_perm, require_reason
from .decision import current_decision
from .managing import safety_plan_check


def referral_required(incident: Incident) -> bool:
    """The facts recorded mean the incident may not be managed in school (R8, R13)."""
    return (
        bool(assess(incident).refusal(incident))
        and incident.incident_type not in rules.OUT_OF_SCOPE_TYPES
    )


def closing_blockers(incident: Incident) -> list[str]:
    """What must be recorded before the incident can be closed, here and in every app that
    registers a closing check (a required referral, a deletion not confirmed); empty when it can."""
    blockers = []
    decision = current_decision(incident)
    if decision is None:
        blockers.append("No decision is recorded: refer, or decide to manage in school.")
    blockers += hub.closing_blockers(incident)
    blockers += safety_plan_check(incident)
    if (
        decision is not None
        and decision.kind == Decision.Kind.MANAGE_IN_SCHOOL
        and decision.current_sign_off is None
    ):
        blockers.append("The decision to manage in school is not signed off by the headteacher.")
    recorded = {c.young_person_id for c in incident.parent_contacts.all()}
    pupils = [p for p in incident.people.all() if p.pupil_id]
    for person in pupils:
        if person.pk not in recorded:
            blockers.append(
                f"Parents or carers of {person.display_name}: record that they were informed, or "
                "the decision not to inform them with its reason."
            )
    if not pupils and not recorded:
        blockers.append("Record whether parents or carers were informed, or why not.")
    for action in incident.actions.filter(done_at__isnull=True).select_related("owner"):
        blockers.append(
            f"Open action: {action.description} ({action.owner}, due {action.due:%d %b %Y})."
        )
    return blockers


@transaction.atomic
def close_incident(incident: Incident, user, *, summary: str) -> None:
    require_open(user, incident)
    if not summary.strip():
        raise ValidationError("Write the outcome summary.")
    blockers = closing_blockers(incident)
    if blockers:
        raise ValidationError(["The incident cannot be closed yet:", *blockers])
    incident.closure_reason = summary.strip()
    incident.closed_at = timezone.now()
    incident.closed_by = user
    stages.move(incident, Stage.CLOSED, user, f"Closed: {summary.strip()}")


@transaction.atomic
def reopen_incident(incident: Incident, user, *, reason: str) -> None:
    require_perm(user, "change_incidents", incident)
    lock(incident, user)
    if incident.stage != Stage.CLOSED:
        raise ValidationError("Only a closed incident can be reopened.")
    hub.refuse_if_sealed(incident)
    reason = require_reason(reason)
    incident.closed_at = None
    incident.closed_by = None
    stages.move(incident, Stage.UNDER_REVIEW, user, f"Reopened: {reason}")
