"""The rules of intake (R1, R2, R4, R25), called by views, commands and tasks alike."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, School
from accounts.permissions import has_school_perm, safeguarding_recipients

from .models import AgeBand, Incident, InvolvedPerson, Notification, PersonRole

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass
class Person:
    """One person as the reporter describes them: a roster pupil, or someone else."""

    roles: list[str]
    pupil: Pupil | None = None
    name: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    age_band: str = AgeBand.UNKNOWN
    sex: str = "not_known"
    year_group: str = ""
    school_name: str = ""
    errors: list[str] = field(default_factory=list)


def next_reference(school: School) -> str:
    # A conditional UPDATE serialises concurrent reports in the same school.
    School.objects.filter(pk=school.pk).update(incident_counter=F("incident_counter") + 1)
    number = School.objects.values_list("incident_counter", flat=True).get(pk=school.pk)
    return f"{school.code}-{timezone.localdate().year}-{number:04d}"


def check_person(school: School, person: Person) -> None:
    if not person.roles:
        raise ValidationError("Say what part each person had in the incident.")
    unknown = set(person.roles) - set(PersonRole.values)
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(sorted(unknown))}.")
    if person.pupil is not None and person.pupil.school_id != school.pk:
        # A pupil of another school is described by name, never linked (R29).
        raise ValidationError("That pupil is not on this school's roll.")
    if person.pupil is None and not person.name.strip():
        raise ValidationError("Give a name or a description for each person who is not a pupil.")


@transaction.atomic
def report_concern(
    *,
    reporter,
    school: School,
    disclosure_source: str,
    disclosed_at,
    received_by: str,
    account: str,
    discloser: str = "",
    devices_and_platforms: str = "",
    spread: str = "unknown",
    people: list[Person] = (),
) -> Incident:
    """Record a concern and tell the school's DSL and deputies at once (R1)."""
    if not has_school_perm(reporter, "report_concern", school):
        raise PermissionDenied("You can only report concerns at a school where you work.")
    if disclosed_at > timezone.now():
        raise ValidationError("The disclosure cannot be in the future.")
    for person in people:
        check_person(school, person)

    incident = Incident(
        school=school,
        reference=next_reference(school),
        reported_by=reporter,
        disclosure_source=disclosure_source,
        discloser=discloser,
        disclosed_at=disclosed_at,
        received_by=received_by,
        account=account,
        devices_and_platforms=devices_and_platforms,
        spread=spread,
    )
    incident.full_clean(exclude=["reference"])
    incident._change_reason = "Concern reported"
    incident._history_user = reporter
    incident.save()
    for person in people:
        row = InvolvedPerson(
            incident=incident,
            pupil=person.pupil,
            name="" if person.pupil else person.name.strip(),
            date_of_birth=None if person.pupil else person.date_of_birth,
            age=None if person.pupil else person.age,
            age_band=AgeBand.UNKNOWN if person.pupil else person.age_band,
            sex="not_known" if person.pupil else person.sex,
            year_group="" if person.pupil else person.year_group,
            school_name="" if person.pupil else person.school_name,
            roles=list(dict.fromkeys(person.roles)),
        )
        row._change_reason = "Concern reported"
        row._history_user = reporter
        row.save()

    Notification.objects.bulk_create(
        Notification(recipient=user, incident=incident, kind=Notification.Kind.NEW_CONCERN)
        for user in safeguarding_recipients(school)
    )
    transaction.on_commit(enqueue_notifications)
    return incident


def enqueue_notifications() -> None:
    from .tasks import send_notifications

    try:
        send_notifications.delay()
    except Exception:
        # The rows are in the database; the periodic sweep will send them.
        log.exception("Could not queue notifications; the sweep will send them")


def send_pending_notifications() -> int:
    """Send every unsent notification not claimed by a live worker; returns how many were sent."""
    now = timezone.now()
    pending = Notification.objects.filter(sent_at__isnull=True).exclude(
        claimed_at__gt=now - CLAIM_TIMEOUT
    )
    sent = 0
    for note in pending.select_related("recipient"):
        # Claim with a conditional UPDATE so two workers never send the same email.
        claimed = Notification.objects.filter(
            pk=note.pk, sent_at__isnull=True, claimed_at=note.claimed_at
        ).update(claimed_at=now)
        if not claimed:
            continue
        try:
            deliver(note)
        except Exception:
            log.exception("Notification %s not sent; will retry", note.pk)
            Notification.objects.filter(pk=note.pk).update(claimed_at=None)
            continue
        Notification.objects.filter(pk=note.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def deliver(note: Notification) -> None:
    """The email says only that something needs attention, with a link behind login (R34)."""
    context = {
        "recipient": note.recipient,
        "link": settings.SITE_URL + reverse("incident_detail", args=[note.incident_id]),
    }
    send_mail(
        subject=render_to_string("emails/new_concern_subject.txt", context).strip(),
        message=render_to_string("emails/new_concern.txt", context),
        html_message=render_to_string("emails/new_concern.html", context),
        from_email=None,
        recipient_list=[note.recipient.email],
    )
