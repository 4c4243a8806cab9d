"""Retention and disposal of YPSI records (R32, R40): the named rules, reviews, holds, disposal.

The school's policy names the rule its records are kept under (IRMS: to the 25th birthday of
the youngest young person, then review; IICSA: up to 75 years); police or court advice ("as
advised", never shorter than the school's rule) and a legal hold (over everything) follow from
the record. Every review defaults to keep. A disposal is proposed by the DSL with a reason
naming the rule, takes effect only with the headteacher's agreement, and is refused while a
hold or the IICSA rule applies. Nothing is ever disposed of automatically: the monthly task
only lists what falls due.

"Removing personal data" is read the safer way: the audit history is never deleted or
rewritten (R27), so the rows and their history stay as they were and a disposal is a new
state. From it, the incident's content is withheld from every page and export (the hub's
seal), and what is left to see is the disposal record, which holds no personal data.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import RetentionRule, Role
from accounts.permissions import has_school_perm, roles_at
from incidents import hub
from incidents.models import Incident, Stage
from incidents.rules import AgeBand
from incidents.services import lock
from ypsi.recording import not_future, save

from .models import Disposal, RetentionAdvice, RetentionHold, RetentionListing, RetentionReview

IRMS_AGE = 25
IICSA_YEARS = 75
# The youngest a person of unknown age could be: a child, so the record is kept the longest.
UNKNOWN_AGE = 0


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    """The rule a record is kept under today, its review date (None: kept until a hold is
    lifted or the advisers say otherwise), how that was worked out, and why a disposal would
    be refused now ("" when it may be proposed)."""

    rule: str
    review_on: datetime.date | None
    basis: str
    blocked: str

    @property
    def rule_label(self) -> str:
        return RetentionRule(self.rule).label


def youngest_25th_birthday(incident: Incident) -> tuple[datetime.date, str]:
    """IRMS: the 25th birthday of the youngest young person involved.

    Adults are left out. A date of birth not recorded is taken at its latest possible from the
    age (or the age band); with nothing known, the person is taken to be a baby: a record is
    never kept for less time than the rule asks because a fact was missing.
    """
    day = incident.incident_date
    latest = None
    for person in incident.people.all():
        age = person.age_at(day)
        if (age is not None and age >= 18) or (age is None and person.age_band == AgeBand.ADULT):
            continue
        dob = person.effective_date_of_birth
        if dob is None:
            if age is None:
                age = 13 if person.age_band == AgeBand.FROM_13_TO_17 else UNKNOWN_AGE
            dob = add_years(day, -age)
        latest = dob if latest is None else max(latest, dob)
    if latest is None:
        return add_years(
            day, IRMS_AGE
        ), "no young person's age is recorded: 25 years from the incident"
    return add_years(latest, IRMS_AGE), "the 25th birthday of the youngest young person"


def school_rule_date(incident: Incident) -> tuple[str, datetime.date, str]:
    rule = incident.school.retention_rule
    if rule == RetentionRule.IICSA:
        return rule, add_years(incident.incident_date, IICSA_YEARS), "75 years from the incident"
    day, basis = youngest_25th_birthday(incident)
    return RetentionRule.IRMS, day, basis


def _active_holds(incident):
    return [h for h in hub.recorded(incident, "retention_holds") if h.lifted_at is None]


def retention_for(incident: Incident, today: datetime.date | None = None) -> Retention:
    """The rule that applies to `incident` now (R40), in the order the guidance ranks them."""
    today = today or timezone.localdate()
    holds = _active_holds(incident)
    if holds:
        return Retention(
            RetentionRule.LEGAL_HOLD,
            None,
            f"Held since {holds[0].placed_at:%d %B %Y}: {holds[0].reason}",
            "A legal hold is in place: nothing is disposed of while it is.",
        )
    rule, day, basis = school_rule_date(incident)
    kept = [
        r.next_review_on for r in hub.recorded(incident, "retention_reviews") if r.next_review_on
    ]
    if kept and max(kept) > day:
        day, basis = max(kept), "the date set at the last review, which kept the record"
    iicsa = (
        f"This record is kept under the IICSA rule (up to 75 years, to {day:%d %B %Y}): it is "
        "not disposed of while that rule applies."
        if rule == RetentionRule.IICSA and today < day
        else ""
    )
    advice = sorted(hub.recorded(incident, "retention_advice"), key=lambda a: (a.advised_on, a.pk))
    police = bool(hub.evidence_preserved(incident))
    if incident.school.retention_follows_advice and (police or advice):
        if not advice:
            return Retention(
                RetentionRule.POLICE_OR_COURT,
                day,
                f"The police are involved: record their advice on keeping the record. Until "
                f"then it is kept at least to {day:%d %B %Y} ({basis}).",
                iicsa or "The police are involved: record their advice before any disposal.",
            )
        last = advice[-1]
        if last.keep_until is None:
            return Retention(
                RetentionRule.POLICE_OR_COURT,
                None,
                f"{last.advised_by} advised on {last.advised_on:%d %B %Y} keeping it until "
                "they say otherwise.",
                iicsa
                or f"{last.get_source_display()} advised keeping the record until they "
                "say otherwise.",
            )
        if last.keep_until > day:
            day, rule = last.keep_until, RetentionRule.POLICE_OR_COURT
            basis = f"as advised by {last.advised_by} on {last.advised_on:%d %B %Y}"
    blocked = iicsa
    if not blocked and today < day:
        blocked = f"Nothing is disposed of before its review date ({day:%d %B %Y})."
    return Retention(rule, day, f"Review on {day:%d %B %Y}: {basis}.", blocked)


def disposed(incident: Incident) -> Disposal | None:
    return next(
        (d for d in incident.disposals.all() if d.status == Disposal.Status.DISPOSED), None
    )


def seal(incident: Incident) -> str:
    """The hub's seal: a record disposed of shows nothing of its content any more."""
    disposal = disposed(incident)
    if disposal is None:
        return ""
    return (
        f"The record of {incident.reference} was disposed of on "
        f"{timezone.localtime(disposal.decided_at):%d %B %Y} under its retention rule "
        f"({disposal.get_rule_display()}). Its personal data is no longer shown on any page or "
        "export; the disposal record is on the retention page."
    )


# The list of what falls due (a Celery task each month; the sweep catches a missed month).


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


def retained():
    """Closed records not disposed of, with what the rules read, in a fixed number of queries."""
    return (
        Incident.objects.filter(stage=Stage.CLOSED)
        .exclude(disposals__status=Disposal.Status.DISPOSED)
        .select_related("school")
        .prefetch_related(
            "people__pupil",
            "retention_holds",
            "retention_advice",
            "retention_reviews",
            "referrals",
            "disposals",
        )
    )


@transaction.atomic
def list_due(today: datetime.date | None = None) -> int:
    """List every record whose review falls due by the end of this month; returns how many
    were newly listed. Idempotent: a record is listed once for each date it falls due."""
    today = today or timezone.localdate()
    end = month_end(today)
    rows = []
    for incident in retained():
        retention = retention_for(incident, today)
        if retention.review_on is None or retention.review_on > end:
            continue
        if any(r.due_on == retention.review_on for r in incident.retention_reviews.all()):
            continue
        rows.append(
            RetentionReview(incident=incident, rule=retention.rule, due_on=retention.review_on)
        )
    for row in rows:
        save(row, None, "Listed for retention review")
    listing, _ = RetentionListing.objects.get_or_create(month=month_start(today))
    listing.listed += len(rows)
    listing.save()
    return len(rows)


def catch_up() -> int:
    """The sweep: list this month's reviews if the monthly task has not (it was down)."""
    if RetentionListing.objects.filter(month=month_start(timezone.localdate())).exists():
        return 0
    return list_due()


# Reviews, disposal, holds and advice.


def default_next_review(incident: Incident, today: datetime.date | None = None) -> datetime.date:
    """Kept at a review: next reviewed at the IICSA limit, 75 years from the incident (or a
    year on, once that has passed)."""
    today = today or timezone.localdate()
    limit = add_years(incident.incident_date, IICSA_YEARS)
    return limit if limit > today else add_years(today, 1)


def _require_dsl(user, incident) -> None:
    if not has_school_perm(user, "change_incidents", incident.school):
        raise PermissionDenied("Only the school's DSLs review records for retention.")


def _require_not_disposed(incident) -> None:
    if disposed(incident):
        raise ValidationError("This record has already been disposed of.")


def what_is_disposed(incident: Incident) -> str:
    """The disposal record says what went, without saying anything personal."""
    counts = [
        (incident.people.count(), "person involved", "people involved"),
        (incident.referrals.count(), "referral", "referrals"),
        (incident.decisions.count(), "decision", "decisions"),
    ]
    parts = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)
    return (
        f"The safeguarding record of incident {incident.reference} (disclosed "
        f"{incident.incident_date:%d %B %Y}): {parts}, and everything recorded under it."
    )


@transaction.atomic
def record_review(
    review: RetentionReview,
    user,
    *,
    outcome: str,
    reason: str = "",
    rule: str = "",
    next_review_on: datetime.date | None = None,
) -> Disposal | None:
    """Keep (the default, with the date of the next review) or propose disposal, which needs a
    reason naming the rule that applies and is refused while a hold or IICSA applies."""
    incident = review.incident
    _require_dsl(user, incident)
    lock(incident, user, review)
    _require_not_disposed(incident)
    if review.reviewed_at is not None:
        raise ValidationError("This review has already been recorded.")
    if incident.stage != Stage.CLOSED:
        raise ValidationError("Close the incident before reviewing it for retention.")
    reason = (reason or "").strip()
    review.reviewed_at, review.reviewed_by, review.outcome = timezone.now(), user, outcome
    if outcome == RetentionReview.Outcome.KEEP:
        next_review_on = next_review_on or default_next_review(incident)
        if next_review_on <= timezone.localdate():
            raise ValidationError("The next review must be a date in the future.")
        review.reason, review.next_review_on = reason, next_review_on
        save(review, user, "Retention review: kept")
        return None
    if outcome != RetentionReview.Outcome.DISPOSE:
        raise ValidationError("Choose whether to keep the record or propose its disposal.")
    retention = retention_for(incident)
    if retention.blocked:
        raise ValidationError(retention.blocked)
    if rule != retention.rule:
        raise ValidationError(
            f"A disposal names the rule applied: this record is kept under "
            f"'{retention.rule_label}'."
        )
    if not reason:
        raise ValidationError("Give the reason for disposing of the record under this rule.")
    review.reason = reason
    save(review, user, "Retention review: disposal proposed")
    disposal = Disposal(
        incident=incident,
        review=review,
        rule=retention.rule,
        reason=reason,
        what=what_is_disposed(incident),
        proposed_by=user,
    )
    save(disposal, user, "Disposal proposed")
    return disposal


@transaction.atomic
def decide_disposal(disposal: Disposal, user, *, agree: bool, comment: str = "") -> None:
    """The headteacher agrees (the disposal takes effect) or declines (the record is kept and
    reviewed again); never the person who proposed it."""
    incident = disposal.incident
    if Role.HEADTEACHER not in roles_at(user, incident.school):
        raise PermissionDenied("Only the headteacher agrees to a disposal.")
    lock(incident, user, disposal)
    if disposal.status != Disposal.Status.PROPOSED:
        raise ValidationError("This disposal has already been decided.")
    if user == disposal.proposed_by:
        raise ValidationError(
            "The headteacher's agreement must come from someone other than the person who "
            "proposed the disposal."
        )
    comment = (comment or "").strip()
    disposal.decided_by, disposal.decided_at, disposal.comment = user, timezone.now(), comment
    if not agree:
        if not comment:
            raise ValidationError("Say why the record is kept: it is part of the record.")
        disposal.status = Disposal.Status.DECLINED
        save(disposal, user, "Disposal declined: the record is kept")
        review = disposal.review
        review.next_review_on = default_next_review(incident)
        save(review, user, "Kept: the headteacher declined the disposal")
        return
    retention = retention_for(incident)
    if retention.blocked:  # a hold placed, or advice recorded, since it was proposed
        raise ValidationError(retention.blocked)
    if retention.rule != disposal.rule:
        raise ValidationError(
            f"The rule that applies has changed since the proposal (now "
            f"'{retention.rule_label}'): review the record again."
        )
    disposal.status = Disposal.Status.DISPOSED
    save(disposal, user, f"Disposed of under {disposal.get_rule_display()}")


def _require_team(user, incident) -> None:
    school = incident.school
    if not (
        has_school_perm(user, "change_incidents", school)
        or Role.HEADTEACHER in roles_at(user, school)
    ):
        raise PermissionDenied("Only the school's DSLs and headteacher place a legal hold.")


@transaction.atomic
def place_hold(incident: Incident, user, *, reason: str) -> RetentionHold:
    _require_team(user, incident)
    lock(incident, user)
    _require_not_disposed(incident)
    if not (reason or "").strip():
        raise ValidationError("Say why the record is held (the claim, inquiry or request).")
    hold = RetentionHold(incident=incident, reason=reason.strip(), placed_by=user)
    save(hold, user, "Legal hold placed")
    return hold


@transaction.atomic
def lift_hold(hold: RetentionHold, user, *, reason: str) -> None:
    _require_team(user, hold.incident)
    lock(hold.incident, user, hold)
    if hold.lifted_at is not None:
        raise ValidationError("This hold has already been lifted.")
    if not (reason or "").strip():
        raise ValidationError("Say why the hold is lifted.")
    hold.lifted_at, hold.lifted_by, hold.lifted_reason = timezone.now(), user, reason.strip()
    save(hold, user, "Legal hold lifted")


@transaction.atomic
def record_advice(
    incident: Incident, user, *, source, advised_by, advised_on, note, keep_until=None
) -> RetentionAdvice:
    _require_dsl(user, incident)
    lock(incident, user)
    _require_not_disposed(incident)
    if source not in RetentionAdvice.Source.values:
        raise ValidationError("Say whether the police or a court advised.")
    if not advised_by.strip() or not note.strip():
        raise ValidationError("Record who advised, and what they advised.")
    not_future(
        timezone.make_aware(datetime.datetime.combine(advised_on, datetime.time.min)),
        "The advice",
    )
    advice = RetentionAdvice(
        incident=incident,
        source=source,
        advised_by=advised_by.strip(),
        advised_on=advised_on,
        keep_until=keep_until,
        note=note.strip(),
        recorded_by=user,
    )
    save(advice, user, "Retention advice recorded")
    return advice
