"""What an agency has not sent back (R38): chased, and shown with how long it has been waited for.

Children's social care acknowledges a referral and decides within one working day; the police
within what is agreed locally (`services.expected`). Past either date, the school's DSL and
deputies are reminded every CHASE_INTERVAL_DAYS until it is recorded, one row per referral,
recipient and interval (the key), so a second sweep cannot remind twice. The dashboard shows
every case waiting on an agency with how long, and those past the date as overdue.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Membership, Role
from incidents import hub
from incidents.models import Notification, Stage
from incidents.services import enqueue_notifications

from .models import Referral, ReferralOutcome


def _interval(due: datetime.date, today: datetime.date) -> int | None:
    """Which interval past `due` today is in; None until the day after it."""
    days_over = (today - due).days
    if days_over <= 0:
        return None
    return (days_over - 1) // settings.CHASE_INTERVAL_DAYS


def _waiting(queryset):
    """Referrals of open incidents still waiting for the agency's acknowledgement or decision."""
    decided = ReferralOutcome.objects.filter(referral=OuterRef("pk"))
    return (
        queryset.exclude(incident__stage=Stage.CLOSED)
        .annotate(decided=Exists(decided))
        .filter(
            Q(acknowledgement_due__isnull=False, acknowledged_at__isnull=True) | Q(decided=False)
        )
    )


def what_is_missing(referral: Referral) -> list[tuple[str, datetime.date | None]]:
    """(what, expected by or None) for each thing not yet come; `decided` is from `_waiting`.
    Early Help, or a referral from before the dates were kept, expects nothing by a date."""
    missing = []
    if referral.acknowledgement_due and referral.acknowledged_at is None:
        missing.append(("acknowledgement", referral.acknowledgement_due))
    if not referral.decided:
        missing.append(("decision", referral.decision_due))
    return missing


@transaction.atomic
def chase(now: datetime.datetime | None = None) -> int:
    """Write the reminders due now; returns how many rows were offered."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    late = _waiting(Referral.objects.all()).filter(
        Q(acknowledgement_due__lt=today, acknowledged_at__isnull=True)
        | Q(decision_due__lt=today, decided=False)
    )
    referrals = list(late.select_related("incident"))
    team: dict[int, list[int]] = {}
    for school_id, user_id in Membership.objects.filter(
        school_id__in={r.incident.school_id for r in referrals},
        user__is_active=True,
        role__in=[Role.DSL, Role.DEPUTY_DSL],
    ).values_list("school_id", "user_id"):
        team.setdefault(school_id, []).append(user_id)
    kinds = {
        "acknowledgement": Notification.Kind.REFERRAL_NO_ACK,
        "decision": Notification.Kind.REFERRAL_NO_DECISION,
    }
    rows = []
    for referral in referrals:
        for what, due in what_is_missing(referral):
            step = _interval(due, today) if due else None
            if step is None:
                continue
            kind = kinds[what]
            rows += [
                Notification(
                    recipient_id=user_id,
                    incident_id=referral.incident_id,
                    kind=kind,
                    key=f"{kind}:{referral.pk}:{step}:{user_id}",
                    created_at=now,
                )
                for user_id in sorted(set(team.get(referral.incident.school_id, [])))
            ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(enqueue_notifications)
    return len(rows)


def _describe(referral: Referral, what: str, due: datetime.date | None, now) -> str:
    waited = now - referral.made_at
    days, hours = waited.days, waited.seconds // 3600
    how_long = (
        f"{days} day{'s' if days != 1 else ''}"
        if days
        else f"{hours} hour{'s' if hours != 1 else ''}"
    )
    by = f", expected by {due:%-d %b %Y}" if due else ""
    return (
        f"Waiting on {referral.get_agency_display()} for its {what}: referred {how_long} ago{by}"
    )


def overdue(incident_ids) -> list[tuple[int, datetime.datetime, str]]:
    """For the dashboard's overdue group: an acknowledgement or decision expected by a date,
    overdue the day after it."""
    now = timezone.now()
    return [
        (referral.incident_id, hub.overdue_from(due), _describe(referral, what, due, now))
        for referral in _waiting(Referral.objects.filter(incident__in=incident_ids))
        for what, due in what_is_missing(referral)
        if due is not None
    ]


def waiting(incident_ids) -> list[tuple[int, str]]:
    """For "Waiting on an agency": what each referral waits for, and how long it has."""
    now = timezone.now()
    return [
        (referral.incident_id, _describe(referral, what, due, now))
        for referral in _waiting(Referral.objects.filter(incident__in=incident_ids))
        for what, due in what_is_missing(referral)
    ]
