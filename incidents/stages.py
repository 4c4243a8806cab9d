"""The incident's stages and the only moves between them, in one table.

Guards (may this incident be managed in school? is a referral required?) live in the service
that asks for the move; this module only refuses a move the procedure never makes.
"""

from django.core.exceptions import ValidationError

from .models import Incident, Stage

TRANSITIONS: dict[str, frozenset[str]] = {
    # A report from the police arrives with its referral, already decided (issue 13 item 2).
    Stage.REPORTED: frozenset({Stage.UNDER_REVIEW, Stage.REFERRED}),
    # Out of scope ("not YPSI") closes from review; otherwise the decision moves it on.
    Stage.UNDER_REVIEW: frozenset({Stage.REFERRED, Stage.MANAGED_IN_SCHOOL, Stage.CLOSED}),
    # Escalation at any time (R11); a sign-off sent back or facts that now need a referral
    # return it to review.
    Stage.MANAGED_IN_SCHOOL: frozenset({Stage.REFERRED, Stage.UNDER_REVIEW, Stage.CLOSED}),
    Stage.REFERRED: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset({Stage.UNDER_REVIEW}),
}


def move(incident: Incident, to: str, user, reason: str) -> None:
    """Move the incident to stage `to`, recording who and why in its history."""
    if incident.stage == to:
        return
    if to not in TRANSITIONS[incident.stage]:
        raise ValidationError(
            f"An incident cannot go from '{Stage(incident.stage).label}' to '{Stage(to).label}'."
        )
    incident.stage = to
    incident._change_reason = reason
    incident._history_user = user
    incident.save()
