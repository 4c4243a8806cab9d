"""The checks every change to an incident makes first, for every app's services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.permissions import has_school_perm

from .. import stages
from ..chronology import chronology
from ..models import Incident, Stage
from .urgency import check_after_commit


def require_perm(user, perm: str, incident: Incident) -> None:
    if not has_school_perm(user, perm, incident.school):
        raise PermissionDenied("Your role at this school cannot do this.")


def require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError("Say why you are making this change: it is kept in the record.")
    return reason.strip()


def lock(incident: Incident, user, *rows) -> None:
    """Serialise every change to one incident, whichever app makes it.

    Takes the incident's row lock (held to the end of the caller's transaction), re-reads the
    incident and `rows` (a decision, a deletion, an action...) under it, so that of two people
    acting at the same instant the second sees what the first did and is refused in the
    ordinary way, and bumps the version that stale pages are checked against.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An incident is changed only inside a transaction.")
    # The UPDATE takes the row lock; a second caller waits here until the first commits.
    Incident.objects.filter(pk=incident.pk).update(
        version=F("version") + 1, changed_at=timezone.now(), changed_by=user
    )
    incident.refresh_from_db()
    for row in rows:
        row.refresh_from_db()
    # R37: whatever changed may make a referral required, or be the referral.
    check_after_commit(incident.pk)


def require_open(user, incident: Incident, *rows, perm: str = "change_incidents") -> None:
    """The one check before changing an incident's record, for every app's services: the
    user's role, then the lock, then (under it) that the incident is not closed."""
    require_perm(user, perm, incident)
    lock(incident, user, *rows)
    require_editable(incident)


def require_editable(incident: Incident) -> None:
    if incident.stage == Stage.CLOSED:
        raise ValidationError("This incident is closed. Reopen it to change the record.")


def start_review(incident: Incident, user) -> None:
    require_perm(user, "change_incidents", incident)
    if incident.stage == Stage.REPORTED:
        stages.move(incident, Stage.UNDER_REVIEW, user, "Initial review started")


def refuse_if_stale(incident: Incident, version, opened_at) -> None:
    """Refuse a save from a page opened before someone else changed the incident.

    Takes the row lock first, so nothing can change between this check and the save that
    follows in the same transaction. `version` and `opened_at` come from the page's form (see
    `{% form_guard %}`); without them (a test, a script) there is nothing to compare.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        return
    current = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("changed_by")
        .get(pk=incident.pk)
    )
    if current.version <= version:
        return
    since = parse_datetime(opened_at or "") or current.changed_at
    changes = [
        f"{e.what} ({timezone.localtime(e.at):%H:%M})"
        for e in chronology(current)
        if since is not None and e.at >= since
    ]
    who = current.changed_by or "someone"
    incident.refresh_from_db()  # the page shown again is the record as it now stands
    when = timezone.localtime(current.changed_at) if current.changed_at else None
    raise ValidationError(
        f"This incident was changed by {who}"
        + (f" at {when:%H:%M on %d %B %Y}" if when else "")
        + " since you opened this page"
        + (": " + "; ".join(changes) if changes else "")
        + ". Nothing you typed has been saved yet: it is below. Check the record, then save again.",
        code="stale",
    )
