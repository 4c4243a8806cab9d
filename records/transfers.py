"""A young person's file (R28) and its transfer to a new school (KCSIE; R31).

The file is everything recorded about one young person across incidents: a PDF for people, and
JSON (format `ypsi.young-person-file`, version 1, documented in docs/young-person-file.md) that
another school running ypsi imports, so nothing is retyped.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Pupil, School, Sex
from accounts.permissions import has_school_perm, scoped
from incidents.models import Incident
from incidents.rules import PersonRole
from ypsi.imagery import IMAGERY_WARNING, text_holds_imagery
from ypsi.recording import save

from .models import ReceivedFile, Transfer
from .schooldays import deadline_for

FORMAT = "ypsi.young-person-file"
VERSION = 1
TRANSFER_SCHOOL_DAYS = 5  # KCSIE: within 5 school days of an in-year move
IN_APP = (
    "The new school uses ypsi: send the file inside ypsi, never as a download handed to "
    "someone else or by post (KCSIE Annex C)."
)


@dataclass(frozen=True)
class Text:
    longest: int
    choices: tuple[str, ...] = ()
    null: bool = False


@dataclass(frozen=True)
class Items:
    of: object
    most: int


# The file as docs/young-person-file.md documents it: every key it may hold and what its value
# may be. Another school's file is refused if it holds anything else or anything longer, so only
# what this names is ever kept (and no image hides under a key of the sender's choosing).
WHEN = Text(40, null=True)  # an ISO 8601 date and time
NAME = Text(100)
LABEL = Text(200)
WRITTEN = Text(20_000)  # as long as any box in ypsi takes
SCHEMA = {
    "format": Text(40),
    "version": int,
    "generated_at": WHEN,
    "from_school": LABEL,
    "pupil": {
        "upn": Text(13),
        "first_name": NAME,
        "last_name": NAME,
        "date_of_birth": Text(10),
        "sex": Text(10, choices=tuple(Sex.values)),
        "year_group": Text(20),
        "sen_or_disability": bool,
        "looked_after": bool,
        "known_to_social_care": bool,
    },
    "incidents": Items(
        {
            "reference": Text(30),
            "disclosed_at": WHEN,
            "stage": LABEL,
            "roles": Items(Text(20, choices=tuple(PersonRole.values)), most=len(PersonRole)),
            "type": LABEL,
            "typology": LABEL,
            "risk_level": LABEL,
            "decisions": Items(
                {"kind": LABEL, "made_at": WHEN, "reason": WRITTEN, "superseded": bool},
                most=100,
            ),
            "referrals": Items(
                {"agency": LABEL, "made_at": WHEN, "reference": NAME, "response": WRITTEN},
                most=100,
            ),
            "actions": Items(
                {"kind": LABEL, "description": WRITTEN, "done": WHEN, "outcome": WRITTEN},
                most=100,
            ),
            "closure": WRITTEN,
        },
        most=500,
    ),
}
REQUIRED = ("pupil.first_name", "pupil.last_name", "pupil.date_of_birth", "pupil.sex")


def check_file(data) -> None:
    """Refuse a file that is not what SCHEMA describes, naming where: `incidents[0].reason`."""
    _check(data, SCHEMA, "")
    for path in REQUIRED:
        section, key = path.split(".")
        if key not in data.get(section, {}):
            raise ValidationError(f"The file is incomplete or damaged: it has no {path}.")


def _check(value, spec, path: str) -> None:
    def damaged(problem: str) -> ValidationError:
        return ValidationError(f"The file is incomplete or damaged: {path or 'it'} {problem}.")

    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise damaged("is not a set of named values")
        for key, item in value.items():
            if key not in spec:
                _refuse_imagery(key, f"a key of {path or 'the file'}")
                named = key if len(key) <= NAME.longest else f"{key[: NAME.longest]}…"
                raise ValidationError(
                    f"The file holds {f'{path}.{named}' if path else named}, which a young "
                    "person's file does not have, so nothing has been imported."
                )
            _check(item, spec[key], f"{path}.{key}" if path else key)
    elif isinstance(spec, Items):
        if not isinstance(value, list):
            raise damaged("is not a list")
        if len(value) > spec.most:
            raise damaged(f"has more than {spec.most} entries")
        for i, item in enumerate(value):
            _check(item, spec.of, f"{path}[{i}]")
    elif isinstance(spec, Text):
        if value is None and spec.null:
            return
        if not isinstance(value, str):
            raise damaged("is not text")
        _refuse_imagery(value, path)
        if len(value) > spec.longest:
            raise damaged(f"is longer than {spec.longest} characters")
        if spec.choices and value not in spec.choices:
            raise damaged(f"is not one of {', '.join(spec.choices)}")
    elif type(value) is not spec:  # bool or int; True is not a version number
        raise damaged(f"is not {'true or false' if spec is bool else 'a whole number'}")


def _refuse_imagery(text: str, where: str) -> None:
    """Before anything is said of a value, as saying it would show the image back."""
    if text_holds_imagery(text):
        raise ValidationError(f"{IMAGERY_WARNING} (It is in {where}.)", code="imagery")


def _dsl(user, school) -> None:
    if not has_school_perm(user, "change_incidents", school):
        raise PermissionDenied(
            "Only the school's DSLs transfer and import child protection files."
        )


def incidents_of(pupil: Pupil):
    return (
        Incident.objects.filter(school=pupil.school, people__pupil=pupil)
        # A record disposed of under its retention rule is in no file any more (R32).
        .exclude(disposals__status="disposed")
        .distinct()
        .select_related("school")
        .prefetch_related("people", "referrals", "actions", "decisions")
        .order_by("disclosed_at")
    )


def young_person_file(pupil: Pupil) -> dict:
    """The machine-readable file: minimised to what the new school's DSL needs."""

    def when(value):
        return timezone.localtime(value).isoformat() if value else None

    incidents = []
    for i in incidents_of(pupil):
        me = [p for p in i.people.all() if p.pupil_id == pupil.pk]
        roles = me[0].roles if me else []
        incidents.append(
            {
                "reference": i.reference,
                "disclosed_at": when(i.disclosed_at),
                "stage": i.get_stage_display(),
                "roles": roles,
                "type": i.get_incident_type_display(),
                "typology": i.get_typology_display(),
                "risk_level": i.get_risk_level_display(),
                "decisions": [
                    {
                        "kind": d.get_kind_display(),
                        "made_at": when(d.made_at),
                        "reason": d.reason,
                        "superseded": bool(d.superseded_at),
                    }
                    for d in i.decisions.all()
                ],
                "referrals": [
                    {
                        "agency": r.get_agency_display(),
                        "made_at": when(r.made_at),
                        "reference": r.reference,
                        "response": r.response,
                    }
                    for r in i.referrals.all()
                ],
                "actions": [
                    {
                        "kind": a.get_kind_display(),
                        "description": a.description,
                        "done": when(a.done_at),
                        "outcome": a.outcome,
                    }
                    for a in i.actions.all()
                    # Only what concerns them (R17): an action naming another young person
                    # stays in this school's record.
                    if a.young_person_id is None or a.young_person_id in {p.pk for p in me}
                ],
                "closure": i.closure_reason,
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.localtime().isoformat(),
        "from_school": pupil.school.name,
        "pupil": {
            "upn": pupil.upn,
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "sex": pupil.sex,
            "year_group": pupil.year_group,
            "sen_or_disability": pupil.sen_or_disability,
            "looked_after": pupil.looked_after,
            "known_to_social_care": pupil.known_to_social_care,
        },
        "incidents": incidents,
    }


@transaction.atomic
def record_transfer(
    pupil: Pupil,
    user,
    *,
    to_school: str = "",
    moved_on: datetime.date,
    receiving_school: School | None = None,
    shared_before: str = "",
) -> Transfer:
    """A move (R31), with what was shared before it (R42); to a school using this installation
    it is named as such, so the file goes inside ypsi."""
    _dsl(user, pupil.school)
    if receiving_school is not None:
        if receiving_school.pk == pupil.school_id:
            raise ValidationError("The new school cannot be this school.")
        to_school = receiving_school.name
    if not to_school.strip():
        raise ValidationError("Name the new school.")
    due = deadline_for(pupil.school, moved_on, TRANSFER_SCHOOL_DAYS)
    transfer = Transfer(
        pupil=pupil,
        receiving_school=receiving_school,
        shared_before=shared_before.strip(),
        to_school=to_school.strip(),
        moved_on=moved_on,
        deadline=due.date,
        deadline_note=due.note,
        deadline_provisional=due.provisional,
        recorded_by=user,
    )
    save(transfer, user, "Transfer recorded")
    return transfer


@transaction.atomic
def record_sent(transfer: Transfer, user, *, at, how: str) -> None:
    _dsl(user, transfer.pupil.school)
    if transfer.receiving_school_id:
        raise ValidationError(IN_APP)
    if not how.strip():
        raise ValidationError("Say how the file was sent securely.")
    transfer.sent_at, transfer.sent_how = at, how.strip()
    save(transfer, user, "File sent")


@transaction.atomic
def record_receipt(transfer: Transfer, user, *, at, from_whom: str) -> None:
    _dsl(user, transfer.pupil.school)
    if transfer.receiving_school_id:
        raise ValidationError(
            "The new school's DSL accepts the file in ypsi: that is the receipt."
        )
    if transfer.sent_at is None:
        raise ValidationError("Record that the file was sent before its receipt.")
    if not from_whom.strip():
        raise ValidationError("Record who at the new school confirmed receipt.")
    transfer.receipt_at, transfer.receipt_from = at, from_whom.strip()
    save(transfer, user, "Receipt confirmed")


@transaction.atomic
def import_file(school, user, data: dict) -> ReceivedFile:
    """Import a file from another ypsi school: the pupil is found on (or added to) the roster."""
    _dsl(user, school)
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("version") != VERSION
    ):
        raise ValidationError(
            f"This is not a ypsi young person's file ({FORMAT}, version {VERSION})."
        )
    check_file(data)
    try:
        p = data["pupil"]
        dob = datetime.date.fromisoformat(p["date_of_birth"])
        match = (
            {"upn": p["upn"]}
            if p.get("upn")
            else {"first_name": p["first_name"], "last_name": p["last_name"], "date_of_birth": dob}
        )
        pupil = Pupil.objects.filter(school=school, **match).first()
        if pupil is None:
            pupil = Pupil(
                school=school,
                upn=p.get("upn", ""),
                first_name=p["first_name"],
                last_name=p["last_name"],
                date_of_birth=dob,
                sex=p["sex"],
                year_group=p.get("year_group", ""),
                sen_or_disability=bool(p.get("sen_or_disability")),
                looked_after=bool(p.get("looked_after")),
                known_to_social_care=bool(p.get("known_to_social_care")),
            )
            pupil.full_clean(exclude=["school"])
            save(
                pupil,
                user,
                f"Added from the file sent by {data.get('from_school', 'another school')}",
            )
        received = ReceivedFile(
            school=school,
            pupil=pupil,
            from_school=str(data.get("from_school", "")),
            content=data,
            imported_by=user,
        )
    except ValueError as e:  # a date that is no date, a UPN that is no UPN
        raise ValidationError(f"The file is incomplete or damaged ({e}).") from None
    save(received, user, "Child protection file received")
    return received


# Inside this installation (R42): sent, accepted by the receiving DSL, which stops the clock.


@transaction.atomic
def send_in_app(transfer: Transfer, user) -> None:
    """The file, as it stands now, goes to the new school's DSLs to accept; the sending school
    keeps exactly what was sent."""
    _dsl(user, transfer.pupil.school)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.receiving_school_id is None:
        raise ValidationError("The new school does not use ypsi: record how the file was sent.")
    if transfer.sent_at is not None:
        raise ValidationError("The file has already been sent.")
    transfer.sent_content = young_person_file(transfer.pupil)
    transfer.sent_at = timezone.now()
    transfer.sent_how = f"Inside ypsi, to the DSLs of {transfer.receiving_school}"
    save(transfer, user, "File sent inside ypsi")


@transaction.atomic
def accept_transfer(transfer: Transfer, user) -> ReceivedFile:
    """The receiving DSL accepts the file: it is imported to their school, and its acceptance is
    the receipt the sending school was waiting for (the 5-day clock stops)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    school = transfer.receiving_school
    if school is None or transfer.sent_content is None:
        raise ValidationError("There is no file sent inside ypsi to accept.")
    _dsl(user, school)
    if transfer.receipt_at is not None:
        raise ValidationError("This file has already been accepted.")
    received = import_file(school, user, transfer.sent_content)
    received.transfer = transfer
    save(received, user, "Accepted inside ypsi")
    transfer.receipt_at = timezone.now()
    transfer.receipt_from = f"{user.get_full_name() or user.username}, DSL at {school}"
    transfer.accepted_by = user
    save(transfer, user, "Accepted by the new school")
    return received


@transaction.atomic
def record_told(received: ReceivedFile, user, *, dsl_told_on, senco_told_on, senco: str) -> None:
    """KCSIE Annex C: the receiving school's DSL and SENCO know, with the dates."""
    _dsl(user, received.school)
    today = timezone.localdate()
    if dsl_told_on is None or senco_told_on is None or not senco.strip():
        raise ValidationError("Record when the DSL and the SENCO were told, and the SENCO's name.")
    if max(dsl_told_on, senco_told_on) > today:
        raise ValidationError("These dates cannot be in the future.")
    received.dsl_told_on, received.senco_told_on = dsl_told_on, senco_told_on
    received.senco = senco.strip()
    save(received, user, "DSL and SENCO told")


def incoming(user):
    """Files sent inside ypsi to the schools where `user` is a DSL, waiting to be accepted."""
    waiting = Transfer.objects.filter(sent_content__isnull=False, receipt_at__isnull=True)
    return scoped(waiting, user, "change_incidents", via="receiving_school").select_related(
        "pupil__school", "receiving_school"
    )
