"""Notifications: rows in the database, sent by a worker and retried by the sweep (R1, R24).

Every send is bounded, so a mail server that stalls never holds the worker: the SMTP connection
gives up after EMAIL_TIMEOUT (and the task after its time limit, should a server answer, but
slowly), and a server that cannot be reached ends the run (the rest wait for the next sweep
rather than a timeout each). A failure that may pass (no answer, an SMTP 4xx)
is tried again after a growing wait; one that will not (an SMTP 5xx on the recipient, no
address) is given up with its reason. Either way it is seen: `undelivered()` is what the
dashboard shows the school and the recipient, and what /health/ counts. The failure is a row
of its own (DeliveryFailure), so the chase's bulk insert of reminders stays as cheap.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import roles_at, school_ids
from ypsi.pagination import first_of

from ..models import DeliveryFailure, Notification

log = logging.getLogger(__name__)

# After the first failure the next sweep tries again (a dropped connection usually passes);
# then 1, 3, 7, 15, 31 minutes later, and hourly after that.
RETRY_STEP = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=1)


class PermanentFailure(Exception):
    """Sending again would fail the same way: the notification is given up, with this reason."""


@dataclass(frozen=True)
class Failure:
    reason: str
    permanent: bool = False
    # The mail server itself is out: trying the next notification now would only wait again.
    server_down: bool = False


def enqueue_notifications() -> None:
    """Ask a worker to send now. Called after the commit of a person's request, so it must not
    wait on the broker: one attempt, no retry (CELERY_TASK_PUBLISH_RETRY_POLICY), and with the
    broker down the rows are in the database and the periodic sweep sends them."""
    from ..tasks import send_notifications

    try:
        send_notifications.delay()
    except Exception:
        log.warning("Could not queue notifications; the sweep will send them", exc_info=True)


def send_pending_notifications() -> int:
    """Send what is due; returns how many were sent.

    A new concern is sent at least once: it is claimed, sent, then marked, so a worker that dies
    between the two leaves it to be sent again once the claim expires (a lost alert could leave a
    child at risk). A reminder is sent at most once: it is marked before it is sent, so a worker
    that dies cannot send it twice, and the next interval's reminder follows anyway (R24). A
    failed send, of either kind, is recorded and tried again later or given up (`diagnose`).
    """
    now = timezone.now()
    timeout = timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    pending = (
        Notification.objects.filter(sent_at__isnull=True)
        .exclude(claimed_at__gt=now - timeout)
        .filter(Q(failure=None) | Q(failure__gave_up_at=None, failure__retry_after__lte=now))
    )
    sent = 0
    for note in pending.select_related("recipient", "failure", "incident__school").order_by("pk"):
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
        except SoftTimeLimitExceeded:
            # The task's time is up with this send in flight. Recorded as a failure, so that a
            # server that answers, but too slowly, waits its turn as one that does not answer
            # does, instead of holding every run until its limit.
            record_failure(note, Failure("The send did not end within the task's time limit"))
            raise
        except Exception as error:
            failure = diagnose(error)
            log.warning("Notification %s not sent: %s", note.pk, failure.reason, exc_info=True)
            record_failure(note, failure)
            if failure.server_down:
                break
            continue
        if at_least_once:
            Notification.objects.filter(pk=note.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def tell(kind: str, incident, users, key: str) -> None:
    """Write one notification per user (once: `key` is unique), sent after the commit."""
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, incident=incident, kind=kind, key=f"{key}:{u.pk}")
            for u in users
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(enqueue_notifications)


def tell_sign_off_needed(decision, after=None) -> None:
    """A decision to manage in school waits for its sign-off (R10): the headteacher is told at
    once, or, when the headteacher made it, the nominated signatory; again `after` a sign-off
    that the facts no longer match."""
    school = decision.incident.school
    role = Role.SIGNATORY if Role.HEADTEACHER in roles_at(decision.made_by, school) else None
    signers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role=role or Role.HEADTEACHER,
        )
        .exclude(pk=decision.made_by_id)
        .distinct()
    )
    key = f"sign:{decision.pk}:{after.pk if after else 0}"
    tell(Notification.Kind.AWAITING_SIGN_OFF, decision.incident, signers, key)


def tell_sent_back(sign_off) -> None:
    """The headteacher sent a decision back: whoever made it is told (R10)."""
    decision = sign_off.decision
    tell(
        Notification.Kind.SENT_BACK,
        decision.incident,
        [decision.made_by],
        f"sent_back:{sign_off.pk}",
    )


def read(user, notes=None, incident=None) -> int:
    """Mark the user's notifications read: those given, or all about `incident`."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notes is not None:
        mine = mine.filter(pk__in=[n.pk for n in notes])
    if incident is not None:
        mine = mine.filter(incident=incident)
    return mine.update(read_at=timezone.now())


def read_on_opening(sender, user, incident, what: str, **kwargs) -> None:
    if what == "incident":
        read(user, incident=incident)


def deliver(note: Notification) -> None:
    """The email names the school and the reference, and nothing of the case, with a link
    behind login (R34)."""
    if not note.recipient.email:
        raise PermanentFailure("No email address")
    incident = note.incident
    context = {
        "recipient": note.recipient,
        "what": note.get_kind_display(),
        "school": incident.school.name if incident else "",
        "reference": incident.reference if incident else "",
        "link": settings.SITE_URL + link(note),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/notification_subject.txt", context).strip(),
        body=render_to_string("emails/notification.txt", context),
        to=[note.recipient.email],
        # Auto-Submitted (RFC 3834): an out-of-office reply is not sent back to an alert.
        headers={"X-Ypsi-Notification": str(note.pk), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    message.send()


def diagnose(error: Exception) -> Failure:
    """What a failed send means: whether it may pass, and whether the server itself is out."""
    if isinstance(error, PermanentFailure):
        return Failure(str(error), permanent=True)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(error.recipients.values()))
        reason = f"The mail server refused the address: {code} {_text(answer)}"
        return Failure(reason, permanent=code >= 500)
    if isinstance(error, smtplib.SMTPResponseException):
        # 421: the server is closing the connection for everyone, not refusing this message.
        reason = f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
        return Failure(reason, server_down=error.smtp_code == 421)
    if isinstance(error, smtplib.SMTPServerDisconnected) or (
        isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
    ):
        # Refused, timed out, reset or unresolvable: nothing else can be sent now either.
        return Failure(f"The mail server could not be reached: {error}", server_down=True)
    return Failure(f"Could not be sent: {type(error).__name__}: {error}")


def link(note: Notification) -> str:
    return note.link or reverse("incident_detail", args=[note.incident_id])


def record_failure(note: Notification, failure: Failure) -> None:
    """Give the row back (a reminder too: it was not sent) with why, and when to try again."""
    now = timezone.now()
    before = getattr(note, "failure", None)
    failures = before.failures + 1 if before else 1
    # Saved by its key, the notification's: the first failure inserts, a later one updates.
    DeliveryFailure(
        notification=note,
        since=before.since if before else now,
        failures=failures,
        reason=failure.reason[:300],
        retry_after=None if failure.permanent else now + retry_wait(failures),
        gave_up_at=now if failure.permanent else None,
    ).save()
    Notification.objects.filter(pk=note.pk).update(claimed_at=None, sent_at=None)


def retry_wait(failures: int) -> timedelta:
    return min(RETRY_STEP * (2 ** min(failures - 1, 7) - 1), RETRY_LONGEST)


def undelivered() -> QuerySet[Notification]:
    """Notifications that are not reaching their recipient: not sent, and either failed at least
    once or late (older than NOTIFICATION_LATE_SECONDS), with no email reaching that person since.

    An email that reaches them later shows their address works again, so what they missed before
    it stops being shown (a concern stays on the DSL's dashboard until it is reviewed anyway).
    A user who was deactivated needs no alert.
    """
    late = timezone.now() - timedelta(seconds=settings.NOTIFICATION_LATE_SECONDS)
    reached_since = Notification.objects.filter(
        recipient=OuterRef("recipient"),
        sent_at__gt=Coalesce(OuterRef("failure__since"), OuterRef("created_at")),
    )
    return (
        Notification.objects.filter(sent_at__isnull=True, recipient__is_active=True)
        .filter(Q(failure__isnull=False) | Q(created_at__lt=late))
        .filter(~Exists(reached_since))
    )


def late_count() -> int:
    """How many alerts are late (for /health/): a number, naming no person or case."""
    late = timezone.now() - timedelta(seconds=settings.NOTIFICATION_LATE_SECONDS)
    return undelivered().filter(created_at__lt=late).count()


def alerts_panel(user) -> dict:
    """The dashboard's part: to those who look after a school's people (its DSLs, headteacher
    and administrator), whose alerts are failing and since when (no case is named); and to
    anyone, what could not be emailed to them, so it still reaches them here."""
    staff = get_user_model().objects.filter(
        memberships__school_id__in=sorted(school_ids(user, "manage_roster"))
    )
    failing = {}  # recipient: since their first failure, and the latest reason
    missed = []  # the user's own
    # One read for both: the staff's failing alerts and the user's own missed ones.
    for note in (
        undelivered()
        .annotate(of_staff=Exists(staff.filter(pk=OuterRef("recipient"))))
        .filter(Q(of_staff=True, failure__isnull=False) | Q(recipient=user))
        .select_related("recipient", "failure")
        .order_by("failure__since", "pk")
    ):
        if note.recipient_id == user.pk:
            missed.append(note)
        failure = getattr(note, "failure", None)  # none: late, not failed
        if note.of_staff and failure is not None:
            since = failing.get(note.recipient, {}).get("since", failure.since)
            failing[note.recipient] = {"since": since, "reason": failure.reason}
    return {
        "alerts_failing": [{"recipient": who, **about} for who, about in failing.items()],
        # However long the mail server is down, the page lists the earliest and counts the rest.
        "alerts_missed": first_of(
            [
                {"what": note.get_kind_display(), "at": note.created_at, "link": link(note)}
                for note in sorted(missed, key=lambda note: (note.created_at, note.pk))
            ]
        ),
    }


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
