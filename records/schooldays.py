"""Deadlines in school days: the days the school is open (R23, R24, R31; issue 20).

A school day is a weekday in one of the school's terms that is neither one of its closures
(INSET days, a half-term entered as a closure) nor a bank holiday in England and Wales
(`accounts.calendars`). Where the term dates, or the bank holiday data, do not reach, every
weekday (less what is known) counts and the deadline is marked provisional: never refused. A
provisional deadline is recomputed when the dates arrive (`recompute`).

Each deadline says how it was counted ("5 school days, skipping the half-term holiday").
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.calendars import Period, SchoolCalendar, bank_holidays, calendar_for, holiday_name
from accounts.models import Closure
from incidents.models import Incident, Stage
from incidents.workspace import regroup_later

TERM_DATES = "term dates not entered"
BANK_HOLIDAYS = "bank holidays not yet published"


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    explanation: str
    unknown: tuple[str, ...] = ()  # TERM_DATES, BANK_HOLIDAYS

    @property
    def provisional(self) -> bool:
        return bool(self.unknown)

    @property
    def note(self) -> str:
        """What is shown beside the deadline, and stored with it."""
        if not self.unknown:
            return self.explanation
        return (
            f"{self.explanation} Provisional: {' and '.join(self.unknown)}, so weekdays were "
            "counted as school days; it is counted again when they are."
        )


def covered_until() -> datetime.date:
    """The last day the bank holiday data covers."""
    return bank_holidays()[1]


def _closed(cal: SchoolCalendar, day: datetime.date, unknown: set) -> Period | None:
    """Why the school is closed on weekday `day`, or None when it is open (or not known)."""
    if not cal.knows(day):
        unknown.add(TERM_DATES)
    elif cal.term_of(day) is None:
        holiday = cal.holiday_around(day)
        if holiday:
            return holiday
        unknown.add(TERM_DATES)  # too long for a holiday: a term not entered
    closure = cal.closure_on(day)
    if closure:
        return closure
    holidays, until = bank_holidays()
    if day > until:
        unknown.add(BANK_HOLIDAYS)
    elif day in holidays:
        return Period(day, day, holidays[day], kind="bank_holiday")
    return None


def deadline_for(
    school, start: datetime.date, days: int, cal: SchoolCalendar | None = None
) -> Deadline:
    """`days` school days after `start` (start itself not counted), at `school` (whose
    calendar `cal` is, when the caller has it already)."""
    if days < 1:
        raise ValidationError("A deadline is at least one school day away.")
    if cal is None:
        cal = calendar_for(school)
    skipped: list[Period] = []
    unknown: set[str] = set()
    counted = []
    day = start
    while len(counted) < days:
        day += datetime.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        closed = _closed(cal, day, unknown)
        if closed is None:
            counted.append(day)
        elif closed not in skipped:
            skipped.append(closed)
    return Deadline(
        day,
        explain(cal, start, days, counted, skipped),
        tuple(u for u in (TERM_DATES, BANK_HOLIDAYS) if u in unknown),
    )


def add_school_days(start: datetime.date, days: int, school=None) -> datetime.date:
    """The date `days` school days after `start` at `school` (without one: weekdays less
    bank holidays)."""
    return deadline_for(school, start, days).date


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _when(p: Period) -> str:
    if p.first == p.last:
        return f"{p.first:%-d %B %Y}"
    if p.first.year != p.last.year:
        return f"{p.first:%-d %B %Y} to {p.last:%-d %B %Y}"
    if p.first.month != p.last.month:
        return f"{p.first:%-d %B} to {p.last:%-d %B %Y}"
    return f"{p.first:%-d} to {p.last:%-d %B %Y}"


def _skip(p: Period) -> str:
    """A day (or days) skipped, as the explanation names it."""
    if p.kind == "bank_holiday":
        return f"the bank holiday ({p.name}, {_when(p)})"
    if p.kind == Closure.Kind.INSET:
        return f"an INSET day ({_when(p)})" if p.first == p.last else f"INSET days ({_when(p)})"
    if not p.source:  # a holiday between terms, already named: "the half-term holiday"
        return f"{p.name} ({_when(p)})"
    if p.kind == Closure.Kind.HOLIDAY and (p.name == "Holiday" or "half" in p.name.lower()):
        # A half-term entered as a closure ("Half term", as local authorities' files call it)
        # is named as one between two terms is.
        return f"{holiday_name(p.first, p.last)} ({_when(p)})"
    # Another closure, by its description as entered ("Polling day", "Diwali").
    return f"{'a closure' if p.name == 'Closure' else p.name} ({_when(p)})"


def explain(cal: SchoolCalendar, start, days: int, counted: list, skipped: list) -> str:
    text = f"{days} school day{'s' if days != 1 else ''} from {start:%-d %B %Y}"
    if skipped:
        parts = [_skip(p) for p in skipped]
        text += ", skipping " + (
            parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        )
    term = cal.term_of(counted[0]) if cal.knows(counted[0]) else None
    if term and term.first > start and all(d in term for d in counted):
        # After the last day of a term: the first days of the next (KCSIE: "within the first 5
        # days of the start of a new term").
        text += f": the {ordinal(days)} school day of {term.name}"
    return text + "."


def recompute(schools=None, user=None) -> int:
    """Count again the provisional deadlines still running, now the dates may be known."""
    from .models import DeletionRequest, Transfer
    from .transfers import TRANSFER_SCHOOL_DAYS

    deletions = DeletionRequest.objects.filter(
        deadline_provisional=True,
        school_days__isnull=False,
        status=DeletionRequest.Status.PENDING,
    ).select_related("incident__school")
    transfers = Transfer.objects.filter(
        deadline_provisional=True, receipt_at__isnull=True
    ).select_related("pupil__school")
    if schools is not None:
        deletions = deletions.filter(incident__school__in=schools)
        transfers = transfers.filter(pupil__school__in=schools)
    changed = 0
    calendars: dict[int, SchoolCalendar] = {}  # a few queries per school, not per deadline
    for item, school, start, days in [
        *(
            (d, d.incident.school, timezone.localdate(d.asked_at), d.school_days)
            for d in deletions.exclude(incident__stage=Stage.CLOSED)
        ),
        *((t, t.pupil.school, t.moved_on, TRANSFER_SCHOOL_DAYS) for t in transfers),
    ]:
        if school.pk not in calendars:
            calendars[school.pk] = calendar_for(school)
        counted = deadline_for(school, start, days, calendars[school.pk])
        if (counted.date, counted.note) == (item.deadline, item.deadline_note):
            continue
        item.deadline = counted.date
        item.deadline_note = counted.note
        item.deadline_provisional = counted.provisional
        item._history_user = user
        item._change_reason = "Deadline counted again from the school's calendar"
        item.save(update_fields=["deadline", "deadline_note", "deadline_provisional"])
        if isinstance(item, DeletionRequest):
            regroup_later(Incident.objects.filter(pk=item.incident_id))
        changed += 1
    return changed
