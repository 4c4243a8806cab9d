"""The periodic chase (R24): overdue deletions, decisions awaiting sign-off, open actions.

Deadlines live in the database and each sweep looks at state, so whatever fell due while a
worker or the broker was down is chased on the next sweep. Each reminder is a Notification row
with a unique key (item, recipient, interval): a second sweep, or a second worker, cannot make
another, and the rows are written in one transaction with a constant number of queries.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.calendars import coverage_warnings
from accounts.models import Membership, Role, School
from incidents.hub import evidence_preserved
from incidents.models import Action, Decision, Incident, Notification, Stage
from incidents.services import awaiting_sign_off, enqueue_notifications

from .models import DeletionRequest, Transfer
from .schooldays import recompute


def _steps(days_over: int, after: int, every: int) -> int | None:
    """Which interval we are in, counting from `after` days past the deadline; None before."""
    if days_over <= after:
        return None
    return (days_over - after - 1) // every


@transaction.atomic
def create_reminders(now: datetime.datetime | None = None) -> int:
    """Write the reminders due now; returns how many rows were offered (duplicates are ignored)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    every = settings.CHASE_INTERVAL_DAYS
    head_after = settings.CHASE_HEADTEACHER_AFTER_DAYS
    sign_off_after = settings.CHASE_SIGN_OFF_AFTER_DAYS

    deletions = list(
        DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING, deadline__lt=today)
        .exclude(incident__stage=Stage.CLOSED)
        .values_list("pk", "incident_id", "incident__school_id", "deadline")
    )
    # With the police involved a deletion is on hold, not chased: evidence is preserved (R16).
    on_hold = {
        incident.pk
        for incident in Incident.objects.filter(
            pk__in={row[1] for row in deletions}
        ).prefetch_related("referrals")
        if evidence_preserved(incident)
    }
    deletions = [row for row in deletions if row[1] not in on_hold]
    decisions = list(
        awaiting_sign_off(
            Decision.objects.filter(made_at__lte=now - datetime.timedelta(days=sign_off_after))
        ).values_list("pk", "incident_id", "incident__school_id", "made_at")
    )
    actions = list(
        Action.objects.filter(done_at__isnull=True, due__lt=today)
        .exclude(incident__stage=Stage.CLOSED)
        .values_list("pk", "incident_id", "owner_id", "due")
    )
    transfers = list(
        Transfer.objects.filter(receipt_at__isnull=True, deadline__lt=today).values_list(
            "pk", "pupil_id", "pupil__school_id", "deadline"
        )
    )
    schools = (
        {row[2] for row in deletions}
        | {row[2] for row in decisions}
        | {row[2] for row in transfers}
    )
    team: dict[tuple[int, str], list[int]] = {}
    for school_id, role, user_id in (
        Membership.objects.filter(school_id__in=schools, user__is_active=True)
        .exclude(user__email="")
        .filter(role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER])
        .values_list("school_id", "role", "user_id")
    ):
        audience = "head" if role == Role.HEADTEACHER else "dsl"
        team.setdefault((school_id, audience), []).append(user_id)

    rows = []

    def remind(kind, item, incident_id, audience, step, users, link=""):
        for user_id in users:
            rows.append(
                Notification(
                    recipient_id=user_id,
                    incident_id=incident_id,
                    kind=kind,
                    link=link,
                    key=f"{kind}:{item}:{audience}:{step}:{user_id}",
                    created_at=now,
                )
            )

    kind = Notification.Kind
    for pk, incident_id, school_id, deadline in deletions:
        days_over = (today - deadline).days
        step = _steps(days_over, 0, every)
        remind(
            kind.DELETION_OVERDUE, pk, incident_id, "dsl", step, team.get((school_id, "dsl"), [])
        )
        head_step = _steps(days_over, head_after, every)
        if head_step is not None:
            remind(
                kind.DELETION_OVERDUE,
                pk,
                incident_id,
                "head",
                head_step,
                team.get((school_id, "head"), []),
            )
    for pk, incident_id, school_id, made_at in decisions:
        days_waiting = (today - timezone.localdate(made_at)).days
        step = max(days_waiting - sign_off_after, 0) // every
        remind(
            kind.SIGN_OFF_OVERDUE, pk, incident_id, "head", step, team.get((school_id, "head"), [])
        )
    for pk, incident_id, owner_id, due in actions:
        step = _steps((today - due).days, 0, every)
        remind(kind.ACTION_OVERDUE, pk, incident_id, "owner", step, [owner_id])

    for pk, pupil_id, school_id, deadline in transfers:
        # KCSIE: the DSL is chased until the new school's receipt is recorded (R31).
        step = _steps((today - deadline).days, 0, every)
        link = reverse("pupil_file", args=[school_id, pupil_id])
        remind(
            kind.TRANSFER_OVERDUE, pk, None, "dsl", step, team.get((school_id, "dsl"), []), link
        )

    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(enqueue_notifications)
    return len(rows)


@transaction.atomic
def calendar_reminders(now: datetime.datetime | None = None) -> int:
    """Weekly (issue 20): where a school's term dates or the bank holidays end within the next
    term, its administrators and DSLs are told to enter the next year's, once a week each; and
    provisional deadlines are counted again, in case the dates (or the data) have arrived."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    recompute()
    year, week, _ = today.isocalendar()
    warned = [s for s in School.objects.select_related("trust") if coverage_warnings(s, today)]
    rows = [
        Notification(
            recipient_id=user_id,
            kind=Notification.Kind.CALENDAR_ENDING,
            # The administrator enters the dates; a DSL is shown what is missing on the dashboard.
            link=reverse("school_calendar", args=[school_id])
            if role == Role.ADMINISTRATOR
            else reverse("dashboard"),
            key=f"calendar_ending:{school_id}:{year}-W{week:02d}:{user_id}",
            created_at=now,
        )
        for school_id, role, user_id in Membership.objects.filter(
            school__in=warned,
            user__is_active=True,
            role__in=[Role.ADMINISTRATOR, Role.DSL, Role.DEPUTY_DSL],
        )
        .exclude(user__email="")
        .values_list("school_id", "role", "user_id")
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(enqueue_notifications)
    return len(rows)
