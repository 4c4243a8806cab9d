"""Intake: a concern reported, and the people involved in it (R1, R2, R4, R25)."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Pupil, School
from accounts.permissions import has_school_perm, safeguarding_recipients
from ypsi.recording import save

from .. import hub
from ..models import Incident, InvolvedPerson, Notification
from ..rules import AgeBand, PersonRole
from .notifications import enqueue_notifications


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
        save(person_row(incident, person), reporter, "Concern reported")
    # Other apps' part of a new report (a report from the police starts with its referral, R14).
    hub.incident_reported.send(sender=Incident, incident=incident, reporter=reporter)

    Notification.objects.bulk_create(
        Notification(recipient=user, incident=incident, kind=Notification.Kind.NEW_CONCERN)
        for user in safeguarding_recipients(school)
    )
    transaction.on_commit(enqueue_notifications)
    return incident


def person_row(incident: Incident, person: Person) -> InvolvedPerson:
    """A roster pupil's details come from the roster; only others are described here."""
    pupil = person.pupil
    return InvolvedPerson(
        incident=incident,
        pupil=pupil,
        name="" if pupil else person.name.strip(),
        date_of_birth=None if pupil else person.date_of_birth,
        age=None if pupil else person.age,
        age_band=AgeBand.UNKNOWN if pupil else person.age_band,
        sex="not_known" if pupil else person.sex,
        year_group="" if pupil else person.year_group,
        school_name="" if pupil else person.school_name,
        roles=list(dict.fromkeys(person.roles)),
    )
