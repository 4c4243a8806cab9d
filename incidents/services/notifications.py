"""Notifications: rows in the database, sent by a worker and retried by the sweep (R1, R24)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Notification

log = logging.getLogger(__name__)


def enqueue_notifications() -> None:
    from ..tasks import send_notifications

    try:
        send_notifications.delay()
    except Exception:
        # The rows are in the database; the periodic sweep will send them.
        log.exception("Could not queue notifications; the sweep will send them")


def send_pending_notifications() -> int:
    """Send what is due; returns how many were sent.

    A new concern is sent at least once: it is claimed, sent, then marked, so a worker that dies
    between the two leaves it to be sent again once the claim expires (a lost alert could leave a
    child at risk). A reminder is sent at most once: it is marked before it is sent, so a worker
    that dies cannot send it twice, and the next interval's reminder follows anyway (R24).
    """
    now = timezone.now()
    timeout = timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    pending = Notification.objects.filter(sent_at__isnull=True).exclude(
        claimed_at__gt=now - timeout
    )
    sent = 0
    for note in pending.select_related("recipient"):
        row = Notification.objects.filter(pk=note.pk, sent_at__isnull=True)
        at_least_once = note.kind == Notification.Kind.NEW_CONCERN
        # A conditional UPDATE is the claim: of two workers, only one changes the row.
        if at_least_once:
            claimed = row.filter(claimed_at=note.claimed_at).update(claimed_at=now)
        else:
            claimed = row.update(claimed_at=now, sent_at=now)
        if not claimed:
            continue
        try:
            deliver(note)
        except Exception:
            log.exception("Notification %s not sent; will retry", note.pk)
            Notification.objects.filter(pk=note.pk).update(claimed_at=None, sent_at=None)
            continue
        if at_least_once:
            Notification.objects.filter(pk=note.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def deliver(note: Notification) -> None:
    """The email says only that something needs attention, with a link behind login (R34)."""
    context = {
        "recipient": note.recipient,
        "what": note.get_kind_display(),
        "link": settings.SITE_URL
        + (note.link or reverse("incident_detail", args=[note.incident_id])),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/notification_subject.txt", context).strip(),
        body=render_to_string("emails/notification.txt", context),
        to=[note.recipient.email],
        headers={"X-Ypsi-Notification": str(note.pk)},
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    message.send()
