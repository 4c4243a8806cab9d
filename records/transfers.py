"""A young person's file (R28) and its transfer to a new school (KCSIE; R31).

The file is everything recorded about one young person across incidents: a PDF for people, and
JSON (format `ypsi.young-person-file`, version 1, documented in docs/young-person-file.md) that
another school running ypsi imports, so nothing is retyped.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Pupil
from accounts.permissions import has_school_perm
from incidents.models import Incident
from ypsi.recording import save

from .models import ReceivedFile, Transfer
from .schooldays import add_school_days

FORMAT = "ypsi.young-person-file"
VERSION = 1
TRANSFER_SCHOOL_DAYS = 5  # KCSIE: within 5 school days of an in-year move


def _dsl(user, school) -> None:
    if not has_school_perm(user, "change_incidents", school):
        raise PermissionDenied(
            "Only the school's DSLs transfer and import child protection files."
        )


def incidents_of(pupil: Pupil):
    return (
        Incident.objects.filter(school=pupil.school, people__pupil=pupil)
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
        roles = next((p.roles for p in i.people.all() if p.pupil_id == pupil.pk), [])
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
def record_transfer(pupil: Pupil, user, *, to_school: str, moved_on: datetime.date) -> Transfer:
    _dsl(user, pupil.school)
    if not to_school.strip():
        raise ValidationError("Name the new school.")
    transfer = Transfer(
        pupil=pupil,
        to_school=to_school.strip(),
        moved_on=moved_on,
        deadline=add_school_days(moved_on, TRANSFER_SCHOOL_DAYS),
        recorded_by=user,
    )
    save(transfer, user, "Transfer recorded")
    return transfer


@transaction.atomic
def record_sent(transfer: Transfer, user, *, at, how: str) -> None:
    _dsl(user, transfer.pupil.school)
    if not how.strip():
        raise ValidationError("Say how the file was sent securely.")
    transfer.sent_at, transfer.sent_how = at, how.strip()
    save(transfer, user, "File sent")


@transaction.atomic
def record_receipt(transfer: Transfer, user, *, at, from_whom: str) -> None:
    _dsl(user, transfer.pupil.school)
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
    except (KeyError, TypeError, ValueError) as e:
        raise ValidationError(f"The file is incomplete or damaged ({e}).") from None
    save(received, user, "Child protection file received")
    return received
