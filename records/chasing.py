"""The periodic chase (R24): overdue deletions, decisions awaiting sign-off, open actions.

Deadlines live in the database and each sweep looks at state, so whatever fell due while a
worker or the broker was down is chased on the next sweep. Each reminder is a Notification row
with a unique key (item, recipient, interval): a second sweep, or a second beat, cannot make
another, and the rows are written in one transaction with a constant number of queries.

The sweep is incremental: each chased item keeps `next_chase_on`, the day its next reminder
falls due, so a sweep reads only the items due now (and those past their deadline it has never
looked at), through partial indexes, however many are overdue. An item no longer to be chased
(done, confirmed, received) is set back to empty and leaves the indexes' range; one held back
for now (the incident is closed, or the police are involved, R16) is looked at again tomorrow.
A `next_chase_on` left stale by a concurrent save is earlier than it should be, never later, so
at worst the item is looked at again and nothing is sent twice (the keys).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.calendars import coverage_warnings
from accounts.models import Membership, Role, School
from incidents.hub import evidence_preserved
from incidents.models import Action, Decision, Incident, Notification, Stage
from incidents.services import awaiting_sign_off, enqueue_notifications

from .models import DeletionRequest, Transfer
from .schooldays import recompute

DAY = datetime.timedelta(days=1)
# A decision found signed off (or superseded) is never chased again: a new decision is a new row.
NEVER = datetime.date.max


def _steps(days_over: int, after: int, every: int) -> int | None:
    """Which interval we are in, counting from `after` days past the deadline; None before."""
    if days_over <= after:
        return None
    return (days_over - after - 1) // every


def _next(deadline: datetime.date, today: datetime.date, after: int, every: int):
    """The first day of the next interval counted from `after` days past the deadline."""
    step = _steps((today - deadline).days, after, every)
    return deadline + datetime.timedelta(
        days=after + 1 + (0 if step is None else step + 1) * every
    )


def _due(queryset, today: datetime.date, **never_looked_at):
    """Items whose next reminder is due, and those past their deadline never looked at."""
    return queryset.filter(
        Q(next_chase_on__lte=today) | Q(next_chase_on__isnull=True, **never_looked_at)
    )


def chase_audiences(schools) -> dict[tuple[int, str], list[int]]:
    """Who a school's reminders go to, in one query: (school id, "dsl") the DSLs and deputies,
    (school id, "head") the headteacher; active users with an email address only."""
    team: dict[tuple[int, str], list[int]] = {}
    for school_id, role, user_id in (
        Membership.objects.filter(school_id__in=schools, user__is_active=True)
        .exclude(user__email="")
        .filter(role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER])
        .values_list("school_id", "role", "user_id")
    ):
        audience = "head" if role == Role.HEADTEACHER else "dsl"
        team.setdefault((school_id, audience), []).append(user_id)
    return team


@transaction.atomic
def create_reminders(now: datetime.datetime | None = None) -> int:
    """Write the reminders due now; returns how many rows were offered (duplicates are ignored)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    every = settings.CHASE_INTERVAL_DAYS
    head_after = settings.CHASE_HEADTEACHER_AFTER_DAYS
    sign_off_after = settings.CHASE_SIGN_OFF_AFTER_DAYS
    later: dict[tuple[type, datetime.date | None], list[int]] = defaultdict(list)

    deletions = []
    due_deletions = list(
        _due(
            DeletionRequest.objects.all(),
            today,
            status=DeletionRequest.Status.PENDING,
            deadline__lt=today,
        ).values_list(
            "pk", "incident_id", "incident__school_id", "deadline", "status", "incident__stage"
        )
    )
    # With the police involved a deletion is on hold, not chased: evidence is preserved (R16).
    on_hold = {
        incident.pk
        for incident in Incident.objects.filter(
            pk__in={row[1] for row in due_deletions if row[5] != Stage.CLOSED}
        ).prefetch_related("referrals")
        if evidence_preserved(incident)
    }
    for pk, incident_id, school_id, deadline, status, stage in due_deletions:
        if status != DeletionRequest.Status.PENDING:
            later[DeletionRequest, None].append(pk)
        elif stage == Stage.CLOSED or incident_id in on_hold:
            later[DeletionRequest, today + DAY].append(pk)
        else:
            deletions.append((pk, incident_id, school_id, deadline))
            nearest = min(
                _next(deadline, today, 0, every), _next(deadline, today, head_after, every)
            )
            later[DeletionRequest, nearest].append(pk)

    cutoff = now - datetime.timedelta(days=sign_off_after)
    awaiting = awaiting_sign_off(Decision.objects.filter(pk=OuterRef("pk")))
    decisions = []
    for pk, incident_id, school_id, made_at, waiting in (
        Decision.objects.annotate(waiting=Exists(awaiting))
        .filter(
            Q(next_chase_on__lte=today)
            | Q(next_chase_on__isnull=True, superseded_at__isnull=True, made_at__lte=cutoff)
        )
        .values_list("pk", "incident_id", "incident__school_id", "made_at", "waiting")
    ):
        if not waiting:
            later[Decision, NEVER].append(pk)
        elif made_at > cutoff:  # looked at early (clocks, settings changed): not yet due
            later[Decision, timezone.localdate(made_at) + sign_off_after * DAY].append(pk)
        else:
            decisions.append((pk, incident_id, school_id, made_at))
            waited = (today - timezone.localdate(made_at)).days
            step = max(waited - sign_off_after, 0) // every
            next_on = timezone.localdate(made_at) + (sign_off_after + (step + 1) * every) * DAY
            later[Decision, next_on].append(pk)

    actions = []
    for pk, incident_id, owner_id, due, done_at, stage in _due(
        Action.objects.all(), today, done_at__isnull=True, due__lt=today
    ).values_list("pk", "incident_id", "owner_id", "due", "done_at", "incident__stage"):
        if done_at is not None:
            later[Action, None].append(pk)
        elif stage == Stage.CLOSED:
            later[Action, today + DAY].append(pk)
        else:
            actions.append((pk, incident_id, owner_id, due))
            later[Action, _next(due, today, 0, every)].append(pk)

    transfers = []
    for pk, pupil_id, school_id, deadline, receipt_at in _due(
        Transfer.objects.all(), today, receipt_at__isnull=True, deadline__lt=today
    ).values_list("pk", "pupil_id", "pupil__school_id", "deadline", "receipt_at"):
        if receipt_at is not None:
            later[Transfer, None].append(pk)
        else:
            transfers.append((pk, pupil_id, school_id, deadline))
            later[Transfer, _next(deadline, today, 0, every)].append(pk)

    schools = (
        {row[2] for row in deletions}
        | {row[2] for row in decisions}
        | {row[2] for row in transfers}
    )
    team = chase_audiences(schools)

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
        if step is None:  # its deadline was moved on since it was last looked at
            continue
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
        if step is not None:
            remind(kind.ACTION_OVERDUE, pk, incident_id, "owner", step, [owner_id])

    for pk, pupil_id, school_id, deadline in transfers:
        # KCSIE: the DSL is chased until the new school's receipt is recorded (R31).
        step = _steps((today - deadline).days, 0, every)
        if step is None:
            continue
        link = reverse("pupil_file", args=[school_id, pupil_id])
        remind(
            kind.TRANSFER_OVERDUE, pk, None, "dsl", step, team.get((school_id, "dsl"), []), link
        )

    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # One UPDATE per kind of item and day: the days are few (the interval's), the items many.
    for (model, next_on), pks in later.items():
        model.objects.filter(pk__in=pks).update(next_chase_on=next_on)
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
