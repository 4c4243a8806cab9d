"""Term dates from a file, in the formats local authorities publish them (issue 20).

- iCalendar (`.ics`), read with `icalendar`: each all-day event is a term, a closure or a
  holiday by its title ("Autumn term", "INSET day", "Half term"); a term may also be a pair of
  one-day events, "Autumn term starts" and "Autumn term ends". Events that are none of these
  (a parents' evening) are listed as not imported; bank holidays come from ypsi's own data.
- CSV, with a header row: `type, name, first_day, last_day` in any order (`start` and `end`
  also do), dates as DD/MM/YYYY or YYYY-MM-DD; `type` is term, inset, holiday or closure
  (without a `type` column, the name says which); an empty `last_day` is a single day. A row
  ypsi cannot read refuses the whole file, by its line.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

import icalendar
from django.core.exceptions import ValidationError

from ypsi.imagery import refuse_imagery, refuse_imagery_in_text

from .models import Closure

MAX_BYTES = 1024 * 1024
TERM = "term"
KINDS = {
    "term": TERM,
    "inset": Closure.Kind.INSET,
    "holiday": Closure.Kind.HOLIDAY,
    "closure": Closure.Kind.OTHER,
}
COLUMNS = {
    "type": "type",
    "kind": "type",
    "name": "name",
    "description": "name",
    "title": "name",
    "first_day": "first_day",
    "start": "first_day",
    "start_date": "first_day",
    "from": "first_day",
    "last_day": "last_day",
    "end": "last_day",
    "end_date": "last_day",
    "to": "last_day",
}
STARTS = re.compile(r"\b(starts?|begins?|opens?|first day( of)?|start of)\b", re.I)
ENDS = re.compile(r"\b(ends?|finish(es)?|closes?|last day( of)?|end of)\b", re.I)


class CalendarImportError(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    kind: str  # TERM or a Closure.Kind
    name: str
    first: datetime.date
    last: datetime.date
    where: str  # "line 4", or the event's title and date


@dataclass
class Entries:
    entries: list[Entry] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def read_upload(upload) -> str:
    """The file's text, after the imagery check (R22): UTF-8 (with or without a BOM), or
    Windows-1252 as Excel saves a plain CSV."""
    if upload.size > MAX_BYTES:
        raise ValidationError("The file is too large for term dates: the limit is 1 MB.")
    data = upload.read()
    refuse_imagery(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ValidationError("This is not a text file: save it as CSV or iCalendar (.ics).")
    refuse_imagery_in_text(text)
    return text


def classify(title: str) -> str | None:
    """What an event's title says it is; None for what is neither a term nor a closure."""
    t = title.lower().replace("-", " ")
    if "bank holiday" in t:
        return None
    if "inset" in t or "training" in t or "staff development" in t or "non pupil" in t:
        return Closure.Kind.INSET
    if "half term" in t or "holiday" in t or "break" in t:
        return Closure.Kind.HOLIDAY
    if "term" in t:
        return TERM
    if "closed" in t or "closure" in t or "polling" in t:
        return Closure.Kind.OTHER
    return None


def parse(text: str, filename: str = "") -> Entries:
    if filename.lower().endswith((".ics", ".ical", ".ifb")) or text.lstrip().startswith(
        "BEGIN:VCALENDAR"
    ):
        return parse_ics(text)
    return parse_csv(text)


def _date(value: str) -> datetime.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value.strip() or '(blank)'} is not a date: use DD/MM/YYYY")


def parse_csv(text: str) -> Entries:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    typed = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    unknown = [h for h in typed if h and h not in COLUMNS]
    if unknown or "first_day" not in {COLUMNS.get(h) for h in typed}:
        raise CalendarImportError(
            [
                (
                    "line 1",
                    "The header row must name the columns type, name, first_day and last_day"
                    + (f" (not {', '.join(unknown)})" if unknown else "")
                    + ".",
                )
            ]
        )
    reader.fieldnames = [COLUMNS.get(h, h) for h in typed]
    out, problems = Entries(), []
    for row in reader:
        where = f"line {reader.line_num}"
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        name = values.get("name", "")
        kind_text = values.get("type", "").lower()
        kind = KINDS.get(kind_text) if kind_text else classify(name)
        if kind is None:
            problems.append(
                (
                    where,
                    f"Say whether it is a term, inset, holiday or closure: {kind_text or name}",
                )
            )
            continue
        try:
            first = _date(values.get("first_day", ""))
            last = _date(values["last_day"]) if values.get("last_day") else first
        except ValueError as e:
            problems.append((where, f"{e}."))
            continue
        default = "Term" if kind == TERM else ""
        out.entries.append(Entry(kind, name or default, first, last, where))
    if problems:
        raise CalendarImportError(problems)
    if not out.entries:
        raise CalendarImportError([("line 2", "The file has no dates in it.")])
    return out


def _day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def parse_ics(text: str) -> Entries:
    try:
        events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    except ValueError as e:
        raise CalendarImportError(
            [("the file", f"It is not a readable iCalendar file ({e}).")]
        ) from None
    out, markers = Entries(), []
    for event in events:
        title = str(event.get("SUMMARY", "")).strip()
        try:
            start, end = event.start, event.end
        except Exception:  # icalendar's IncompleteComponent, and dates it cannot read
            out.ignored.append(f"{title or 'An event'}: it has no date")
            continue
        first = _day(start)
        # An all-day event ends the day before its DTEND; a timed one on the day it ends.
        last = (
            _day(end) - datetime.timedelta(days=1)
            if not isinstance(end, datetime.datetime)
            else _day(end)
        )
        last = max(last, first)
        where = f"{title or 'An event'} ({first:%d/%m/%Y})"
        kind = classify(title)
        if kind is None or event.get("RRULE"):
            out.ignored.append(where)
        elif kind == TERM and first == last and (STARTS.search(title) or ENDS.search(title)):
            markers.append((first, title, where))
        else:
            out.entries.append(Entry(kind, title, first, last, where))
    out.entries += _pair(markers, out.ignored)
    if not out.entries:
        raise CalendarImportError([("the file", "It has no term dates or closures in it.")])
    return out


def _pair(markers, ignored: list[str]) -> list[Entry]:
    """ "Autumn term starts" and then "Autumn term ends": one term, named "Autumn term"."""
    terms, opened = [], None
    for day, title, where in sorted(markers):
        if STARTS.search(title):
            if opened:
                ignored.append(opened[2])
            opened = (day, title, where)
        elif opened:
            name = " ".join(STARTS.sub("", opened[1]).split()).strip(" :-") or "Term"
            terms.append(Entry(TERM, name[:1].upper() + name[1:], opened[0], day, opened[2]))
            opened = None
        else:
            ignored.append(where)
    if opened:
        ignored.append(opened[2])
    return terms
