"""Exports too large to build while the user waits: a trust's year, say.

The worker checks access again through the permission helper when it runs: a role removed
since the request means no file.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.permissions import schools_where, scoped
from incidents.models import Incident

from . import inspection, pdf
from .models import AccessLog, Export, Transfer
from .services import log_exports

log = logging.getLogger(__name__)
# Long enough for a worker to have started an export published as it was asked for.
REPUBLISH_AFTER = datetime.timedelta(minutes=1)


def needs_worker(user, school_id, start: datetime.date, end: datetime.date) -> bool:
    """Whether the report asked for holds too many incidents to build while the user waits:
    those of the period asked for, not every incident the user may see."""
    return count_in_report(user, school_id, start, end) > settings.EXPORT_SYNC_LIMIT


def count_in_report(user, school_id, start: datetime.date, end: datetime.date) -> int:
    return in_period(visible_incidents(user, school_id), start, end).count()


def in_period(incidents, start: datetime.date, end: datetime.date):
    """Incidents disclosed from `start` to `end`, both days whole, as the report counts them."""
    return inspection.in_period(incidents, start, end)


class ExportTooLarge(ValueError):
    """A report over more incidents than a worker can lay out as one PDF in its time."""

    def __init__(self, count: int):
        super().__init__(
            f"This report holds {count:,} incidents, and a PDF can hold at most "
            f"{settings.EXPORT_MAX_INCIDENTS:,}. Choose one school or a shorter period, and "
            "download the report in parts."
        )


def queue_inspection_export(user, *, school, start, end) -> Export:
    """The export's row now; its message to a worker once the request's transaction commits
    (a worker must never look for a row not yet committed, nor build one rolled back).
    Refused, before anything is queued, past `EXPORT_MAX_INCIDENTS`."""
    count = count_in_report(user, school.pk if school else None, start, end)
    if count > settings.EXPORT_MAX_INCIDENTS:
        raise ExportTooLarge(count)
    export = Export.objects.create(
        requested_by=user,
        params={
            "school": school.pk if school else None,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    transaction.on_commit(lambda: publish(export))
    return export


def publish(export: Export) -> None:
    """Ask a worker to build `export`. It must not fail the request or wait on the broker: with
    the broker away the export stays queued and the sweep publishes it again
    (`republish_queued`); one attempt (CELERY_TASK_PUBLISH_RETRY_POLICY)."""
    from .tasks import build_incident_pdf, build_inspection_export

    task = (
        build_incident_pdf if export.params.get("kind") == "incident" else build_inspection_export
    )
    try:
        task.delay(export.pk)
    except Exception:
        log.warning("Could not queue export %s; the sweep will", export.pk, exc_info=True)


def republish_queued() -> int:
    """The sweep's part: exports still waiting to start a minute after they were asked for,
    their message lost to a broker that was away, are published again. A duplicate message
    is harmless: a worker does nothing for an export already built."""
    stale = Export.objects.filter(
        status=Export.Status.QUEUED,
        created_at__lt=timezone.now() - REPUBLISH_AFTER,
    )
    exports = list(stale.only("pk", "params"))
    for export in exports:
        publish(export)
    return len(exports)


def visible_incidents(user, school_id):
    incidents = scoped(Incident.objects.all(), user)
    return incidents.filter(school_id=school_id) if school_id else incidents


def inspection_context(user, school_id, start, end, *, every_row: bool = True) -> dict:
    """The report's data for `user`, always through the permission helper: its figures, and
    either every row (the PDF) or, with `every_row` false, `incidents` to page through and
    build the rows of (`inspection.rows`)."""
    school = (
        schools_where(user, "view_incidents").filter(pk=school_id).first() if school_id else None
    )
    moves = scoped(Transfer.objects.all(), user, via="pupil__school")
    if school_id:
        moves = moves.filter(pupil__school_id=school_id)
    incidents = visible_incidents(user, school_id)
    if every_row:
        data = inspection.report(incidents, start, end, transfers=moves)
    else:
        data = inspection.summary(incidents, start, end, transfers=moves) | {
            "incidents": inspection.timed(in_period(incidents, start, end)).select_related(
                "school"
            )
        }
    return data | {"school": school}


def inspection_pdf_logged(user, ctx) -> bytes:
    """Render the report and log the export against every incident in it."""
    content = pdf.inspection_pdf(ctx, user)
    log_exports(user, [row.incident for row in ctx["rows"]])
    return content


def build(export: Export) -> None:
    user = export.requested_by
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=5)
    start = datetime.date.fromisoformat(export.params["start"])
    end = datetime.date.fromisoformat(export.params["end"])
    ctx = inspection_context(user, export.params["school"], start, end)
    Export.objects.filter(pk=export.pk).update(progress=40)
    content = inspection_pdf_logged(user, ctx)
    export.incidents.set([row.incident for row in ctx["rows"]])
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE, progress=100, content=content, finished_at=timezone.now()
    )


class ExportExpired(Exception):
    """The file is gone: an export is a copy of case records, kept only for a while."""


def download(user, export: Export) -> bytes:
    """The file, for its requester, if it has not expired and they may still see all it holds.

    Access is checked again now, not only when it was built: a role removed since means no file.
    The download is logged against every incident in it, like the export itself.
    """
    if export.content is None or export.expires_at is None or timezone.now() >= export.expires_at:
        raise ExportExpired
    held = export.incidents.select_related("school")
    if held.exclude(pk__in=scoped(Incident.objects.all(), user)).exists():
        raise PermissionDenied(
            "You no longer have access to every incident in this export, so it cannot be "
            "downloaded. Ask the school's DSL if you need it."
        )
    log_exports(user, held, what=AccessLog.What.DOWNLOAD)
    return bytes(export.content)


def clear_expired() -> int:
    """The periodic sweep empties expired exports; the access log of what was in them stays."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.EXPORT_EXPIRES_HOURS)
    return Export.objects.filter(finished_at__lt=cutoff, content__isnull=False).update(
        content=None
    )
