"""Intake: a concern reported, and the people involved in it (R1, R2, R4, R25)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, School
from accounts.permissions import has_school_perm, safeguarding_recipients
from ypsi.recording import save

from .. import hub
from ..models import Incident, InvolvedPerson, Notification, ReportFlood
from ..rules import AgeBand, PersonKind, PersonRole
from .decision import record_police_already_involved
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
    # R4: for anyone involved, roster pupil or not; a group counts roughly ("about 200").
    group_size: int | None = None
    sen_or_disability: bool = False
    looked_after: bool = False
    known_to_social_care: bool = False
    # R36: an online contact whose age is not verified, or an AI application.
    kind: str = PersonKind.PERSON
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
    if person.kind not in PersonKind.values:
        raise ValidationError(f"Unknown kind of party: {person.kind}.")
    if person.pupil is not None and person.kind != PersonKind.PERSON:
        raise ValidationError(
            "A pupil on the roll is a young person: not an online contact or an AI application."
        )
    if person.pupil is None and not person.name.strip():
        raise ValidationError("Give a name or a description for each person who is not a pupil.")
    if person.group_size is not None and (person.pupil is not None or person.group_size < 2):
        raise ValidationError(
            "A group is described by name (such as 'Year 9 group chat') with roughly how many "
            "are in it: two or more."
        )


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
    check_volume(reporter, school)
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
    # With the police's referral now on record, the decision is made: the police are involved.
    record_police_already_involved(incident, reporter)

    flood = contain_volume(incident)
    if flood is None:
        Notification.objects.bulk_create(
            Notification(recipient=user, incident=incident, kind=Notification.Kind.NEW_CONCERN)
            for user in safeguarding_recipients(school)
        )
    transaction.on_commit(enqueue_notifications)
    return incident


class TooManyReports(Exception):
    """Past the hourly ceiling no person typing reaches: the report waits, nothing is lost."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"This account has sent {settings.REPORTS_CEILING_PER_HOUR} reports in the last "
            f"hour, so this one has not been sent yet. Everything you typed is kept below: send "
            f"it again in {minutes} minute{'s' if minutes != 1 else ''}. If a child may be at "
            "risk now, tell your designated safeguarding lead in person or by phone straight away."
        )


def check_volume(reporter, school: School) -> None:
    """Refuse a report only past the ceiling, saying when it can be sent (issue 17)."""
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = Incident.objects.filter(reporter_hour(reporter, school, hour_ago)).order_by(
        "reported_at"
    )
    ceiling = settings.REPORTS_CEILING_PER_HOUR
    if recent.count() >= ceiling:
        oldest_counted = recent.reverse()[ceiling - 1].reported_at
        wait = oldest_counted + timedelta(hours=1) - timezone.now()
        raise TooManyReports(retry_after=max(1, int(wait.total_seconds()) + 1))


def reporter_hour(reporter, school: School, since) -> Q:
    return Q(reported_by=reporter, school=school, reported_at__gte=since)


def contain_volume(incident: Incident) -> ReportFlood | None:
    """Past REPORTS_NOTICE_PER_HOUR reports from one account in an hour, the school's DSLs are
    told once and the report joins that notice instead of sending an email of its own.

    Called after the school's reference counter was taken, so reports at one school are
    serialised here and two reports cannot start two notices.
    """
    school, reporter, now = incident.school, incident.reported_by, incident.reported_at
    hour_ago = now - timedelta(hours=1)
    flood = ReportFlood.objects.filter(
        school=school, reporter=reporter, last_report_at__gte=hour_ago
    ).first()
    if flood is None:
        if (
            Incident.objects.filter(reporter_hour(reporter, school, hour_ago)).count()
            <= settings.REPORTS_NOTICE_PER_HOUR
        ):
            return None
        flood = ReportFlood(school=school, reporter=reporter, started_at=now, last_report_at=now)
        save(flood, reporter, "An unusual number of reports from one account")
        # Earlier reports of the same hour join it: they are grouped under the notice too.
        Incident.objects.filter(reporter_hour(reporter, school, hour_ago)).update(flood=flood)
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=Notification.Kind.UNUSUAL_VOLUME,
                link=reverse("dashboard") + f"#flood-{flood.pk}",
                key=f"flood-{flood.pk}-{user.pk}",
            )
            for user in safeguarding_recipients(school)
        )
    else:
        ReportFlood.objects.filter(pk=flood.pk).update(last_report_at=now)
        Incident.objects.filter(pk=incident.pk).update(flood=flood)
    incident.flood = flood
    return flood


@transaction.atomic
def suspend_reporter(flood: ReportFlood, by) -> None:
    """The headteacher or administrator stops an account that floods the queue, in one step.

    The reports already made stay, each to be reviewed: only the account is stopped (it can no
    longer sign in, and its sessions end), with who did it and why in the notice's history.
    """
    flood = ReportFlood.objects.select_for_update().get(pk=flood.pk)
    if not has_school_perm(by, "manage_policy", flood.school):
        raise PermissionDenied("Only the headteacher or the school administrator can do this.")
    if flood.suspended_at is not None:
        return
    reporter = flood.reporter
    if reporter.pk == by.pk:
        raise ValidationError("You cannot suspend your own account.")
    flood.suspended_at, flood.suspended_by = timezone.now(), by
    save(flood, by, "Account suspended: an unusual number of reports")
    reporter.is_active = False
    reporter.save(update_fields=["is_active"])


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
        group_size=None if pupil else person.group_size,
        sen_or_disability=person.sen_or_disability,
        looked_after=person.looked_after,
        known_to_social_care=person.known_to_social_care,
        kind=person.kind,
    )
