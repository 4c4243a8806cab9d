"""PDF exports with WeasyPrint, as PDF/A so that they archive well (R28).

PDF/A-3a rather than 3b: the level A of PDF/A is tagged (headings, lists and tables in a
structure tree, the document's language and title), so a screen reader follows the record
(issue 12). WeasyPrint takes one variant: its "pdf/ua-1" writes the same tags but no PDF/A."""

import datetime
import gc

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.permissions import get_for_user
from incidents.casefile import case_file, case_queryset
from incidents.chronology import chronology
from incidents.rules import PersonRole

from .audit import audit_trail
from .models import Export

# Past about this many pages an incident's PDF is built by the worker, with its progress shown,
# as the inspection report is (exports.py): a case with years of history takes minutes.
WORKER_PAGES = 20
ROWS_PER_PAGE = 40  # of the chronology and the audit trail
CHARACTERS_PER_PAGE = 4000  # of the account and other text


def write(html: str) -> bytes:
    """The PDF of `html`: laid out, then written. The layout leaves its garbage (the parsed
    page, the boxes it tried) in reference cycles, collected before the writing, which needs
    as much again: a school's 2,000 incidents, then a table, peaked at 303 MB rather than 390
    (issue 14)."""
    from weasyprint import HTML  # imported here: it takes most of a second

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(pdf_variant="pdf/a-3a")
    gc.collect()
    return document.write_pdf(pdf_variant="pdf/a-3a")


def incident_context(incident, user) -> dict:
    return case_file(incident) | {
        "events": chronology(incident),
        "entries": audit_trail(incident),
        "generated_at": timezone.localtime(),
        "generated_by": user,
        "pdf": True,
    }


def incident_pdf(incident, user, ctx: dict | None = None) -> bytes:
    """One incident's whole record, with its chronology and audit trail as appendices."""

    html = render_to_string("records/incident_pdf.html", ctx or incident_context(incident, user))
    return write(html)


def estimated_pages(ctx: dict) -> int:
    """About how many pages the record runs to, counted before WeasyPrint lays it out."""
    rows = len(ctx["events"]) + len(ctx["entries"]) + len(ctx["people"])
    return 2 + rows // ROWS_PER_PAGE + len(ctx["incident"].account) // CHARACTERS_PER_PAGE


def queue_incident_pdf(user, incident) -> Export:
    from .tasks import build_incident_pdf

    export = Export.objects.create(
        requested_by=user,
        params={"kind": "incident", "incident": incident.pk, "reference": incident.reference},
    )
    build_incident_pdf.delay(export.pk)
    return export


def build_incident_export(export: Export) -> None:
    """The worker's part: access checked again now (a role removed since means no file), then
    the record gathered and laid out, its progress recorded as it goes."""
    user = export.requested_by
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=5)
    incident = get_for_user(case_queryset(), user, pk=export.params["incident"])
    ctx = incident_context(incident, user)
    Export.objects.filter(pk=export.pk).update(progress=40)
    content = incident_pdf(incident, user, ctx)
    export.incidents.set([incident])
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE, progress=100, content=content, finished_at=timezone.now()
    )


def inspection_pdf(ctx: dict, user) -> bytes:

    html = render_to_string(
        "records/inspection_pdf.html",
        ctx | {"generated_at": timezone.localtime(), "generated_by": user, "pdf": True},
    )
    return write(html)


def young_person_pdf(pupil, user) -> bytes:
    """Everything about one young person across incidents, for their new school (R28, R31),
    in the incident PDF's words and dates: "Received it", "1 September 2026"."""

    from .transfers import young_person_file

    html = render_to_string(
        "records/young_person_pdf.html",
        {
            "file": readable(young_person_file(pupil)),
            "pupil": pupil,
            "generated_at": timezone.localtime(),
            "generated_by": user,
        },
    )
    return write(html)


def readable(file: dict) -> dict:
    """The young person's file (JSON: codes and ISO times, docs/young-person-file.md) as the
    PDF shows it: each part by its label and each time as a time, for the date filter."""

    def at(value):
        return datetime.datetime.fromisoformat(value) if value else None

    def roles(codes):
        return [PersonRole(c).label if c in PersonRole.values else c for c in codes]

    incidents = [
        i
        | {
            "disclosed_at": at(i["disclosed_at"]),
            "roles": roles(i["roles"]),
            "decisions": [d | {"made_at": at(d["made_at"])} for d in i["decisions"]],
            "referrals": [r | {"made_at": at(r["made_at"])} for r in i["referrals"]],
            "actions": [a | {"done": at(a["done"])} for a in i["actions"]],
        }
        for i in file["incidents"]
    ]
    return file | {"incidents": incidents}
