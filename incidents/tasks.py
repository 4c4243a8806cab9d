"""Background work. Tasks take no state in their messages: they sweep the database."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_notifications() -> int:
    return services.send_pending_notifications()


@shared_task(acks_late=True)
def sweep() -> dict:
    """Periodic: everything that fell due, including while a worker or the broker was down."""
    from records.chasing import create_reminders

    reminders = create_reminders()
    return {"reminders": reminders, "notifications": services.send_pending_notifications()}


@shared_task
def ping() -> str:
    """Answers "pong": proves a worker is consuming the queue (used by the round-trip tests)."""
    return "pong"
