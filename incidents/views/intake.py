"""Reporting a concern, and the reporter's own receipts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Pupil, School
from accounts.permissions import (
    own_reports,
    schools_where,
)
from accounts.services import claim_submission
from ypsi.forms import with_errors

from .. import services
from ..forms.intake import ConcernForm, PersonFormSet
from ..models import Incident

PEOPLE_COUNT_KEYS = ("person-TOTAL_FORMS", "person-INITIAL_FORMS")
PEOPLE_COUNTS = {str(n) for n in range(PersonFormSet.max_num + 1)}
PEOPLE_TAMPERED = (
    "The list of people was not sent as this page wrote it, so nothing has been saved. Check "
    "the people below, then send the report again."
)


@login_required
def report_concern(request: HttpRequest) -> HttpResponse:
    schools = schools_where(request.user, "report_concern")
    school = _chosen_school(request, schools)
    if school is None:
        return render(request, "incidents/choose_school.html", {"schools": schools})

    pupils = Pupil.objects.filter(school=school)
    data = request.POST if request.method == "POST" else None
    if data is not None and _people_tampered(data):
        data = _with_people_counted(data)
        form = ConcernForm(data)
        people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
        form.add_error(None, PEOPLE_TAMPERED)
        return _render_report(request, school, form, people, validate=True)
    if data is not None and ("add_person" in data or "find_pupils" in data):
        # "Add another person" and "Find pupils" re-display everything typed, with one more
        # person form or with the pupils each person's search finds.
        data = data.copy()
        if "add_person" in data:
            total = int(data["person-TOTAL_FORMS"]) + 1
            data["person-TOTAL_FORMS"] = str(min(total, PersonFormSet.max_num))
        form = ConcernForm(data)
        search = {"pupils": pupils, "search": "find_pupils" in data}
        people = PersonFormSet(data, prefix="person", form_kwargs=search)
        return _render_report(request, school, form, people, validate=False)

    form = ConcernForm(data, initial={"received_by": request.user.get_full_name()})
    people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
    if data is not None and form.is_valid() and people.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                if not claim_submission(data.get("form_token"), request.user):
                    # A double click: the first submit recorded it; show the reporter's reports.
                    messages.info(request, "Your report was already sent. It was recorded once.")
                    return redirect("my_reports")
                incident = services.report_concern(
                    reporter=request.user,
                    school=school,
                    disclosure_source=d["disclosure_source"],
                    discloser=d["discloser"],
                    disclosed_at=d["disclosed_at"],
                    received_by=d["received_by"],
                    account=d["account"],
                    devices_and_platforms=d["devices_and_platforms"],
                    spread=d["spread"],
                    people=[f.to_person() for f in people if f.has_changed()],
                )
        except ValidationError as e:
            form.add_error(None, e)
        except services.TooManyReports as e:
            form.add_error(None, str(e))
            response = _render_report(request, school, form, people, validate=True)
            response.status_code = 429
            response["Retry-After"] = str(e.retry_after)
            return response
        else:
            return redirect("report_receipt", reference=incident.reference)
    return _render_report(request, school, form, people, validate=data is not None)


def _people_tampered(data) -> bool:
    """The people formset's counts are hidden fields the page writes, a form for each person.

    Any other value was changed on the way. Trusted, it gives a 500 (not a number), a page of a
    thousand forms (a huge one), or people left out unseen (one too small).
    """
    if any(data.get(key) not in PEOPLE_COUNTS for key in PEOPLE_COUNT_KEYS):
        return True
    return int(data["person-TOTAL_FORMS"]) < _people_sent(data)


def _people_sent(data) -> int:
    """One past the highest numbered person whose fields were sent."""
    sent = {key.split("-")[1] for key in data if key.startswith("person-")}
    return max((n + 1 for n in range(PersonFormSet.max_num) if str(n) in sent), default=0)


def _with_people_counted(data):
    """The counts the page would have written for the people sent."""
    data = data.copy()
    data["person-TOTAL_FORMS"] = str(max(1, _people_sent(data)))
    data["person-INITIAL_FORMS"] = "0"
    return data


def _chosen_school(request: HttpRequest, schools) -> School | None:
    if not schools.exists():
        raise PermissionDenied(
            "Your account is not linked to a school, so you cannot report here."
        )
    chosen = request.POST.get("school") or request.GET.get("school")
    if chosen:
        # Compared as text: a tampered value is no school, not a query error.
        return next((s for s in schools if str(s.pk) == chosen), None)
    return schools.first() if schools.count() == 1 else None


def _render_report(request, school, form, people, *, validate: bool) -> HttpResponse:
    if not validate:
        form.errors.clear()
        for f in people:
            f._errors = {}
    ctx = {
        "school": school,
        "form": form,
        "people": people,
        "forms_with_errors": with_errors(form, *people) if validate else [],
    }
    return render(request, "incidents/report.html", ctx, status=400 if validate else 200)


@login_required
def report_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    reports = own_reports(Incident.objects.select_related("school"), request.user)
    report = get_object_or_404(reports, reference=reference)
    return render(request, "incidents/receipt.html", {"report": report})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = own_reports(Incident.objects.select_related("school"), request.user)
    return render(request, "incidents/my_reports.html", {"reports": reports})
