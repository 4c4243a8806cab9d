"""/health/: whether ypsi can do its work, for a monitor. No login, and it names no person or case.

200 when the database and the broker answer and no alert is undelivered past
NOTIFICATION_LATE_SECONDS; 503 (degraded) otherwise.
Point a monitor at it, not a load balancer's liveness probe: a late alert or the broker being
down is something for a person to fix, while the pages go on working.
"""

from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerError

from incidents.services.notifications import late_count

from .celery import app


@never_cache
@require_GET
@transaction.non_atomic_requests
def health(request) -> JsonResponse:
    report = {"database": "ok", "broker": _broker(), "undelivered_alerts": None}
    try:
        report["undelivered_alerts"] = late_count()
    except DatabaseError:
        report["database"] = "down"
    ok = report["database"] == report["broker"] == "ok" and report["undelivered_alerts"] == 0
    return JsonResponse(
        {"status": "ok" if ok else "degraded", **report}, status=200 if ok else 503
    )


def _broker() -> str:
    """One connection attempt, bounded by the broker's connect timeout (settings)."""
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=0)
    except (BrokerError, OSError):
        return "down"
    return "ok"
