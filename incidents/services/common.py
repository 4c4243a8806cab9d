"""The checks every change to an incident makes first, for every app's services."""

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.permissions import has_school_perm

from .. import stages
from ..models import Incident, Stage


def require_perm(user, perm: str, incident: Incident) -> None:
    if not has_school_perm(user, perm, incident.school):
        raise PermissionDenied("Your role at this school cannot do this.")


def require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError("Say why you are making this change: it is kept in the record.")
    return reason.strip()


def require_open(user, incident: Incident, perm: str = "change_incidents") -> None:
    """The one check before changing an incident's record, for every app's services."""
    require_perm(user, perm, incident)
    require_editable(incident)


def require_editable(incident: Incident) -> None:
    if incident.stage == Stage.CLOSED:
        raise ValidationError("This incident is closed. Reopen it to change the record.")


def start_review(incident: Incident, user) -> None:
    require_perm(user, "change_incidents", incident)
    if incident.stage == Stage.REPORTED:
        stages.move(incident, Stage.UNDER_REVIEW, user, "Initial review started")
