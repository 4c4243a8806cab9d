"""The school's term dates and closures page, for the school administrator (issue 20)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ypsi.forms import with_errors

from . import calendars
from .calendar_import import CalendarImportError, parse, read_upload
from .forms import CalendarImportForm, ClosureForm, FollowCalendarForm, TermForm
from .models import Closure, School, Term
from .permissions import get_for_user

ENTRIES = {"term": Term, "closure": Closure}


def _school(request, pk: int) -> School:
    return get_for_user(
        School.objects.select_related("trust__calendar", "calendar", "published_calendar"),
        request.user,
        perm="manage_policy",
        via="pk",
        pk=pk,
    )


def _add_term(school, user, d) -> str:
    calendars.add_term(
        school, user, name=d["name"], first_day=d["first_day"], last_day=d["last_day"]
    )
    return f"{d['name']} has been entered."


def _add_closure(school, user, d) -> str:
    calendars.add_closure(
        school,
        user,
        kind=d["kind"],
        first_day=d["first_day"],
        last_day=d["last_day"],
        description=d["description"],
    )
    return "The closure has been entered."


def _import(school, user, d) -> str:
    upload = d["file"]
    result = calendars.import_dates(school, user, parse(read_upload(upload), upload.name))
    message = f"Imported {result.terms} terms and {result.closures} closures"
    if result.already:
        message += f" ({result.already} already entered)"
    message += "."
    if result.ignored:
        shown = "; ".join(result.ignored[:10]) + ("; ..." if len(result.ignored) > 10 else "")
        message += f" Not term dates, so not imported: {shown}."
    return message


def _follow(school, user, d) -> str:
    calendars.follow(school, user, d["calendar"], d["reason"])
    return "The school's inherited term dates have been changed."


SECTIONS = {
    "term": (TermForm, _add_term),
    "closure": (ClosureForm, _add_closure),
    "import": (CalendarImportForm, _import),
    "follow": (FollowCalendarForm, _follow),
}


@login_required
def school_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk)
    published = calendars.published_calendars()

    def make(section, *data):
        extra = {"calendars": published} if section == "follow" else {}
        if section == "follow" and not data:
            extra["initial"] = {"calendar": school.published_calendar}
        return SECTIONS[section][0](*data, prefix=section, **extra)

    forms = {section: make(section) for section in SECTIONS}
    problems = []
    section = request.POST.get("section") if request.method == "POST" else None
    if section in SECTIONS:
        form = forms[section] = make(section, request.POST, request.FILES)
        if form.is_valid():
            try:
                message = SECTIONS[section][1](school, request.user, form.cleaned_data)
            except ValidationError as e:
                form.add_error(None, e)
            except CalendarImportError as e:
                problems = e.problems
            else:
                messages.success(request, message)
                return redirect("school_calendar", pk=school.pk)
    cal = calendars.calendar_for(school)
    ctx = {
        "school": school,
        "cal": cal,
        "warnings": calendars.coverage_warnings(school, timezone.localdate(), cal),
        "bank_holidays_until": calendars.bank_holidays_until(),
        "forms": forms,
        "can_follow": published.exclude(pk=school.calendar_id).exists(),
        "problems": problems,
        "changes": _changes(school),
        "forms_with_errors": with_errors(*forms.values()),
    }
    failed = problems or any(f.errors for f in forms.values())
    return render(request, "accounts/calendar.html", ctx, status=400 if failed else 200)


def _changes(school: School) -> list:
    """The history of the school's own dates: who entered or removed what, and when (R27)."""
    if not school.calendar_id:
        return []
    rows = [
        *Term.history.filter(calendar_id=school.calendar_id).select_related("history_user"),
        *Closure.history.filter(calendar_id=school.calendar_id).select_related("history_user"),
    ]
    return sorted(rows, key=lambda h: h.history_date, reverse=True)[:30]


@login_required
def calendar_remove(request: HttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    school = _school(request, pk)
    if kind not in ENTRIES or not school.calendar_id:
        raise Http404
    entry = get_object_or_404(ENTRIES[kind], pk=entry_pk, calendar_id=school.calendar_id)
    if request.method == "POST":
        calendars.remove(school, request.user, entry)
        messages.success(request, f"{entry} has been removed.")
        return redirect("school_calendar", pk=school.pk)
    return render(request, "accounts/calendar_remove.html", {"school": school, "entry": entry})
