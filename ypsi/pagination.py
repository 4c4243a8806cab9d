"""Keyset pagination for every list that grows: the last page costs what the first does.

A page is asked for by the position of the row it follows (`?after=`) or precedes
(`?before=`), never by a number: the database seeks to that position through the ordering's
index instead of counting past every earlier row, and nothing counts the whole list. The
position is the row's ordering values, encoded in the link; a position that cannot be read is
the first page (links are typed in and shared). Filters stay in the links (`querystring`).
"""

import base64
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet

PAGE_SIZE = 50


@dataclass
class Page:
    items: list
    previous_url: str | None
    next_url: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def paginated(self) -> bool:
        return bool(self.previous_url or self.next_url)


def keyset_page(
    request, queryset: QuerySet, ordering: tuple[str, ...], size: int = PAGE_SIZE, prefix: str = ""
):
    """One page of `queryset` in `ordering` (field names, "-" for descending; end with "pk"
    or another unique field, so that every row has one position). `prefix` names the
    positions of a second list on the page (`?transfers_after=`), each list paged alone."""
    fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    after = _position(request.GET.get(f"{prefix}after"), queryset.model, fields)
    before = (
        None if after else _position(request.GET.get(f"{prefix}before"), queryset.model, fields)
    )
    if before:  # read backwards from the position, then put the rows back in order
        rows = list(
            queryset.filter(_beyond(fields, before, forwards=False)).order_by(
                *(_flip(name) for name in ordering)
            )[: size + 1]
        )
        more_before, rows = len(rows) > size, rows[:size][::-1]
        more_after = True
    else:
        if after:
            queryset = queryset.filter(_beyond(fields, after, forwards=True))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        more_after, rows = len(rows) > size, rows[:size]
        more_before = after is not None
    return Page(
        items=rows,
        previous_url=(
            _link(request, "before", rows[0], fields, prefix) if rows and more_before else None
        ),
        next_url=_link(request, "after", rows[-1], fields, prefix)
        if rows and more_after
        else None,
    )


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _beyond(fields, values, *, forwards: bool) -> Q:
    """Rows strictly past `values` in the ordering (backwards: strictly before them)."""
    condition = Q()
    for i, (name, descending) in enumerate(fields):
        op = "lt" if descending == forwards else "gt"
        step = Q(**{prev: v for (prev, _), v in zip(fields[:i], values, strict=False)})
        step &= Q(**{f"{name}__{op}": values[i]})
        condition |= step
    return condition


def _position(raw: str | None, model, fields):
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==="))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        position = [
            _field(model, name).to_python(v) for (name, _), v in zip(fields, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError, FieldDoesNotExist, UnicodeError):
        return None
    return None if None in position else position


def _field(model, name: str):
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _link(request, direction: str, row, fields, prefix: str = "") -> str:
    values = []
    for name, _ in fields:
        value = getattr(row, "pk" if name == "pk" else _field(row, name).attname)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    token = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    query = _page_query(request)
    query.pop(f"{prefix}after", None)
    query.pop(f"{prefix}before", None)
    query[f"{prefix}{direction}"] = token
    return f"?{query.urlencode()}"


def _page_query(request):
    """The request's filters, for a link to another page of its list: never a download asked
    for (`format`), which a page shown with the download refused would otherwise ask again."""
    query = request.GET.copy()
    query.pop("format", None)
    return query


@dataclass
class First:
    """The first rows of a list on the dashboard, and how many it holds in all: a panel that
    would list everything grows with a trust's years of cases (issue 14)."""

    items: list
    total: int

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


def first(queryset: QuerySet, ordering: tuple) -> First:
    """The first DASHBOARD_PANEL_ROWS of `queryset` in `ordering` (field names or expressions,
    the most pressing first): one query, and a count only when there are more; none when the
    queryset is known to be empty (`scoped` for a role the user does not hold)."""
    if queryset.query.is_empty():
        return First([], 0)
    size = settings.DASHBOARD_PANEL_ROWS
    rows = list(queryset.order_by(*ordering)[: size + 1])
    return First(rows[:size], queryset.count() if len(rows) > size else len(rows))


def first_of(rows: list) -> First:
    """The same of a list already read and put in order."""
    return First(rows[: settings.DASHBOARD_PANEL_ROWS], len(rows))
