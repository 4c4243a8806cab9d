import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, School
from accounts.permissions import (
    get_for_user,
    has_school_perm,
    headteachers,
    school_ids,
    school_staff,
    schools_where,
)
from accounts.security import weighty
from incidents import hub
from incidents.casefile import case_queryset, incident_for
from incidents.models import Incident
from ypsi.forms import with_errors
from ypsi.pagination import keyset_page
from ypsi.uploads import read_text_upload
from ypsi.views import record_page

from . import exports, inspection, pdf, services, transfers
from .audit import audit_trail
from .forms import (
    ConfirmDeletionForm,
    ConfirmForm,
    DelegationForm,
    DeletionRequestForm,
    ImportFileForm,
    InspectionForm,
    RefusalForm,
    SearchForm,
    TransferForm,
    TransferReceiptForm,
    TransferSentForm,
    ViewingForm,
)
from .models import AccessLog, DeletionRequest, Export, Transfer, ViewingRecord


@login_required
def viewing_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = ViewingForm(request.POST or None)
    form.limit(
        people=incident.people.all(),
        staff=school_staff(incident.school),
        heads=headteachers(incident.school),
    )
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_viewing(incident, request.user, **d),
        title="Record that imagery was viewed",
        button="Save the record",
        success="Viewing recorded.",
        intro="By default imagery is not viewed. The viewer and the member of staff present each confirm this record under their own login.",
    )


@login_required
def viewing_confirm(request, pk, record_pk):
    """The viewer or the member of staff present signs the record: they may not see the case."""
    record = get_object_or_404(
        ViewingRecord.objects.select_related("incident__school").filter(
            Q(viewer=request.user) | Q(staff_present=request.user)
        ),
        pk=record_pk,
        incident_id=pk,
    )
    services.log_access(request.user, record.incident, AccessLog.What.PAGE)
    return record_page(
        request,
        incident=record.incident,
        form=ConfirmForm(request.POST or None),
        save=lambda d: services.confirm_viewing(record, request.user),
        title="Confirm the viewing record",
        button="Confirm",
        success="Thank you: the record is confirmed.",
        intro=f"Viewed {timezone.localtime(record.viewed_at):%d %B %Y %H:%M} by {record.viewer} in {record.place}. "
        f"Why: {record.why} What followed: {record.what_followed}",
        then="/",
    )


@login_required
def deletion_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = DeletionRequestForm(request.POST or None)
    form.limit(people=incident.people.all())

    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.request_deletion(incident, request.user, **d),
        title="Ask a young person to delete the imagery",
        button="Save",
        success="Deletion requested.",
        intro="Only where no other agency is involved. The deadline is chased automatically.",
    )


def _deletion(request, pk, deletion_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return incident, get_object_or_404(DeletionRequest, pk=deletion_pk, incident=incident)


@login_required
def deletion_confirm(request, pk, deletion_pk):
    incident, deletion = _deletion(request, pk, deletion_pk)
    return record_page(
        request,
        incident=incident,
        form=ConfirmDeletionForm(request.POST or None),
        save=lambda d: services.confirm_deletion(
            deletion,
            request.user,
            confirmed_at=d["confirmed_at"],
            how=d["how"],
            witnessed_by=d["witnessed_by"],
        ),
        title=f"Confirm deletion by {deletion.young_person.display_name}",
        button="Confirm",
        success="Deletion confirmed.",
    )


@login_required
def deletion_refused(request, pk, deletion_pk):
    incident, deletion = _deletion(request, pk, deletion_pk)
    return record_page(
        request,
        incident=incident,
        form=RefusalForm(request.POST or None),
        save=lambda d: services.record_refusal(deletion, request.user, note=d["note"]),
        title=f"{deletion.young_person.display_name} refused to delete it",
        button="Record the refusal",
        success="Refusal recorded: the incident needs a referral decision.",
        intro="A refusal is treated seriously: the incident goes back for a referral decision.",
    )


@login_required
def search_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = SearchForm(request.POST or None)
    form.limit(
        people=incident.people.all(),
        staff=school_staff(incident.school),
        heads=headteachers(incident.school),
    )
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_search(incident, request.user, **d),
        title="Record a search of a device",
        button="Save",
        success="Search recorded.",
        intro="Only by a member of staff authorised by the headteacher, with good reason, and never when the police are involved.",
    )


@login_required
def delegation_add(request, pk):
    school = get_for_user(
        School.objects.all(), request.user, perm="manage_policy", via="pk", pk=pk
    )
    form = DelegationForm(request.POST or None)
    form.limit(staff=school_staff(school))
    return record_page(
        request,
        incident=None,
        form=form,
        save=lambda d: services.delegate_viewing(school, request.user, d["user"]),
        title="Delegate authority to view imagery",
        button="Delegate",
        success="Authority delegated.",
        then=f"/schools/{school.pk}/policy/",
    )


@login_required
def incident_history(request, pk):
    incident = get_for_user(Incident.objects.select_related("school"), request.user, pk=pk)
    hub.refuse_if_sealed(incident)  # disposed of: the history is kept, and not shown (R32)
    services.log_access(request.user, incident, AccessLog.What.HISTORY)
    return render(
        request, "records/history.html", {"incident": incident, "entries": audit_trail(incident)}
    )


@login_required
def access_log(request, pk):
    """The DSLs and the headteacher see who has looked at the case."""
    incident = get_for_user(Incident.objects.select_related("school"), request.user, pk=pk)
    school = incident.school
    if not (
        has_school_perm(request.user, "change_incidents", school)
        or has_school_perm(request.user, "sign_off_decisions", school)
    ):
        raise PermissionDenied(
            "Only the school's DSLs and headteacher see who has looked at a case."
        )
    services.log_access(request.user, incident, AccessLog.What.PAGE)
    accesses = keyset_page(request, incident.accesses.select_related("user"), ("-at", "-pk"))
    return render(request, "records/access_log.html", {"incident": incident, "accesses": accesses})


@login_required
@weighty(on_get=True)
def incident_pdf(request, pk):
    incident = get_for_user(case_queryset(), request.user, pk=pk)
    services.log_access(request.user, incident, AccessLog.What.EXPORT)
    ctx = pdf.incident_context(incident, request.user)
    if pdf.estimated_pages(ctx) > pdf.WORKER_PAGES:
        return redirect("export_status", pdf.queue_incident_pdf(request.user, incident).pk)
    return _pdf_response(
        pdf.incident_pdf(incident, request.user, ctx), f"{incident.reference}.pdf"
    )


def academic_year_start(today):
    return (
        today.replace(month=9, day=1)
        if today.month >= 9
        else today.replace(year=today.year - 1, month=9, day=1)
    )


@login_required
@weighty(when=lambda request: request.GET.get("format") == "pdf")
def inspection_report(request):
    if not school_ids(request.user, "view_incidents"):
        raise PermissionDenied("Only the safeguarding team and the headteacher see incidents.")
    schools = schools_where(request.user, "view_incidents")  # read when the form is shown
    today = timezone.localdate()
    defaults = {"school": None, "start": academic_year_start(today), "end": today}
    # A page of the report's lists (the first visit's period) is no new period asked for.
    asked = request.GET.copy()
    for position in ("after", "before", "transfers_after", "transfers_before"):
        asked.pop(position, None)
    if asked:
        form = InspectionForm(request.GET, schools=schools)
        period = form.cleaned_data if form.is_valid() else None
    else:  # first visit: this academic year so far
        form = InspectionForm(initial=defaults, schools=schools)
        period = defaults
    ctx = {"form": form}
    if period is not None:
        school_id = period["school"].pk if period["school"] else None
        args = (request.user, school_id, period["start"], period["end"])
        if request.GET.get("format") == "pdf":
            if not exports.needs_worker(*args):
                content = exports.inspection_pdf_logged(
                    request.user, exports.inspection_context(*args)
                )
                return _pdf_response(content, "inspection-report.pdf")
            try:
                export = exports.queue_inspection_export(
                    request.user, school=period["school"], start=period["start"], end=period["end"]
                )
                return redirect("export_status", export.pk)
            except exports.ExportTooLarge as refused:
                form.add_error(None, str(refused))  # the report's page, with what to ask for
        report = exports.inspection_context(*args, every_row=False)
        page = keyset_page(request, report.pop("incidents"), ("disclosed_at", "pk"))
        page.items = inspection.rows(page.items)
        ctx |= report | {
            "row_count": report["count"],
            "rows": page,
            "transfers": keyset_page(
                request, report["transfers"], ("moved_on", "pk"), prefix="transfers_"
            ),
        }
        shown = [row.incident for row in ctx["rows"]]
        services.log_exports(request.user, shown, what=AccessLog.What.PAGE)
    ctx["forms_with_errors"] = with_errors(form)  # the period's errors, or the PDF refused
    return render(request, "records/inspection.html", ctx, status=400 if form.errors else 200)


# The young person's file and its transfer (R28, R31)


def _pupil(request, school_pk, pk, needs=None):
    pupil = get_for_user(
        Pupil.objects.select_related("school"),
        request.user,
        pk=pk,
        school_id=school_pk,
        needs=needs,
    )
    return pupil


@login_required
def pupil_file(request, school_pk, pk):
    pupil = _pupil(request, school_pk, pk)
    # The file shows each incident about the young person: each one's access log says so.
    services.log_exports(request.user, transfers.incidents_of(pupil), what=AccessLog.What.PAGE)
    ctx = {
        "pupil": pupil,
        "incidents": transfers.incidents_of(pupil),
        "transfers": pupil.transfers.all(),
        "received": pupil.received_files.all(),
        "can_change": has_school_perm(request.user, "change_incidents", pupil.school),
    }
    return render(request, "records/pupil_file.html", ctx)


def _log_file_export(request, pupil):
    services.log_exports(request.user, transfers.incidents_of(pupil))


@login_required
@weighty(on_get=True)
def pupil_file_json(request, school_pk, pk):
    pupil = _pupil(request, school_pk, pk, needs="change_incidents")
    _log_file_export(request, pupil)
    response = JsonResponse(transfers.young_person_file(pupil), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="young-person-file-{pupil.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@weighty(on_get=True)
def pupil_file_pdf(request, school_pk, pk):
    pupil = _pupil(request, school_pk, pk, needs="change_incidents")
    _log_file_export(request, pupil)
    return _pdf_response(
        pdf.young_person_pdf(pupil, request.user), f"young-person-file-{pupil.pk}.pdf"
    )


@login_required
def transfer_add(request, school_pk, pk):
    pupil = _pupil(request, school_pk, pk, needs="change_incidents")
    return record_page(
        request,
        incident=None,
        form=TransferForm(request.POST or None, school=pupil.school),
        save=lambda d: transfers.record_transfer(pupil, request.user, **d),
        title=f"Transfer {pupil}'s child protection file",
        button="Record the transfer",
        success="Transfer recorded: its deadline, and how it was counted, are shown below.",
        intro="The file goes to the new school separately from the main pupil file, securely, within 5 school days of the move (after the last day of a term, by the 5th school day of the next), counted in the school's term dates; ypsi chases the receipt.",
        then=reverse("pupil_file", args=[school_pk, pk]),
    )


def _transfer(request, school_pk, pk, transfer_pk) -> Transfer:
    pupil = _pupil(request, school_pk, pk, needs="change_incidents")
    return get_object_or_404(Transfer, pk=transfer_pk, pupil=pupil)


@login_required
def transfer_sent(request, school_pk, pk, transfer_pk):
    transfer = _transfer(request, school_pk, pk, transfer_pk)
    return record_page(
        request,
        incident=None,
        form=TransferSentForm(request.POST or None),
        save=lambda d: transfers.record_sent(transfer, request.user, **d),
        title=f"File sent to {transfer.to_school}",
        button="Save",
        success="Recorded as sent.",
        then=reverse("pupil_file", args=[school_pk, pk]),
    )


@login_required
def transfer_receipt(request, school_pk, pk, transfer_pk):
    transfer = _transfer(request, school_pk, pk, transfer_pk)
    return record_page(
        request,
        incident=None,
        form=TransferReceiptForm(request.POST or None),
        save=lambda d: transfers.record_receipt(transfer, request.user, **d),
        title=f"Receipt from {transfer.to_school}",
        button="Save",
        success="Receipt recorded.",
        then=reverse("pupil_file", args=[school_pk, pk]),
    )


@login_required
def import_file(request, pk):
    school = get_for_user(
        School.objects.all(), request.user, perm="change_incidents", via="pk", pk=pk
    )

    def save(d):
        text = read_text_upload(d["file"])
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):  # not JSON, or nested beyond reading
            raise ValidationError(
                "This is not a ypsi young person's file (it is not JSON)."
            ) from None
        received.append(transfers.import_file(school, request.user, data))

    received = []
    response = record_page(
        request,
        incident=None,
        form=ImportFileForm(request.POST or None, request.FILES or None),
        save=save,
        title="Import a child protection file",
        button="Import",
        success="File imported.",
        intro="A young person's file exported by another school running ypsi. It is kept as it came.",
        then=f"/schools/{school.pk}/pupils/",
    )
    if received:
        return redirect("pupil_file", school.pk, received[0].pupil_id)
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_status(request, pk):
    export = get_object_or_404(Export, pk=pk, requested_by=request.user)
    return render(request, "records/export_status.html", {"export": export})


@login_required
@weighty(on_get=True)
def export_download(request, pk):
    export = get_object_or_404(Export, pk=pk, requested_by=request.user, status=Export.Status.DONE)
    try:
        content = exports.download(request.user, export)
    except exports.ExportExpired:
        return render(request, "records/export_expired.html", {"export": export}, status=410)
    reference = export.params.get("reference")
    name = f"{reference}.pdf" if reference else f"inspection-report-{export.pk}.pdf"
    return _pdf_response(content, name)
