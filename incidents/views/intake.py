"""Reporting a concern, and the reporter's own receipts."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Pupil, School
from accounts.permissions import (
    own_reports,
    schools_where,
)
from ypsi.forms import with_errors

from .. import services
from ..forms.intake import ConcernForm, PersonFormSet
from ..models import Incident


@login_required
def report_concern(request: HttpRequest) -> HttpResponse:
    schools = schools_where(request.user, "report_concern")
    school = _chosen_school(request, schools)
    if school is None:
        return render(request, "incidents/choose_school.html", {"schools": schools})

    pupils = Pupil.objects.filter(school=school)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_person" in data:
        # "Add another person" re-displays everything typed, with one more person form.
        data = data.copy()
        data["person-TOTAL_FORMS"] = str(int(data.get("person-TOTAL_FORMS", 1)) + 1)
        form = ConcernForm(data)
        people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
        return _render_report(request, school, form, people, validate=False)

    form = ConcernForm(data, initial={"received_by": request.user.get_full_name()})
    people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
    if data is not None and form.is_valid() and people.is_valid():
        d = form.cleaned_data
        try:
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
        else:
            return redirect("report_receipt", reference=incident.reference)
    return _render_report(request, school, form, people, validate=data is not None)


def _chosen_school(request: HttpRequest, schools) -> School | None:
    if not schools.exists():
        raise PermissionDenied(
            "Your account is not linked to a school, so you cannot report here."
        )
    chosen = request.POST.get("school") or request.GET.get("school")
    if chosen:
        return schools.filter(pk=chosen).first()
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
