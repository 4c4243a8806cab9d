"""PDF exports with WeasyPrint, as PDF/A so that they archive well (R28)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from incidents.casefile import case_file
from incidents.chronology import chronology

from .audit import audit_trail


def incident_pdf(incident, user) -> bytes:
    """One incident's whole record, with its chronology and audit trail as appendices."""
    from weasyprint import HTML  # imported here: it takes most of a second

    ctx = case_file(incident) | {
        "events": chronology(incident),
        "entries": audit_trail(incident),
        "generated_at": timezone.localtime(),
        "generated_by": user,
        "pdf": True,
    }
    html = render_to_string("records/incident_pdf.html", ctx)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")


def inspection_pdf(ctx: dict, user) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "records/inspection_pdf.html",
        ctx | {"generated_at": timezone.localtime(), "generated_by": user, "pdf": True},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")


def young_person_pdf(pupil, user) -> bytes:
    """Everything about one young person across incidents, for their new school (R28, R31)."""
    from weasyprint import HTML

    from .transfers import young_person_file

    html = render_to_string(
        "records/young_person_pdf.html",
        {
            "file": young_person_file(pupil),
            "pupil": pupil,
            "generated_at": timezone.localtime(),
            "generated_by": user,
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
