"""Background work. Tasks take no state in their messages: they sweep the database.

Each is bounded (settings: EMAIL_TIMEOUT on every send, CELERY_TASK_SOFT_TIME_LIMIT and
CELERY_TASK_TIME_LIMIT on every task), and a failed send is retried by the rows' own backoff,
not by the task: the next sweep picks up what is due, whatever happened to this one."""

import logging

from celery import shared_task

from . import hub, services, workspace

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_notifications() -> int:
    return services.send_pending_notifications()


@shared_task(acks_late=True)
def sweep() -> dict:
    """Periodic: everything that fell due, including while a worker or the broker was down.

    Each app's sweep (records: the reminders of overdue deletions, sign-offs and actions) runs
    first, so what it writes is sent in the same run."""
    done = hub.run_sweeps()
    return done | {"notifications": services.send_pending_notifications()}


@shared_task(acks_late=True)
def check_workspace() -> int:
    """Daily: every open case's kept dashboard group against the rule; any that differ are
    mended and logged as an error, since each is a change that skipped the services' lock."""
    wrong = workspace.verify()
    if wrong:
        log.error("Dashboard groups out of date, now mended: %s", ", ".join(wrong))
    return len(wrong)


@shared_task(ignore_result=False)
def ping() -> str:
    """Answers "pong": proves a worker is consuming the queue (used by the round-trip tests)."""
    return "pong"
