"""The DSL's workspace: every open case under what happens next, until it is closed (issue 12).

The rule is `next_step`, a pure function of a case's facts; `open_cases` gathers those facts for
everything a user may see in a fixed number of queries, however many cases there are, so the
dashboard never drops a case between two lists or slows down as the school's cases grow.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, ExpressionWrapper, F, Prefetch, Q, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.permissions import school_ids, scoped

from . import hub, tasklist
from .models import Action, Decision, Incident, InvolvedPerson, SafetyPlan, SignOff, Stage
from .services import urgency


class Next(models.TextChoices):
    """What happens next to an open case: the dashboard's groups."""

    OVERDUE = "overdue", "Overdue"
    AWAITING_REVIEW = "awaiting-review", "Awaiting initial review"
    IN_REVIEW = "in-review", "Review in progress"
    SENT_BACK = "sent-back", "Sent back by the headteacher"
    AWAITING_DECISION = "awaiting-decision", "Awaiting a decision"
    AWAITING_SIGN_OFF = "to-sign", "Decisions awaiting sign-off"
    MANAGING = "managing", "Managing in school"
    REFERRED = "referred", "Referred: waiting on an agency"


# Overdue work first for everyone; the headteacher's own part, the sign-off, next for them.
ORDER = [
    Next.OVERDUE,
    Next.AWAITING_REVIEW,
    Next.IN_REVIEW,
    Next.SENT_BACK,
    Next.AWAITING_DECISION,
    Next.AWAITING_SIGN_OFF,
    Next.MANAGING,
    Next.REFERRED,
]
SIGNATORY_ORDER = [Next.OVERDUE, Next.AWAITING_SIGN_OFF] + [
    n for n in ORDER if n not in (Next.OVERDUE, Next.AWAITING_SIGN_OFF)
]
EMPTY = {
    Next.OVERDUE: "Nothing is overdue.",
    Next.AWAITING_REVIEW: "Nothing is waiting for review.",
    Next.IN_REVIEW: "No initial review is in progress.",
    Next.SENT_BACK: "No decision has been sent back.",
    Next.AWAITING_DECISION: "No review is waiting for a decision.",
    Next.AWAITING_SIGN_OFF: "No decision is waiting for sign-off.",
    Next.MANAGING: "No case is being managed in school.",
    Next.REFERRED: "No case is waiting on an agency.",
}


REGROUP_CHUNK = 200


@dataclass(frozen=True)
class Facts:
    """What the grouping looks at, for one open case."""

    stage: str
    review_complete: bool = False
    live_decision: str = ""  # Decision.Kind, or "" when none is in force
    signed: bool = False  # the live decision has a live sign-off
    sent_back: bool = False  # the last decision was sent back and none has followed
    overdue: tuple[str, ...] = ()
    # R37: a referral is required and none is made; first of everything overdue.
    referral_required: bool = False


def next_step(facts: Facts) -> str | None:
    """The one group of a case; None once it is closed."""
    if facts.stage == Stage.CLOSED:
        return None
    if facts.overdue or facts.referral_required:
        return Next.OVERDUE
    if facts.stage == Stage.REPORTED:
        return Next.AWAITING_REVIEW
    if facts.stage == Stage.REFERRED:
        return Next.REFERRED
    if facts.stage == Stage.MANAGED_IN_SCHOOL:
        waiting = facts.live_decision == Decision.Kind.MANAGE_IN_SCHOOL and not facts.signed
        return Next.AWAITING_SIGN_OFF if waiting else Next.MANAGING
    if facts.sent_back:
        return Next.SENT_BACK
    return Next.AWAITING_DECISION if facts.review_complete else Next.IN_REVIEW


def review_complete(incident: Incident) -> bool:
    """Every part of the initial review completed (the task list's rule, `tasklist`): what the
    procedure needs before a decision (R5, R6, R9, R12, R13)."""
    return not tasklist.incomplete(incident)


@dataclass
class Case:
    incident: Incident
    next: str
    note: str = ""  # what the DSL needs to know to act: the action due, who sent it back...
    overdue: tuple[str, ...] = ()


@dataclass
class Group:
    key: str
    title: str
    empty: str
    # The first DASHBOARD_CASES_PER_GROUP of the group's cases; `count` says how many in all
    # and the incident list filtered to the group (`?next=<key>`) shows every one.
    cases: list[Case] = field(default_factory=list)
    total: int = 0
    # Reports from one account in an unusual number are listed under the notice, not here.
    under_notice: int = 0

    @property
    def count(self) -> int:
        return self.total + self.under_notice

    @property
    def more(self) -> bool:
        return self.total > len(self.cases)


def _facts(
    incident: Incident,
    now: datetime.datetime,
    deadlines: list[tuple[datetime.datetime, str]],
    waiting: list[str],
    whole: bool = True,
) -> tuple[Facts, str, datetime.datetime | None]:
    """The case's facts as of `now`, what the DSL needs to know to act, and the first moment
    anything pending falls (or fell) overdue. `deadlines` are the other apps' (hub.deadlines)."""
    decisions = list(incident.decisions.all())
    live = [d for d in decisions if d.superseded_at is None]
    decision = live[-1] if live else None
    last = decisions[-1] if decisions else None
    last_sign_off = ([None, *last.sign_offs.all()] if last else [None])[-1]
    sent_back = (
        decision is None
        and last_sign_off is not None
        and last_sign_off.outcome == SignOff.Outcome.SENT_BACK
    )
    signed = decision is not None and decision.current_sign_off is not None
    required = _outstanding(incident)
    actions = list(incident.open_actions)
    pending = list(deadlines)
    pending += [
        (
            hub.overdue_from(a.due),
            f"Action overdue: {a.description} ({a.owner}, due {a.due:%-d %b %Y})",
        )
        for a in actions
    ]
    pending += [
        (
            hub.overdue_from(p.review_on),
            f"Safety plan review overdue: {p.pictured.display_name} and "
            f"{p.other.display_name} (due {p.review_on:%-d %b %Y})",
        )
        for p in incident.open_safety_plans
    ]
    if decision is not None and decision.kind == Decision.Kind.MANAGE_IN_SCHOOL and not signed:
        waits = datetime.timedelta(days=settings.CHASE_SIGN_OFF_AFTER_DAYS)
        pending.append(
            (
                decision.made_at + waits,
                f"Sign-off overdue: decided on {decision.made_at:%-d %b %Y}",
            )
        )
    overdue = [urgency.since_note(incident, now)] if required else []
    overdue += [what for at, what in pending if at <= now]
    facts = Facts(
        stage=incident.stage,
        review_complete=whole and review_complete(incident),
        live_decision=decision.kind if decision else "",
        signed=signed,
        sent_back=sent_back,
        overdue=tuple(overdue),
        referral_required=required,
    )
    if sent_back:
        note = f"Sent back by {last_sign_off.signed_by}: {last_sign_off.comment}"
    elif facts.stage == Stage.MANAGED_IN_SCHOOL and signed:
        upcoming = actions[0] if actions else None
        note = (
            f"Next action: {upcoming.description} ({upcoming.owner}, due {upcoming.due:%-d %b %Y})"
            if upcoming
            else "No open action: add one, or close the case."
        )
    elif facts.stage == Stage.REFERRED and waiting:
        note = "; ".join(waiting)
    elif decision is not None:
        note = f"{decision.get_kind_display()}, decided by {decision.made_by} on {decision.made_at:%-d %b %Y}"
    else:
        note = ""
    return facts, note, min((at for at, _ in pending), default=None)


def _open(incidents, whole: bool = True):
    """The open ones of `incidents`, with everything `_facts` reads, in a fixed number of
    queries however many there are. Not `whole`: without what only the task list reads (the
    dashboard's shown cases, whose group is already known)."""
    review = [
        "review__attendees",
        Prefetch("people", InvolvedPerson.objects.select_related("pupil")),
    ]
    if whole:
        incidents = incidents.select_related("school", "review")
    else:
        # What the dashboard shows of a case and `_facts` reads of its own row, not its every
        # column and its review's: a DSL's 80 shown cases cost 4-5 ms less (issue 14).
        incidents = incidents.select_related("school").only(
            "reference", "stage", "reported_at", "referral_required_since", "school__name"
        )
    return (
        incidents.exclude(stage=Stage.CLOSED)
        .prefetch_related(
            *(review if whole else []),
            Prefetch(
                "decisions",
                Decision.objects.select_related("made_by").prefetch_related(
                    Prefetch("sign_offs", SignOff.objects.select_related("signed_by"))
                ),
            ),
            Prefetch(
                "actions",
                Action.objects.filter(done_at__isnull=True).select_related("owner"),
                to_attr="open_actions",
            ),
            Prefetch(
                "safety_plans",
                SafetyPlan.objects.filter(ended_at__isnull=True).select_related(
                    "pictured__pupil", "other__pupil"
                ),
                to_attr="open_safety_plans",
            ),
        )
        .order_by("reported_at", "pk")
    )


def _grouped(incidents, now: datetime.datetime, whole: bool = True):
    """(incident, group, facts, note, late_at) for each open one of `incidents`, oldest first;
    not `whole`: without the task list (the group then only as far as it does not need it)."""
    incidents = list(_open(incidents, whole))
    # The other apps read their rows by the ids read here, not by this query again.
    deadlines = defaultdict(list)
    for incident_id, at, what in hub.deadlines([i.pk for i in incidents]):
        deadlines[incident_id].append((at, what))
    waiting = defaultdict(list)
    for incident_id, what in hub.waiting([i.pk for i in incidents if i.stage == Stage.REFERRED]):
        waiting[incident_id].append(what)
    for incident in incidents:
        facts, note, late_at = _facts(
            incident, now, deadlines[incident.pk], waiting[incident.pk], whole
        )
        yield incident, next_step(facts), facts, note, late_at


def regroup(incidents, now: datetime.datetime | None = None) -> int:
    """Work out again, and keep, the group of each open one of `incidents` whose record changed
    since it was last worked out (its version moved on); returns how many were kept.

    Kept only if the version is still the one read: a change committed meanwhile leaves the
    case stale, to be worked out at the next read, never grouped from half of its record."""
    now = now or timezone.now()
    stale = incidents.exclude(stage=Stage.CLOSED).exclude(step_version=F("version"))
    ids = list(stale.values_list("pk", flat=True))
    kept = 0
    for start in range(0, len(ids), REGROUP_CHUNK):
        # One transaction a chunk: one commit, not one per case, and no lock held for long.
        with transaction.atomic():
            chunk = Incident.objects.filter(pk__in=ids[start : start + REGROUP_CHUNK])
            for incident, _, facts, _, late_at in _grouped(chunk, now):
                step = next_step(replace(facts, overdue=(), referral_required=False))
                kept += Incident.objects.filter(pk=incident.pk, version=incident.version).update(
                    step=step, late_at=late_at, step_version=incident.version
                )
    return kept


def regroup_later(incidents) -> None:
    """What groups `incidents` changed without a change to their record (a deadline counted
    again from a new calendar): each is worked out again at the next read."""
    incidents.update(step_version=0)


def verify(now: datetime.datetime | None = None) -> list[str]:
    """Every open case's kept group against the rule worked out afresh: the references of
    those that differ, each then kept right. A case changed without its version moving on
    (a path that skips `services.lock`) is a defect; the daily check finds and mends it."""
    now = now or timezone.now()
    regroup(Incident.objects.all(), now)
    ids = list(Incident.objects.exclude(stage=Stage.CLOSED).values_list("pk", flat=True))
    wrong = []
    for start in range(0, len(ids), REGROUP_CHUNK):
        chunk = Incident.objects.filter(pk__in=ids[start : start + REGROUP_CHUNK])
        wrong += [
            incident.reference
            for incident, key, *_ in _grouped(chunk, now)
            # One changed since the regroup above is worked out at the next read, as ever.
            if incident.step_version == incident.version and _group_of(incident, now) != key
        ]
    mend = Incident.objects.filter(reference__in=wrong)
    regroup_later(mend)
    regroup(mend, now)
    return wrong


def _required() -> Q:
    """R37: a referral required and not made, as the database reads it (`_outstanding`)."""
    return Q(referral_required_since__isnull=False) & ~Q(stage=Stage.REFERRED)


def _outstanding(incident: Incident) -> bool:
    """R37: a referral required and not made, for a case already read (`_required`)."""
    return incident.referral_required_since is not None and incident.stage != Stage.REFERRED


def _group_of(incident: Incident, now: datetime.datetime) -> str:
    """The group its kept columns give, as `grouping` works it out in the database."""
    late = incident.late_at is not None and incident.late_at <= now
    required = _outstanding(incident)
    return Next.OVERDUE if late or required else incident.step


def _overdue(now: datetime.datetime) -> Q:
    """Overdue, from an open case's kept columns: a referral required and not made (R37), or
    the first thing pending past."""
    return _required() | Q(late_at__lte=now)


def grouping(now: datetime.datetime) -> models.Case:
    """Each open case's group, from its kept columns: overdue (`_overdue`), otherwise the
    kept step."""
    return models.Case(
        models.When(_overdue(now), then=Value(Next.OVERDUE)),
        default=F("step"),
        output_field=models.CharField(),
    )


def in_group(incidents, key: str, now: datetime.datetime | None = None):
    """Those of `incidents` whose next step is `key`: the dashboard group's 'see all' list, by
    the same rule (`grouping`), so it holds exactly the cases the group counts.

    Written as the rule's two branches rather than a filter on `grouping`: the overdue are read
    from the indexes of what makes a case overdue (`incident_open_late`,
    `incident_referral_required`), not found among every open case of a trust (5-6.5 ms, now 2);
    the other groups from the index of open cases by step (`incident_open_step`)."""
    now = now or timezone.now()
    regroup(incidents, now)
    overdue = _overdue(now)
    branch = overdue if key == Next.OVERDUE else Q(step=key) & ~overdue
    return incidents.exclude(stage=Stage.CLOSED).filter(branch)


def open_cases(user, now: datetime.datetime | None = None) -> list[Group]:
    """Every open case `user` may see, each in the one group of what happens next, in the order
    that matters to them (overdue first; sign-offs next for whoever signs them); each group
    holds its first DASHBOARD_CASES_PER_GROUP cases, built in full, and the count of all.

    A few queries whatever the number of cases: the groups are kept with each case (`regroup`,
    for those changed since the last read) and counted and ranked by the database."""
    now = now or timezone.now()
    signs = school_ids(user, "sign_off_decisions")
    order = SIGNATORY_ORDER if signs else ORDER
    groups = {n: Group(n, Next(n).label, EMPTY[n]) for n in order}
    if signs:
        groups[Next.AWAITING_SIGN_OFF].title = "Decisions awaiting your sign-off"
    incidents = scoped(Incident.objects.all(), user).exclude(stage=Stage.CLOSED)
    regroup(incidents, now)
    # Reports from one account in an unusual number are counted under their notice (issue 17).
    noticed = Q(stage=Stage.REPORTED, flood__isnull=False)
    ranked = incidents.annotate(
        next_step=grouping(now),
        noticed=ExpressionWrapper(noticed, output_field=models.BooleanField()),
    )
    for key, under_notice, count in (
        ranked.order_by().values_list("next_step", "noticed").annotate(n=Count("pk"))
    ):
        if under_notice and key == Next.AWAITING_REVIEW:
            groups[key].under_notice += count
        else:
            groups[key].total += count
    # The first of each group: R37's "as a matter of urgency", a referral required and not
    # made, heads the overdue group; then the oldest report first.
    first = Window(
        RowNumber(),
        partition_by=[F("next_step")],
        order_by=[
            ExpressionWrapper(_required(), output_field=models.BooleanField()).desc(),
            F("reported_at").asc(),
            F("pk").asc(),
        ],
    )
    shown = dict(
        # Only those still waiting for review are listed under the notice: one overdue (a
        # referral required, R37) is listed at the head of the overdue group like any other.
        ranked.exclude(noticed=True, next_step=Next.AWAITING_REVIEW)
        .annotate(rank=first)
        .filter(rank__lte=settings.DASHBOARD_CASES_PER_GROUP)
        .order_by("rank")
        .values_list("pk", "next_step")
    )
    cases = {}
    built = _grouped(Incident.objects.filter(pk__in=shown), now, whole=False)
    for incident, _, facts, note, _ in built:
        cases[incident.pk] = Case(incident, shown[incident.pk], note, facts.overdue)
    required_first = sorted(
        cases.values(),
        key=lambda c: (
            not _outstanding(c.incident),
            c.incident.reported_at,
            c.incident.pk,
        ),
    )
    for case in required_first:
        groups[case.next].cases.append(case)
    return list(groups.values())
