"""Large exports, built by a worker with their progress recorded (issue 6)."""

import logging

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def build_inspection_export(export_id: int) -> None:
    from .exports import build
    from .models import Export

    try:
        export = Export.objects.select_related("requested_by").get(pk=export_id)
    except Export.DoesNotExist:
        return
    if export.status == Export.Status.DONE:
        return  # a redelivered message after the work was done
    try:
        build(export)
    except Exception:
        log.exception("Export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, finished_at=timezone.now()
        )
        raise


@shared_task(acks_late=True)
def build_incident_pdf(export_id: int) -> None:
    """An incident's PDF too long to build while the user waits (records/pdf.py)."""
    from .models import Export
    from .pdf import build_incident_export

    try:
        export = Export.objects.select_related("requested_by").get(pk=export_id)
    except Export.DoesNotExist:
        return
    if export.status == Export.Status.DONE:
        return
    try:
        build_incident_export(export)
    except Exception:
        log.exception("Incident PDF export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, finished_at=timezone.now()
        )
        raise


@shared_task(acks_late=True)
def check_calendars() -> int:
    """Weekly: tell schools whose term dates (or the bank holidays) run out soon (issue 20)."""
    from .chasing import calendar_reminders

    return calendar_reminders()


@shared_task(acks_late=True)
def list_retention_due() -> int:
    """Monthly (R32, R40): list the records whose retention review falls due this month.
    It lists; it never disposes of anything."""
    from .retention import list_due

    return list_due()
