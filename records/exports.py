"""Exports too large to build while the user waits: a trust's year, say.

The worker checks access again through the permission helper when it runs: a role removed
since the request means no file.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.permissions import schools_where, scoped
from incidents.models import Incident

from . import inspection, pdf
from .models import Export, Transfer
from .services import log_exports


def needs_worker(incidents) -> bool:
    return incidents.count() > settings.EXPORT_SYNC_LIMIT


def queue_inspection_export(user, *, school, start, end) -> Export:
    from .tasks import build_inspection_export

    export = Export.objects.create(
        requested_by=user,
        params={
            "school": school.pk if school else None,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    build_inspection_export.delay(export.pk)
    return export


def visible_incidents(user, school_id):
    incidents = scoped(Incident.objects.all(), user)
    return incidents.filter(school_id=school_id) if school_id else incidents


def inspection_context(user, school_id, start, end) -> dict:
    """The report's data for `user`, always through the permission helper."""
    school = (
        schools_where(user, "view_incidents").filter(pk=school_id).first() if school_id else None
    )
    moves = scoped(Transfer.objects.all(), user, via="pupil__school")
    if school_id:
        moves = moves.filter(pupil__school_id=school_id)
    data = inspection.report(visible_incidents(user, school_id), start, end, transfers=moves)
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
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE, progress=100, content=content, finished_at=timezone.now()
    )
