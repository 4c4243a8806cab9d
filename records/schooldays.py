"""Deadlines in school days: weekends and England and Wales bank holidays skipped (R24).

The bank holidays come as data with `govuk-bank-holidays` (no network). Beyond the data it
ships, a deadline is refused rather than guessed.
"""

import datetime
from functools import cache

from django.core.exceptions import ValidationError
from govuk_bank_holidays.bank_holidays import BankHolidays


@cache
def _holidays() -> tuple[frozenset[datetime.date], datetime.date]:
    data = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    dates = frozenset(h["date"] for h in data)
    return dates, datetime.date(max(dates).year, 12, 31)


def covered_until() -> datetime.date:
    return _holidays()[1]


def is_school_day(day: datetime.date) -> bool:
    holidays, last = _holidays()
    if day > last:
        raise ValidationError(
            f"Bank holidays are only known until {last:%d %B %Y}: set the deadline as a date, "
            "and update govuk-bank-holidays."
        )
    return day.weekday() < 5 and day not in holidays


def add_school_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` school days after `start` (start itself not counted)."""
    if days < 1:
        raise ValidationError("A deadline is at least one school day away.")
    day = start
    while days:
        day += datetime.timedelta(days=1)
        if is_school_day(day):
            days -= 1
    return day
