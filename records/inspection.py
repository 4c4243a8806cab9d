"""The inspection report (R26, R28): every incident of a school or trust over a period, with the
timeliness figures an inspector looks for. A fixed number of queries however many incidents.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from incidents.models import Incident, Notification, SignOff, Stage
from referrals.models import FollowUp, Referral

from .models import DeletionRequest, Transfer

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


def outcome_of(incident: Incident) -> str:
    if incident.closure_reason.startswith("Not YPSI"):
        return "Not YPSI"
    if incident.stage == Stage.REFERRED or incident.referral_count:
        return "Referred"
    if incident.stage == Stage.MANAGED_IN_SCHOOL or incident.stage == Stage.CLOSED:
        return "Managed in school"
    return "Open: not yet decided"


def report(incidents, start: datetime.date, end: datetime.date, transfers=None) -> dict:
    """`incidents` and `transfers` must already be scoped to what the user may see."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    finish = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
    incidents = list(
        incidents.filter(disclosed_at__range=(begin, finish))
        .select_related("school")
        .annotate(
            referral_count=Count(
                "referrals", filter=~Q(referrals__agency__in=["early_help", "other"])
            )
        )
        .order_by("disclosed_at")
    )
    ids = [i.pk for i in incidents]
    reviewed = dict(
        Incident.history.filter(id__in=ids)
        .exclude(stage=Stage.REPORTED)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    referred = dict(
        Referral.objects.filter(incident_id__in=ids)
        .values("incident_id")
        .annotate(first=Min("made_at"))
        .values_list("incident_id", "first")
    )
    signed = dict(
        SignOff.objects.filter(decision__incident_id__in=ids, outcome=SignOff.Outcome.SIGNED)
        .values("decision__incident_id")
        .annotate(first=Min("signed_at"))
        .values_list("decision__incident_id", "first")
    )
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
    rows = []
    for i in incidents:

        def since(moment, i=i):
            return moment - i.disclosed_at if moment else None

        rows.append(
            Row(
                incident=i,
                outcome=outcome_of(i),
                to_review=since(reviewed.get(i.pk)),
                to_referral=since(referred.get(i.pk)),
                to_sign_off=since(signed.get(i.pk)),
                referrals=referrals[i.pk],
                follow_ups=follow_ups[i.pk],
                meetings=meetings[i.pk],
                overdue_deletions=overdue[i.pk],
                reminders=reminders[i.pk],
            )
        )
    return {
        "rows": rows,
        "start": start,
        "end": end,
        "by_month": _by_month(incidents, start, end),
        "by_outcome": _bars(Counter(r.outcome for r in rows)),
        "median_to_review": _median([r.to_review for r in rows]),
        "median_to_referral": _median([r.to_referral for r in rows]),
        "median_to_sign_off": _median([r.to_sign_off for r in rows]),
        "questions": OFSTED_QUESTIONS,
        "transfers": list(
            (transfers if transfers is not None else Transfer.objects.none())
            .filter(moved_on__range=(start, end))
            .select_related("pupil__school")
        ),
    }


def _median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def _bars(counter: Counter) -> list[tuple[str, int, int]]:
    """(label, count, width in per cent of the largest) for a bar chart drawn in SVG."""
    top = max(counter.values(), default=0) or 1
    return [(label, n, round(100 * n / top)) for label, n in counter.items()]


def _by_month(incidents, start, end) -> list[tuple[str, int, int]]:
    counts = Counter(timezone.localtime(i.disclosed_at).strftime("%Y-%m") for i in incidents)
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
