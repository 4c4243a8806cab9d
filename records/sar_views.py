"""Pages of subject access requests (R41): the school's requests, one request with the preview
of its response, and the forms that record, extend, withhold, submit, approve and release.
Rules are in records/sar.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Role, School
from accounts.permissions import get_for_user, has_school_perm, roles_at
from ypsi.views import record_page

from . import sar as service
from .models import AccessLog, SubjectAccessRequest
from .sar_forms import (
    ApprovalForm,
    ExtendForm,
    ReleaseForm,
    RequestForm,
    SubmitForm,
    WithholdingForm,
)
from .sar_response import build
from .services import log_exports


def _school(request, school_pk, needs=None) -> School:
    return get_for_user(School.objects.all(), request.user, via="pk", pk=school_pk, needs=needs)


def _request(request, school_pk, pk, needs=None) -> SubjectAccessRequest:
    return get_for_user(
        SubjectAccessRequest.objects.select_related("school", "pupil__school"),
        request.user,
        pk=pk,
        school_id=school_pk,
        needs=needs,
    )


def _page(sar) -> str:
    return reverse("sar_detail", args=[sar.school_id, sar.pk])


@login_required
def sar_list(request, school_pk):
    school = _school(request, school_pk)
    ctx = {
        "school": school,
        "requests": school.subject_access_requests.select_related("pupil"),
        "can_change": has_school_perm(request.user, "change_incidents", school),
    }
    return render(request, "records/sar_list.html", ctx)


@login_required
def sar_add(request, school_pk):
    school = _school(request, school_pk, needs="change_incidents")
    return record_page(
        request,
        incident=None,
        form=RequestForm(request.POST or None, school=school),
        save=lambda d: service.record_request(school, request.user, **d),
        title="Record a subject access request",
        button="Record the request",
        success="Request recorded. The response is due within one month of receipt.",
        intro="A request for a young person's own safeguarding file, made in any form "
        "(spoken, written, by email): the month runs from the day it was received.",
        then=reverse("sar_list", args=[school.pk]),
    )


@login_required
def sar_detail(request, school_pk, pk):
    sar = _request(request, school_pk, pk)
    response = sar.response or build(sar)
    # The preview shows each incident about the young person: each one's access log says so.
    log_exports(request.user, service.incidents_in(sar, response), what=AccessLog.What.PAGE)
    ctx = {
        "sar": sar,
        "response": response,
        "can_change": has_school_perm(request.user, "change_incidents", sar.school),
        "can_approve": Role.HEADTEACHER in roles_at(request.user, sar.school)
        and request.user.pk != sar.prepared_by_id,
    }
    return render(request, "records/sar_detail.html", ctx)


@login_required
def sar_extend(request, school_pk, pk):
    sar = _request(request, school_pk, pk, needs="change_incidents")
    return record_page(
        request,
        incident=None,
        form=ExtendForm(
            request.POST or None, initial={"extended_to": service.add_months(sar.deadline, 2)}
        ),
        save=lambda d: service.extend(sar, request.user, **d),
        title="Extend the deadline",
        button="Extend the deadline",
        success="Deadline extended.",
        intro=f"Due {sar.deadline:%d %B %Y}. A complex request may be given up to two further "
        "months, if the person asking is told within the first month.",
        then=_page(sar),
    )


@login_required
def sar_part(request, school_pk, pk, key):
    """Withhold a part of the file, or release it, naming the exemption and the reason."""
    sar = _request(request, school_pk, pk, needs="change_incidents")
    parts = service.keys(sar)
    if key not in parts:
        raise Http404("No such part of the file.")
    current = next((w for w in build(sar)["withholdings"] if w["key"] == key), None)
    initial = (
        {"withheld": "yes" if current["withheld"] else "no", "exemption": current["exemption"]}
        if current
        else {"withheld": "no"}
    )
    return record_page(
        request,
        incident=None,
        form=WithholdingForm(request.POST or None, initial=initial),
        save=lambda d: service.decide_withholding(sar, request.user, key=key, **d),
        title="Withhold or release",
        button="Save",
        success="Saved.",
        intro=parts[key]
        + (
            f". Now: {'withheld' if current['withheld'] else 'released'}: {current['reason']}"
            if current
            else "."
        ),
        then=_page(sar) + "#response",
    )


@login_required
def sar_submit(request, school_pk, pk):
    sar = _request(request, school_pk, pk, needs="change_incidents")
    return record_page(
        request,
        incident=None,
        form=SubmitForm(request.POST or None),
        save=lambda d: service.submit(sar, request.user),
        title="Send the response for the headteacher's approval",
        button="Send for approval",
        success="Sent for the headteacher's approval.",
        intro="The headteacher approves the response exactly as it is previewed now; it is not "
        "changed after this unless they send it back.",
        then=_page(sar),
    )


@login_required
def sar_approve(request, school_pk, pk):
    sar = _request(request, school_pk, pk, needs="sign_off_decisions")
    return record_page(
        request,
        incident=None,
        form=ApprovalForm(request.POST or None),
        save=lambda d: service.approve(sar, request.user, **d),
        title="Approve the response",
        button="Record your decision",
        success="Decision recorded.",
        intro=f"Prepared by {sar.prepared_by or 'the DSL'} for {sar.requester}. Read the preview "
        "on the request's page before you approve it.",
        then=_page(sar),
    )


@login_required
def sar_release(request, school_pk, pk):
    sar = _request(request, school_pk, pk, needs="change_incidents")
    return record_page(
        request,
        incident=None,
        form=ReleaseForm(request.POST or None, initial={"released_to": sar.requester}),
        save=lambda d: service.release(sar, request.user, **d),
        title="Record the release",
        button="Record the release",
        success="Release recorded. The PDF released is kept with the request.",
        intro="Send the redacted PDF securely: never by a pupil, and never the file as it stands.",
        then=_page(sar),
    )


@login_required
def sar_pdf(request, school_pk, pk):
    """The redacted PDF: made from the approved response, or the one released, as kept."""
    sar = _request(request, school_pk, pk, needs="change_incidents")
    try:
        content = service.pdf(sar, request.user)
    except ValidationError as e:
        ctx = {"sar": sar, "response": sar.response or build(sar), "pdf_error": e.messages[0]}
        return render(request, "records/sar_detail.html", ctx, status=409)
    log_exports(request.user, service.incidents_in(sar))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
