"""A referral required and not made (R37): "referred to the police as a matter of urgency".

The DSL and deputies are told at once, in the app and by email (which names only the school and
the reference), and again every REFERRAL_URGENT_EVERY_HOURS until a referral is on record. "At
once" is the commit of the change that made it required: `lock` asks for a check then. The
sweep re-checks what is flagged (a reminder is due, or the referral was made) and what changed
in the last day, in case that check did not run. Each alert's key names the incident, when the
referral became required and the interval, so a second check or a second worker cannot send
one twice.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role

from .. import hub, rules
from ..models import Incident, Notification, Stage
from .assessment import assess
from .notifications import tell

log = logging.getLogger(__name__)

# The sweep's second look at what changed lately, should the check after its commit have failed.
RECHECK = datetime.timedelta(days=1)


def referral_due(incident: Incident) -> list[str]:
    """Why a referral must be made now: a criterion holds (an adult involved is criterion 1),
    the imagery was made or shared by an adult (the scope rule), or the local procedure says so.
    A criterion not yet answered is the review's to ask, not a reason to alert."""
    if incident.incident_type in rules.OUT_OF_SCOPE_TYPES:
        return []
    assessment = assess(incident)
    reasons = []
    if incident.incident_type == rules.IncidentType.ADULT_PRODUCED:
        reasons.append("imagery of under-18s made or shared by an adult: inform the police")
    return reasons + assessment.referral_reasons + assessment.local_rule_reasons


def check_after_commit(incident_id: int) -> None:
    """Check once the change being made is committed, so the check sees all of it."""
    transaction.on_commit(lambda: check(incident_id), robust=True)


def on_report(sender, incident: Incident, **kwargs) -> None:
    """A report can already name an adult: checked as soon as it is recorded."""
    check_after_commit(incident.pk)


def check(incident_id: int, now: datetime.datetime | None = None) -> int:
    """Flag or clear the incident, and alert when an alert is due; returns how many were written."""
    now = now or timezone.now()
    incident = (
        Incident.objects.select_related("school", "review")
        .prefetch_related("people__pupil")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        return 0
    required = (
        incident.stage != Stage.CLOSED
        and not hub.referred(incident)
        and bool(referral_due(incident))
    )
    flagged = Incident.objects.filter(pk=incident.pk)
    if not required:
        flagged.filter(referral_required_since__isnull=False).update(referral_required_since=None)
        return 0
    if incident.referral_required_since is None:
        # Conditional, so that of two checks at once the first one's time is kept.
        flagged.filter(referral_required_since__isnull=True).update(referral_required_since=now)
        incident.refresh_from_db(fields=["referral_required_since"])
    return alert(incident, now)


def interval(since: datetime.datetime, now: datetime.datetime) -> int:
    """Which interval of REFERRAL_URGENT_EVERY_HOURS since it became required: 0 at once."""
    every = datetime.timedelta(hours=settings.REFERRAL_URGENT_EVERY_HOURS)
    return max(int((now - since) / every), 0)


def alert(incident: Incident, now: datetime.datetime) -> int:
    since = incident.referral_required_since
    team = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__school=incident.school,
            memberships__role__in=[Role.DSL, Role.DEPUTY_DSL],
        )
        .distinct()
    )
    key = f"{Notification.Kind.REFERRAL_REQUIRED}:{incident.pk}:{since.timestamp():.0f}:{interval(since, now)}"
    tell(Notification.Kind.REFERRAL_REQUIRED, incident, team, key)
    return len(team)


def sweep(now: datetime.datetime | None = None) -> int:
    """Periodic: the reminders due, and what a failed check after a commit missed."""
    now = now or timezone.now()
    lately = now - RECHECK
    # Referred cases are referred, and closed ones need nothing.
    recent = (Q(changed_at__gte=lately) | Q(reported_at__gte=lately)) & ~Q(
        stage__in=[Stage.REFERRED, Stage.CLOSED]
    )
    candidates = (
        Incident.objects.filter(Q(referral_required_since__isnull=False) | recent)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    for incident_id in candidates:
        try:
            written += check(incident_id, now)
        except Exception:
            log.exception("Could not check incident %s for a required referral", incident_id)
    return written


def since_note(incident: Incident, now: datetime.datetime) -> str:
    """What the dashboard says of a flagged case."""
    since = incident.referral_required_since
    hours = int((now - since).total_seconds() // 3600)
    waited = f"{hours} hour{'s' if hours != 1 else ''}" if hours else "less than an hour"
    return (
        f"Referral required and not made: required since "
        f"{timezone.localtime(since):%H:%M on %-d %b %Y} ({waited})"
    )
