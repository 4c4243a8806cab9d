"""Where the other apps plug into the incident.

The incident is the hub and knows nothing of referrals or records: each of those apps registers
what it contributes in its `AppConfig.ready()`, and the incident asks here. A rule stays in the
app that owns it (the police-involved guard in referrals, a pending deletion in records); the
incident only knows that there are closing checks, chronology sources, page sections, dashboard
panels, overdue work, what is waited for, evidence guards, periodic sweeps and one way of
recording the first referral.

Events that need no answer are signals: `incident_reported` (inside the report's transaction)
and `incident_opened` (a page or export of the record was opened, for the access log).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.dispatch import Signal
from django.utils import timezone

# Sent inside the report's transaction with incident= and reporter=: a receiver that raises
# undoes the report, so nothing is half-recorded.
incident_reported = Signal()
# Sent with user=, incident= and what= (incident, chronology...) when someone opens the record.
incident_opened = Signal()
# Sent with `user`, `incidents` (those shown) and `what` when a page lists cases: the dashboard,
# the incident list, a search. The access log records each listing too (issue 11).
incidents_listed = Signal()


@dataclass(frozen=True)
class Section:
    """A part of the incident page and of its PDF: a template, and the context it needs.

    The template is included in both, with the case file's context and this section's own; it
    uses `can_change` (only true on the web page) to show links that change the record.
    """

    template: str
    context: Callable[[object], dict]
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A list on the dashboard: a template, and the context it needs for the signed-in user."""

    template: str
    context: Callable[[object], dict]
    order: int = 100


@dataclass(frozen=True)
class Referrer:
    """How a decision to refer records its referral (R8): the agencies offered, and `record`,
    which checks and saves the referral inside the decision's transaction or refuses with a
    ValidationError (which undoes the decision too); `referred(incident)`, whether a referral
    to the police, children's social care or the LADO is already on record (a report from the
    police starts with one)."""

    agencies: Callable[[], list[tuple[str, str]]]
    record: Callable[..., object]
    referred: Callable[[object], bool] = lambda incident: False


@dataclass
class _Registry:
    sections: list[Section] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    closing_checks: list[Callable[[object], list[str]]] = field(default_factory=list)
    chronology: list[Callable[[object], Iterable]] = field(default_factory=list)
    overdue: list[Callable[[object], Iterable[tuple[int, datetime.datetime, str]]]] = field(
        default_factory=list
    )
    waiting: list[Callable[[object], Iterable[tuple[int, str]]]] = field(default_factory=list)
    evidence_guards: list[Callable[[object, str], str]] = field(default_factory=list)
    seals: list[Callable[[object], str]] = field(default_factory=list)
    sweeps: dict[str, Callable[[], int]] = field(default_factory=dict)
    referrer: Referrer | None = None


_registry = _Registry()


def add_section(template: str, context: Callable[[object], dict], order: int = 100) -> None:
    _registry.sections.append(Section(template, context, order))
    _registry.sections.sort(key=lambda s: s.order)


def add_panel(template: str, context: Callable[[object], dict], order: int = 100) -> None:
    _registry.panels.append(Panel(template, context, order))
    _registry.panels.sort(key=lambda p: p.order)


def add_closing_check(check: Callable[[object], list[str]]) -> None:
    """`check(incident)` returns what must still be recorded before the incident closes."""
    _registry.closing_checks.append(check)


def add_chronology(source: Callable[[object], Iterable]) -> None:
    """`source(incident)` yields `chronology.Event`s, in one query whatever the case holds."""
    _registry.chronology.append(source)


def add_overdue(source: Callable[[object], Iterable[tuple[int, datetime.datetime, str]]]) -> None:
    """`source(incident_ids)` (of open incidents, already read) yields (incident id, the moment
    it is overdue, what is overdue) for everything pending that falls overdue at a moment, whether
    that is past or still to come (`overdue_from(day)` for a day's deadline), in a fixed number
    of queries however many incidents there are. The dashboard keeps each case's first such
    moment, so a case moves to "Overdue" when it comes without anything being worked out again."""
    _registry.overdue.append(source)


def overdue_from(day: datetime.date) -> datetime.datetime:
    """When something due on `day` is overdue: the start of the next day, in local time."""
    next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(next_day)


def add_waiting(source: Callable[[object], Iterable[tuple[int, str]]]) -> None:
    """`source(incident_ids)` yields (incident id, what the school is waiting for and how
    long), as `add_overdue` does: what "Waiting on an agency" says of each case (R38)."""
    _registry.waiting.append(source)


def add_evidence_guard(guard: Callable[[object, str], str]) -> None:
    """`guard(incident, action)` returns why evidence is preserved (so `action` is refused), or
    an empty string (R16)."""
    _registry.evidence_guards.append(guard)


def add_seal(seal: Callable[[object], str]) -> None:
    """`seal(incident)` returns why the record's content is no longer shown (records: it was
    disposed of under its retention rule, R32), or an empty string."""
    _registry.seals.append(seal)


def add_sweep(name: str, sweep: Callable[[], int]) -> None:
    """`sweep()` is run by the periodic task before the notifications are sent; it returns how
    many things it did, reported under `name`."""
    _registry.sweeps[name] = sweep


def set_referrer(referrer: Referrer) -> None:
    _registry.referrer = referrer


def take_stock(incident) -> None:
    """Find out, in one query, which of the incident's own records (each relation of another
    model to it: "viewings", "follow_ups"...) hold anything, so that a page of the whole case
    reads only those (`recorded`). A case's page read every kind of record, held or not: at
    volume, 16 of its 31 queries found nothing in a case with little recorded yet, 1.5-2.5 ms
    each (issue 14); the page now takes 15.

    Taken again by each page that wants it, never carried over from before a change."""
    relations = stock_relations(type(incident))
    found = rows_exist(incident.pk, [(r.related_model, r.field.column) for r in relations])
    incident.held = {
        r.get_accessor_name() for r, any_row in zip(relations, found, strict=True) if any_row
    }


def stock_relations(model) -> list:
    """The relations `take_stock` asks about: every model that points to `model` and is read
    through it (not a history's, which points to it without a way back)."""
    return [r for r in model._meta.related_objects if r.one_to_many and not r.hidden]


def rows_exist(incident_id: int, tables: list[tuple[type, str]]) -> list[bool]:
    """For each (model, column), whether the model's table has a row of the incident (its
    `column` holds `incident_id`), in one query. Plain SQL built from the models' own tables and
    columns: the same EXISTS questions as Django annotations took 16 ms to compile, against
    1.2 ms for this query in all."""
    quote = connection.ops.quote_name
    questions = ", ".join(
        f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s)"
        for model, column in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {questions}", [incident_id] * len(tables))
        return [bool(found) for found in cursor.fetchone()]


def holds(incident, name: str) -> bool:
    """Whether the incident may hold any `name` (a relation, as `take_stock` names it): true
    unless stock was taken and found none, so a read outside a stock-taking page is never
    skipped."""
    held = getattr(incident, "held", None)
    return held is None or name in held


def recorded(incident, name: str, rows=None):
    """The incident's `name` records: `rows` (a query of them, `incident.<name>.select_related
    (...)`) or all of them; an empty tuple when `take_stock` found none. Not a query's `none()`:
    Django builds the SQL of an empty query before it finds it empty, and building was the
    larger half of each of these reads' cost (issue 14)."""
    if not holds(incident, name):
        return ()
    return getattr(incident, name).all() if rows is None else rows


def sections(incident) -> tuple[list[str], dict]:
    """The templates of the contributed sections, in order, and the context they need."""
    context = {}
    for section in _registry.sections:
        context |= section.context(incident)
    return [s.template for s in _registry.sections], context


def panels(user) -> tuple[list[str], dict]:
    context = {}
    for panel in _registry.panels:
        context |= panel.context(user)
    return [p.template for p in _registry.panels], context


def closing_blockers(incident) -> list[str]:
    return [blocker for check in _registry.closing_checks for blocker in check(incident)]


def chronology_events(incident) -> list:
    return [event for source in _registry.chronology for event in source(incident)]


def deadlines(incidents) -> list[tuple[int, datetime.datetime, str]]:
    return [item for source in _registry.overdue for item in source(incidents)]


def waiting(incidents) -> list[tuple[int, str]]:
    return [item for source in _registry.waiting for item in source(incidents)]


def evidence_preserved(incident, action: str = "search devices or delete imagery") -> str:
    """Why evidence must be preserved, or an empty string when nothing says so."""
    for guard in _registry.evidence_guards:
        reason = guard(incident, action)
        if reason:
            return reason
    return ""


def refuse_if_evidence_preserved(incident, action: str) -> None:
    """R16: with the police involved, no search of a device and no deletion of imagery."""
    reason = evidence_preserved(incident, action)
    if reason:
        raise ValidationError(reason)


def sealed(incident) -> str:
    """Why the incident's content is withheld from every page and export, or ""."""
    for seal in _registry.seals:
        reason = seal(incident)
        if reason:
            return reason
    return ""


def refuse_if_sealed(incident) -> None:
    reason = sealed(incident)
    if reason:
        raise PermissionDenied(reason)


def run_sweeps() -> dict[str, int]:
    return {name: sweep() for name, sweep in _registry.sweeps.items()}


def referred(incident) -> bool:
    """Whether a referral is on record; without an app that records them, never."""
    return _registry.referrer is not None and _registry.referrer.referred(incident)


def referrer() -> Referrer:
    """A decision to refer without a referral on record would be a lost referral: refuse to run
    rather than decide without one."""
    if _registry.referrer is None:
        raise ImproperlyConfigured("No app records referrals: add 'referrals' to INSTALLED_APPS.")
    return _registry.referrer
