"""The inspection report (R26, R28): every incident of a school or trust over a period, with the
timeliness figures an inspector looks for. A fixed number of queries however many incidents:
the figures are counted by the database, and the page builds the rows of the incidents it shows
(the PDF, every row).
"""

import datetime
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from incidents.models import COUNTED, Incident, Notification
from incidents.rules import ImageryOrigin
from incidents.services import platform_counts
from referrals.models import FollowUp, OutcomeKind, Referral, ReferralOutcome

from .models import DeletionRequest, SharingDecision, Transfer

# UKCCIS "Recording incidents": what Ofsted looks for, and where the record answers it (R26).
OFSTED_QUESTIONS = [
    (
        "Are records up to date and complete?",
        "Each incident's record, its chronology and the audit trail of every change (who, when, why).",
    ),
    (
        "Do records demonstrate both effective identification and management of the risk of harm?",
        "The initial review: the five criteria with their reasons, the typology and risk level, the further risk assessment.",
    ),
    (
        "Do records demonstrate sound decision-making, appropriate responses to concerns and evidence of relevant referrals made in a timely manner?",
        "Decisions with their reasons and the headteacher's sign-off; referrals; the time from disclosure to review, referral and sign-off below.",
    ),
    (
        "Do they indicate that appropriate action is taken in response to concerns and allegations in a timely manner?",
        "Actions with owners and due dates; deletion deadlines and how they were chased.",
    ),
    (
        "Do they show evidence of tenacity in following up concerns with relevant agencies?",
        "Follow-ups and chasers recorded against each referral; crime reference numbers.",
    ),
    (
        "Do they provide evidence of effective partnership working and sharing of information?",
        "Referrals to the police, children's social care, MASH and others, with the agencies' responses.",
    ),
    (
        "Is there evidence of attendance at or contribution to inter-agency meetings and conferences?",
        "Inter-agency meetings recorded as follow-ups.",
    ),
    (
        "Is there clarity about the school's policy relating to the sharing of information internally, safe keeping of records, and transfer when a pupil leaves the school?",
        "Access is limited to the safeguarding team and logged; every export is logged; records are never deleted.",
    ),
]


Platforms = namedtuple("Platforms", "platforms school_id")  # what platform_counts reads


@dataclass
class Row:
    incident: Incident
    outcome: str
    to_review: datetime.timedelta | None = None
    to_referral: datetime.timedelta | None = None
    to_sign_off: datetime.timedelta | None = None
    referrals: list = field(default_factory=list)
    follow_ups: int = 0
    meetings: int = 0
    overdue_deletions: int = 0
    reminders: int = 0


def in_period(incidents, start: datetime.date, end: datetime.date):
    """Those of `incidents` disclosed from `start` to `end`, both days whole."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    finish = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
    return incidents.filter(disclosed_at__range=(begin, finish))


def timed(incidents):
    """`incidents` with when each was first reviewed, first referred where it needed to be
    (R37: the police, social care, the LADO, not Early Help beside managing in school) and its
    decision first signed off: kept on the incident as each happened, so a trust's year of
    tens of thousands is read, not worked out (issue 14)."""
    return incidents.annotate(
        first_review=F("reviewed_at"),
        first_referral=F("referred_at"),
        first_sign_off=F("signed_off_at"),
    )


def summary(incidents, start: datetime.date, end: datetime.date, transfers=None) -> dict:
    """The report's figures for the period, counted by the database (issue 14: a trust's year
    is tens of thousands of incidents); `incidents` and `transfers` must already be scoped to
    what the user may see."""
    period = in_period(incidents, start, end)
    ids = period.values("pk")
    types = dict(Incident._meta.get_field("incident_type").choices)
    # One count for each month, outcome, type and origin together: every summary count below.
    combos = list(
        timed(period)
        .annotate(month=TruncMonth("disclosed_at"))
        .order_by()
        .values("month", *COUNTED)  # what the period's indexes carry
        .annotate(n=Count("*"))
    )

    def by(name: str, label=str) -> Counter:
        counts = Counter()
        for combo in combos:
            counts[label(combo[name])] += combo["n"]
        return counts

    return {
        "start": start,
        "end": end,
        "count": sum(combo["n"] for combo in combos),
        "by_month": _by_month(by("month", lambda month: month.strftime("%Y-%m")), start, end),
        "by_outcome": _bars(by("outcome")),
        # Issue 13 item 3: what the police and children's social care decided, counted.
        "by_agency_outcome": _bars(
            _labelled(
                _counted(ReferralOutcome.objects.filter(referral__incident__in=ids), "kind"),
                lambda kind: OutcomeKind(kind).label,
            )
        ),
        # R4 and issue 13 item 5: the platforms, the kinds of incident, and AI-generated imagery.
        "by_platform": _bars(
            {
                f"{name} ({kind})": n
                for name, kind, n in platform_counts(
                    # Each school's list of platforms read once, counted as often as recorded.
                    [
                        Platforms(platforms, school_id)
                        for platforms, school_id, n in period.exclude(platforms=[])
                        .order_by()
                        .values_list("platforms", "school_id")
                        .annotate(n=Count("pk"))
                        for _ in range(n)
                    ]
                )
            }
        ),
        "by_type": _bars(
            by("incident_type", lambda kind: types.get(kind, kind) or "Type not recorded")
        ),
        # R39: every decision to share information, or not to, is on record.
        "sharing": _bars(
            _labelled(
                _counted(SharingDecision.objects.filter(incident__in=ids), "decision"),
                lambda d: SharingDecision.Decision(d).label,
            )
        ),
        "ai_generated": by("imagery_origin")[ImageryOrigin.AI_GENERATED],
        **_medians(timed(period)),
        "questions": OFSTED_QUESTIONS,
        # To page through (the page) or read whole (the PDF), in the order the pupils moved.
        "transfers": (transfers if transfers is not None else Transfer.objects.none())
        .filter(moved_on__range=(start, end))
        .select_related("pupil__school")
        .order_by("moved_on", "pk"),
    }


def rows(incidents) -> list[Row]:
    """One row of figures for each of `incidents` (from `timed`), in a fixed number of
    queries however many: the page shown, or every one for the PDF."""
    incidents = list(incidents)
    ids = [i.pk for i in incidents]
    referrals = defaultdict(list)
    for r in Referral.objects.filter(incident_id__in=ids).order_by("made_at"):
        referrals[r.incident_id].append(r)
    follow_ups = Counter()
    meetings = Counter()
    for incident_id, kind in FollowUp.objects.filter(incident_id__in=ids).values_list(
        "incident_id", "kind"
    ):
        follow_ups[incident_id] += 1
        meetings[incident_id] += kind == FollowUp.Kind.MEETING
    today = timezone.localdate()
    overdue = Counter(
        DeletionRequest.objects.filter(incident_id__in=ids)
        # Still waiting past the deadline, or confirmed only after it.
        .filter(Q(status="pending", deadline__lt=today) | Q(confirmed_at__date__gt=F("deadline")))
        .values_list("incident_id", flat=True)
    )
    reminders = Counter(
        Notification.objects.filter(
            incident_id__in=ids, kind=Notification.Kind.DELETION_OVERDUE, sent_at__isnull=False
        ).values_list("incident_id", flat=True)
    )

    def since(i, moment):
        return moment - i.disclosed_at if moment else None

    return [
        Row(
            incident=i,
            outcome=i.outcome,
            to_review=since(i, i.first_review),
            to_referral=since(i, i.first_referral),
            to_sign_off=since(i, i.first_sign_off),
            referrals=referrals[i.pk],
            follow_ups=follow_ups[i.pk],
            meetings=meetings[i.pk],
            overdue_deletions=overdue[i.pk],
            reminders=reminders[i.pk],
        )
        for i in incidents
    ]


def report(incidents, start: datetime.date, end: datetime.date, transfers=None) -> dict:
    """The whole report, every row built (the PDF); `incidents` and `transfers` must already
    be scoped to what the user may see."""
    every = (
        timed(in_period(incidents, start, end))
        .select_related("school")
        .order_by("disclosed_at", "pk")
    )
    return summary(incidents, start, end, transfers) | {"rows": rows(every)}


def _labelled(counts: dict, label) -> Counter:
    """`counts` by each value's label (two values may share one)."""
    labelled = Counter()
    for value, n in counts.items():
        labelled[label(value)] += n
    return labelled


def _counted(queryset, field: str) -> dict:
    """{value of `field`: how many rows have it}, counted by the database."""
    return dict(
        queryset.order_by(field).values(field).annotate(n=Count("pk")).values_list(field, "n")
    )


class Median(Aggregate):
    """PostgreSQL's middle value, as `_median` takes it: the upper of the two middle ones of an
    even count (the first whose share of the values counted is over a half)."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(0.5 + 1e-12) WITHIN GROUP (ORDER BY %(expressions)s)"


def _medians(timed_period) -> dict:
    """The median times from disclosure: worked out by PostgreSQL, which need not send every
    incident's times; by Python elsewhere (SQLite, a development database)."""
    since = {
        f"median_to_{what}": ExpressionWrapper(
            F(f"first_{what}") - F("disclosed_at"), output_field=DurationField()
        )
        for what in ("review", "referral", "sign_off")
    }
    if connection.vendor == "postgresql":
        return timed_period.order_by().aggregate(**{k: Median(v) for k, v in since.items()})
    times = list(timed_period.order_by().annotate(**since).values_list(*since))
    return {k: _median([t[i] for t in times]) for i, k in enumerate(since)}


def _median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def _bars(counter: Counter) -> list[tuple[str, int, int]]:
    """(label, count, width in per cent of the largest) for a bar chart drawn in SVG."""
    top = max(counter.values(), default=0) or 1
    return [(label, n, round(100 * n / top)) for label, n in counter.items()]


def _by_month(counts: Counter, start, end) -> list[tuple[str, int, int]]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    top = max(counts.values(), default=0) or 1
    return [
        (
            datetime.date.fromisoformat(m + "-01").strftime("%b %Y"),
            counts[m],
            round(100 * counts[m] / top),
        )
        for m in months
    ]
