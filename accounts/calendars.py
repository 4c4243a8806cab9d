"""The days a school is open (issue 20): its term dates and closures, over those it inherits.

A school's calendar is its own term dates and closure days, entered by the school
administrator, laid over the calendar it inherits: the one published by the local authority or
trust it follows (`School.published_calendar`), or else its trust's default. Its own terms,
once it has any, replace the inherited ones; its closures (INSET days) add to them. Bank
holidays in England and Wales come as data with `govuk-bank-holidays` (no network).

Deadlines are counted over these days in `records.schooldays`; accounts knows nothing of them,
and says when a calendar changes through `calendar_changed` so that they can be recomputed.
"""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from govuk_bank_holidays.bank_holidays import BankHolidays

from ypsi.recording import save

from .calendar_import import CalendarImportError
from .models import Calendar, Closure, School, Term
from .permissions import has_school_perm

# Sent with calendar= and user= inside the transaction that changed a calendar's dates.
calendar_changed = Signal()

# "Within the next term": a school's dates, or the bank holidays, that end within this many
# days are to be entered now (a term is at most about four months).
WARN_DAYS_AHEAD = 120
LONGEST_TERM_DAYS = 200
# The summer holiday is about six weeks: a longer gap between terms is a term not entered, and
# its days count as weekdays (provisional) rather than as a holiday.
LONGEST_HOLIDAY_DAYS = 56
LONGEST_CLOSURE_DAYS = 31


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date
    name: str
    kind: str = "term"  # term, holiday (between terms), or a Closure.Kind
    source: str = ""  # the calendar it comes from
    pk: int | None = field(default=None, compare=False)
    own: bool = field(default=False, compare=False)  # the school's own: it may remove it

    def __contains__(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class SchoolCalendar:
    """The school's terms and closures, as they apply to it, sorted by their first day."""

    terms: tuple[Period, ...] = ()
    closures: tuple[Period, ...] = ()
    terms_from: str = ""  # whose term dates: the school's own, or a published calendar's name
    inherited_from: str = ""

    @property
    def known_from(self) -> datetime.date | None:
        return self.terms[0].first if self.terms else None

    @property
    def known_until(self) -> datetime.date | None:
        return max(t.last for t in self.terms) if self.terms else None

    def knows(self, day: datetime.date) -> bool:
        """Whether the term dates say if the school is open that day."""
        return bool(self.terms) and self.known_from <= day <= self.known_until

    def missing_terms(self) -> list[tuple[Period, Period]]:
        """Consecutive terms with more than a holiday between them."""
        return [
            (a, b)
            for a, b in zip(self.terms, self.terms[1:], strict=False)
            if (b.first - a.last).days - 1 >= LONGEST_HOLIDAY_DAYS
        ]

    def term_of(self, day: datetime.date) -> Period | None:
        return next((t for t in self.terms if day in t), None)

    def closure_on(self, day: datetime.date) -> Period | None:
        return next((c for c in self.closures if day in c), None)

    def holiday_around(self, day: datetime.date) -> Period | None:
        """The holiday between two terms that `day` (known, in no term) falls in, named; None
        when the gap is too long to be a holiday (a term not entered)."""
        before = max((t.last for t in self.terms if t.last < day), default=day)
        after = min((t.first for t in self.terms if t.first > day), default=day)
        first, last = before + datetime.timedelta(days=1), after - datetime.timedelta(days=1)
        if (last - first).days + 1 >= LONGEST_HOLIDAY_DAYS:  # as missing_terms counts
            return None
        name = holiday_name(first, last)
        while first.weekday() >= 5 and first < last:  # shown without the weekends around it
            first += datetime.timedelta(days=1)
        while last.weekday() >= 5 and last > first:
            last -= datetime.timedelta(days=1)
        return Period(first, last, name, kind="holiday")


def holiday_name(first: datetime.date, last: datetime.date) -> str:
    """What a deadline's explanation calls a holiday: a half-term is a week or so of weekdays
    (a single day off is not one)."""
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    if any(d.month == 12 and d.day == 25 for d in days):
        return "the Christmas holiday"
    if any(d.month == 8 for d in days):
        return "the summer holiday"
    if len(days) <= 10 and sum(d.weekday() < 5 for d in days) >= 3:
        return "the half-term holiday"
    if any(d.month in (3, 4) for d in days):
        return "the Easter holiday"
    return "the holiday"


def inherited_calendar(school: School) -> Calendar | None:
    if school.published_calendar_id:
        return school.published_calendar
    if school.trust_id and school.trust.calendar_id:
        return school.trust.calendar
    return None


def calendar_for(school: School | None) -> SchoolCalendar:
    """The school's calendar as it applies: a few queries, whatever it holds."""
    if school is None:
        return SchoolCalendar()
    own = school.calendar if school.calendar_id else None
    inherited = inherited_calendar(school)
    calendars = [c for c in (own, inherited) if c is not None]
    terms: dict[int, list[Period]] = {c.pk: [] for c in calendars}
    closures: list[Period] = []
    names = {c.pk: c.name for c in calendars}

    def period(entry, name, kind):
        own_entry = own is not None and entry.calendar_id == own.pk
        source = "the school" if own_entry else names[entry.calendar_id]
        return Period(
            entry.first_day, entry.last_day, name, kind, source, pk=entry.pk, own=own_entry
        )

    for t in Term.objects.filter(calendar_id__in=names):
        terms[t.calendar_id].append(period(t, t.name, "term"))
    for c in Closure.objects.filter(calendar_id__in=names):
        closures.append(period(c, c.label, c.kind))
    chosen = next((c for c in calendars if terms[c.pk]), None)
    return SchoolCalendar(
        terms=tuple(sorted(terms[chosen.pk], key=lambda p: p.first)) if chosen else (),
        closures=tuple(sorted(closures, key=lambda p: p.first)),
        terms_from=("the school's own" if chosen is own else chosen.name) if chosen else "",
        inherited_from=inherited.name if inherited else "",
    )


@cache
def bank_holidays() -> tuple[dict[datetime.date, str], datetime.date]:
    """England and Wales bank holidays {date: title}, and the last day the data covers."""
    data = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    dates = {h["date"]: h["title"] for h in data}
    return dates, datetime.date(max(dates).year, 12, 31)


def bank_holidays_until() -> datetime.date:
    return bank_holidays()[1]


def coverage_warnings(school: School, today: datetime.date, cal=None) -> list[str]:
    """What must be entered before deadlines in school days become provisional (issue 20)."""
    cal = cal or calendar_for(school)
    horizon = today + datetime.timedelta(days=WARN_DAYS_AHEAD)
    warnings = []
    if not cal.terms:
        warnings.append(
            f"No term dates are entered for {school}: deadlines in school days count every "
            "weekday and are provisional until they are."
        )
    elif cal.known_until < horizon:
        ends = "ended" if cal.known_until < today else "end"
        warnings.append(
            f"The term dates for {school} {ends} on {cal.known_until:%-d %B %Y}: enter the "
            "next year's, or deadlines after that day are provisional."
        )
    for before, after in cal.missing_terms():
        if after.first > today:
            warnings.append(
                f"The term dates for {school} have no term between {before.name} (ending "
                f"{before.last:%-d %B %Y}) and {after.name} (starting {after.first:%-d %B %Y}): "
                "enter the missing term, or deadlines in that time are provisional."
            )
    if bank_holidays_until() < horizon:
        warnings.append(
            f"The bank holidays ypsi knows end on {bank_holidays_until():%-d %B %Y}: ask whoever "
            "runs ypsi to update govuk-bank-holidays, or deadlines after that day are provisional."
        )
    return warnings


def schools_using(calendar: Calendar):
    """The schools whose days this calendar decides (its own, or inherited)."""
    return School.objects.filter(
        Q(calendar=calendar)
        | Q(published_calendar=calendar)
        | Q(published_calendar__isnull=True, trust__calendar=calendar)
    )


# Changes, by the school administrator (or the headteacher): "manage_policy".


def _may_manage(user, school: School) -> None:
    if not has_school_perm(user, "manage_policy", school):
        raise PermissionDenied("Only the school administrator or headteacher enters term dates.")


def own_calendar(school: School, user) -> Calendar:
    """The school's own calendar, made on the first date entered."""
    if school.calendar_id:
        return school.calendar
    calendar = Calendar(name=f"{school.name} ({school.code})")
    save(calendar, user, "The school's own term dates")
    school.calendar = calendar
    save(school, user, "The school's own term dates started")
    return calendar


def _check_dates(first: datetime.date, last: datetime.date, longest: int, what: str) -> None:
    if last < first:
        raise ValidationError(f"The {what} cannot end before it starts.")
    if (last - first).days >= longest:
        raise ValidationError(f"A {what} is at most {longest} days: check the dates.")


def _add_term(calendar: Calendar, user, name: str, first, last) -> Term | None:
    name = name.strip()
    if not name:
        raise ValidationError("Name the term, for example Autumn term.")
    _check_dates(first, last, LONGEST_TERM_DAYS, "term")
    terms = calendar.terms.all()
    if terms.filter(first_day=first, last_day=last).exists():
        return None  # already entered: an import of a file that overlaps what is there
    clash = terms.filter(first_day__lte=last, last_day__gte=first).first()
    if clash:
        raise ValidationError(f"It overlaps {clash}: remove that term first.")
    term = Term(calendar=calendar, name=name, first_day=first, last_day=last)
    save(term, user, "Term dates entered")
    return term


def _add_closure(calendar: Calendar, user, kind: str, first, last, description: str):
    _check_dates(first, last, LONGEST_CLOSURE_DAYS, "closure")
    if calendar.closures.filter(first_day=first, last_day=last, kind=kind).exists():
        return None
    closure = Closure(
        calendar=calendar,
        kind=kind,
        first_day=first,
        last_day=last,
        description=description.strip(),
    )
    save(closure, user, "Closure entered")
    return closure


@transaction.atomic
def add_term(school: School, user, *, name: str, first_day, last_day) -> Term | None:
    _may_manage(user, school)
    calendar = own_calendar(school, user)
    term = _add_term(calendar, user, name, first_day, last_day)
    calendar_changed.send(sender=Calendar, calendar=calendar, user=user)
    return term


@transaction.atomic
def add_closure(
    school: School, user, *, kind: str, first_day, last_day=None, description: str = ""
) -> Closure | None:
    _may_manage(user, school)
    calendar = own_calendar(school, user)
    closure = _add_closure(calendar, user, kind, first_day, last_day or first_day, description)
    calendar_changed.send(sender=Calendar, calendar=calendar, user=user)
    return closure


@transaction.atomic
def remove(school: School, user, entry: Term | Closure) -> None:
    """A mistaken entry is removed; its history keeps who removed it and when (R27)."""
    _may_manage(user, school)
    if entry.calendar_id != school.calendar_id:
        raise ValidationError("Only the school's own dates can be removed here.")
    entry._history_user = user
    entry._change_reason = "Removed from the school's calendar"
    entry.delete()
    calendar_changed.send(sender=Calendar, calendar=school.calendar, user=user)


@transaction.atomic
def follow(school: School, user, calendar: Calendar | None, reason: str) -> None:
    """The school follows a local authority's or trust's published term dates (or its trust's)."""
    _may_manage(user, school)
    if calendar is not None and calendar.pk == school.calendar_id:
        raise ValidationError("A school cannot inherit its own term dates.")
    if not reason.strip():
        raise ValidationError("Say why the school follows these term dates.")
    school.published_calendar = calendar
    save(school, user, reason.strip())
    calendar_changed.send(sender=Calendar, calendar=calendar or school.calendar, user=user)
    if calendar is None and school.trust_id and school.trust.calendar_id:
        calendar_changed.send(sender=Calendar, calendar=school.trust.calendar, user=user)


def published_calendars():
    """Calendars a school may follow: any that is not a school's own."""
    return Calendar.objects.filter(school__isnull=True)


@dataclass
class Imported:
    terms: int = 0
    closures: int = 0
    already: int = 0
    ignored: list[str] = field(default_factory=list)


@transaction.atomic
def import_dates(school: School, user, entries) -> Imported:
    """Save what `calendar_import.parse` read: all of it, or (on any refusal) nothing."""
    _may_manage(user, school)
    calendar = own_calendar(school, user)
    result = Imported(ignored=list(entries.ignored))
    problems = []
    for entry in entries.entries:
        try:
            if entry.kind == "term":
                saved = _add_term(calendar, user, entry.name, entry.first, entry.last)
                result.terms += saved is not None
            else:
                saved = _add_closure(
                    calendar, user, entry.kind, entry.first, entry.last, entry.name
                )
                result.closures += saved is not None
            result.already += saved is None
        except ValidationError as e:
            problems.append((entry.where, " ".join(e.messages)))
    if problems:
        raise CalendarImportError(problems)  # and the savepoint undoes what was saved
    calendar_changed.send(sender=Calendar, calendar=calendar, user=user)
    return result
