"""The DSL's workspace: every open case under what happens next, until it is closed (issue 12).

The rule is `next_step`, a pure function of a case's facts; `open_cases` gathers those facts for
everything a user may see in a fixed number of queries, however many cases there are, so the
dashboard never drops a case between two lists or slows down as the school's cases grow.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone

from accounts.permissions import schools_where, scoped

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
    incident: Incident, now: datetime.datetime, overdue: list[str], waiting: list[str]
) -> tuple[Facts, str]:
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
    required = incident.referral_required_since is not None and incident.stage != Stage.REFERRED
    overdue = ([urgency.since_note(incident, now)] if required else []) + list(overdue)
    today = timezone.localdate(now)
    actions = list(incident.open_actions)
    overdue += [
        f"Action overdue: {a.description} ({a.owner}, due {a.due:%-d %b %Y})"
        for a in actions
        if a.due < today
    ]
    overdue += [
        f"Safety plan review overdue: {p.pictured.display_name} and {p.other.display_name} "
        f"(due {p.review_on:%-d %b %Y})"
        for p in incident.open_safety_plans
        if p.review_on < today
    ]
    waits = datetime.timedelta(days=settings.CHASE_SIGN_OFF_AFTER_DAYS)
    if (
        decision is not None
        and decision.kind == Decision.Kind.MANAGE_IN_SCHOOL
        and not signed
        and decision.made_at <= now - waits
    ):
        overdue.append(f"Sign-off overdue: decided on {decision.made_at:%-d %b %Y}")
    facts = Facts(
        stage=incident.stage,
        review_complete=review_complete(incident),
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
    return facts, note


def _open(incidents):
    """The open ones of `incidents`, with everything `_facts` reads, in a fixed number of
    queries however many there are."""
    return (
        incidents.exclude(stage=Stage.CLOSED)
        .select_related("school", "review")
        .prefetch_related(
            # What the task list's rule reads (review_complete).
            "review__attendees",
            Prefetch("people", InvolvedPerson.objects.select_related("pupil")),
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


def _grouped(incidents, now: datetime.datetime):
    """(incident, group, facts, note) for each open one of `incidents`, oldest report first."""
    incidents = _open(incidents)
    overdue = defaultdict(list)
    for incident_id, what in hub.overdue(incidents):
        overdue[incident_id].append(what)
    waiting = defaultdict(list)
    for incident_id, what in hub.waiting(incidents.filter(stage=Stage.REFERRED)):
        waiting[incident_id].append(what)
    for incident in incidents:
        facts, note = _facts(incident, now, overdue[incident.pk], waiting[incident.pk])
        yield incident, next_step(facts), facts, note


def _quick(incidents, now: datetime.datetime) -> list[tuple[int, str, bool]]:
    """(id, group, referral required) of each open one of `incidents`, oldest report first,
    from a few columns the database works out: what `_facts` would give `next_step`, without
    building every case (a trust has thousands open). A case under initial review needs its
    whole task list read, so those are grouped by `_grouped`."""
    today = timezone.localdate(now)
    live = Decision.objects.filter(incident=OuterRef("pk"), superseded_at__isnull=True)
    rows = (
        incidents.exclude(stage__in=[Stage.CLOSED, Stage.UNDER_REVIEW])
        .annotate(
            action_late=Exists(
                Action.objects.filter(incident=OuterRef("pk"), done_at__isnull=True, due__lt=today)
            ),
            plan_late=Exists(
                SafetyPlan.objects.filter(
                    incident=OuterRef("pk"), ended_at__isnull=True, review_on__lt=today
                )
            ),
            live_kind=Subquery(live.values("kind")[:1]),
            live_made_at=Subquery(live.values("made_at")[:1]),
            signed=Exists(
                SignOff.objects.filter(
                    decision__incident=OuterRef("pk"),
                    decision__superseded_at__isnull=True,
                    superseded_at__isnull=True,
                )
            ),
        )
        .order_by("reported_at", "pk")
        .values_list(
            "pk",
            "stage",
            "referral_required_since",
            "action_late",
            "plan_late",
            "live_kind",
            "live_made_at",
            "signed",
            "reported_at",
        )
    )
    late = {incident_id for incident_id, _ in hub.overdue(incidents.exclude(stage=Stage.CLOSED))}
    waits = now - datetime.timedelta(days=settings.CHASE_SIGN_OFF_AFTER_DAYS)
    grouped = []
    for pk, stage, required_since, action, plan, kind, made_at, signed, at in rows:
        required = required_since is not None and stage != Stage.REFERRED
        sign_off_late = kind == Decision.Kind.MANAGE_IN_SCHOOL and not signed and made_at <= waits
        facts = Facts(
            stage=stage,
            live_decision=kind or "",
            signed=signed,
            overdue=("overdue",) if pk in late or action or plan or sign_off_late else (),
            referral_required=required,
        )
        grouped.append((at, pk, next_step(facts), required))
    for incident, key, facts, _ in _grouped(incidents.filter(stage=Stage.UNDER_REVIEW), now):
        grouped.append((incident.reported_at, incident.pk, key, facts.referral_required))
    return [(pk, key, required) for _, pk, key, required in sorted(grouped)]


def in_group(incidents, key: str, now: datetime.datetime | None = None) -> list[int]:
    """The ids of those of `incidents` whose next step is `key`: the dashboard group's
    'see all' list, by the same rule, so it holds exactly the cases the group counts."""
    now = now or timezone.now()
    return [pk for pk, group, _ in _quick(incidents, now) if group == key]


def open_cases(user, now: datetime.datetime | None = None) -> list[Group]:
    """Every open case `user` may see, each in the one group of what happens next, in the order
    that matters to them (overdue first; sign-offs next for whoever signs them); each group
    holds its first DASHBOARD_CASES_PER_GROUP cases, built in full, and the count of all."""
    now = now or timezone.now()
    signs = set(schools_where(user, "sign_off_decisions").values_list("pk", flat=True))
    order = SIGNATORY_ORDER if signs else ORDER
    groups = {n: Group(n, Next(n).label, EMPTY[n]) for n in order}
    if signs:
        groups[Next.AWAITING_SIGN_OFF].title = "Decisions awaiting your sign-off"
    incidents = scoped(Incident.objects.all(), user)
    floods = set(
        incidents.filter(stage=Stage.REPORTED, flood__isnull=False).values_list("pk", flat=True)
    )
    members = {n: [] for n in order}
    for pk, key, required in _quick(incidents, now):
        if key == Next.AWAITING_REVIEW and pk in floods:
            groups[key].under_notice += 1
        else:
            members[key].append((pk, required))
    # R37: "as a matter of urgency": a referral required and not made heads the list.
    members[Next.OVERDUE].sort(key=lambda m: not m[1])
    shown = {}
    for key, pks in members.items():
        groups[key].total = len(pks)
        shown |= {pk: key for pk, _ in pks[: settings.DASHBOARD_CASES_PER_GROUP]}
    cases = {}
    for incident, _, facts, note in _grouped(Incident.objects.filter(pk__in=shown), now):
        cases[incident.pk] = Case(incident, shown[incident.pk], note, facts.overdue)
    for key, pks in members.items():
        groups[key].cases = [cases[pk] for pk, _ in pks[: settings.DASHBOARD_CASES_PER_GROUP]]
    return list(groups.values())
