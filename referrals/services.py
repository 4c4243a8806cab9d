"""Rules for referrals, follow-ups and devices (R14, R15, R16), called by views and tasks."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.services import current_decision, require_open
from ypsi.recording import not_future, save

from .models import (
    CUSTODY_NEXT,
    LAW_ENFORCEMENT,
    SOCIAL_CARE,
    STATUTORY,
    Agency,
    CustodyEvent,
    CustodyKind,
    Device,
    FollowUp,
    Referral,
)

EVIDENCE_PRESERVED = (
    "The police are involved in this incident, so the school does not {action}: evidence is "
    "preserved for them (delete data unless referring to the police)."
)


def police_involved(incident) -> bool:
    """Law enforcement knows of the incident: referred to them, or they told the school (R16)."""
    if incident.disclosure_source == "police":
        return True
    return any(r.agency in LAW_ENFORCEMENT for r in incident.referrals.all())


def social_care_prompts(incident) -> list[str]:
    """R14: contact children's social care where they are, were or may be involved."""
    if any(r.agency in SOCIAL_CARE for r in incident.referrals.all()):
        return []
    prompts = []
    for person in incident.people.all():
        pupil = person.pupil
        if pupil and (pupil.known_to_social_care or pupil.looked_after):
            why = "is looked after" if pupil.looked_after else "is known to children's social care"
            prompts.append(f"{pupil} {why}: contact children's social care about this incident.")
    return prompts


def new_referral(incident, user, *, agency, made_at, reason, to_whom="", how="", reference=""):
    """A Referral row, checked; saved by the caller inside its own transaction."""
    if agency not in Agency.values:
        raise ValidationError("Choose the agency the incident was referred to.")
    if not reason.strip():
        raise ValidationError("Give the reason for the referral.")
    not_future(made_at, "The referral")
    return Referral(
        incident=incident,
        agency=agency,
        made_at=made_at,
        made_by=user,
        reason=reason.strip(),
        to_whom=to_whom,
        how=how,
        reference=reference.strip(),
    )


@transaction.atomic
def add_referral(incident, user, **fields) -> Referral:
    """A further referral (an incident can have several, R14).

    A first referral to the police, social care or the LADO is the decision to refer, made on
    the decision page (it supersedes any decision to manage in school); Early Help or another
    service can sit beside managing in school.
    """
    require_open(user, incident)
    decision = current_decision(incident)
    if fields.get("agency") in STATUTORY and (decision is None or decision.kind != "refer"):
        raise ValidationError(
            "A referral to the police, children's social care, MASH or the LADO is the decision "
            "to refer: record it on the decision page, which keeps the earlier decision on record."
        )
    referral = new_referral(incident, user, **fields)
    save(referral, user, "Referral recorded")
    return referral


@transaction.atomic
def update_referral(referral: Referral, user, reason: str, **fields) -> None:
    """Add the crime reference, the agency's response, who and how, once known."""
    require_open(user, referral.incident, referral)
    if not reason.strip():
        raise ValidationError("Say why you are changing the referral: it is kept in the record.")
    allowed = {"to_whom", "how", "reference", "response"}
    if set(fields) - allowed:
        raise ValueError("Only who, how, the reference and the response can be added later.")
    for name, value in fields.items():
        setattr(referral, name, value.strip())
    save(referral, user, reason.strip())


@transaction.atomic
def record_follow_up(
    incident, user, *, kind, occurred_at, note, with_whom="", referral=None
) -> FollowUp:
    require_open(user, incident)
    if kind not in FollowUp.Kind.values:
        raise ValidationError("Choose what kind of follow-up this was.")
    if not note.strip():
        raise ValidationError("Say what happened.")
    if referral is not None and referral.incident_id != incident.pk:
        raise ValidationError("That referral belongs to another incident.")
    not_future(occurred_at, "A follow-up")
    follow_up = FollowUp(
        incident=incident,
        referral=referral,
        kind=kind,
        occurred_at=occurred_at,
        recorded_by=user,
        with_whom=with_whom.strip(),
        note=note.strip(),
    )
    save(follow_up, user, f"{follow_up.get_kind_display()} recorded")
    return follow_up


# Devices (R15)

REQUIRED_DETAILS = {
    CustodyKind.CONFISCATED: {"from_whom": "who it was taken from", "reason": "why it was taken"},
    CustodyKind.STORED: {"location": "where it is locked away"},
    CustodyKind.HANDED_TO_POLICE: {
        "officer_name": "the officer's name",
        "officer_number": "the officer's number",
    },
    CustodyKind.RETURNED_TO_PARENT: {
        "returned_to": "the parent or carer it was returned to",
        "consent": "how the parent or carer gave consent",
    },
}


@transaction.atomic
def add_device(incident, user, *, description, owner, at, from_whom, reason) -> Device:
    """A device confiscated: the first link of its custody chain."""
    require_open(user, incident)
    if not description.strip() or not owner.strip():
        raise ValidationError("Describe the device and say whose it is.")
    device = Device(incident=incident, description=description.strip(), owner=owner.strip())
    save(device, user, "Device confiscated")
    record_custody(
        device, user, kind=CustodyKind.CONFISCATED, at=at, from_whom=from_whom, reason=reason
    )
    return device


@transaction.atomic
def record_custody(device: Device, user, *, kind: str, at, **details) -> CustodyEvent:
    """The next link of the chain; a gap or an out-of-order event is refused (R15)."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    incident = device.incident
    require_open(user, incident)
    last = device.custody.order_by("-at", "-pk").first()
    allowed = CUSTODY_NEXT[last.kind if last else ""]
    if kind not in allowed:
        if not allowed:
            raise ValidationError(
                f"This device's custody ended ({last.get_kind_display().lower()}): nothing can follow."
            )
        expected = " or ".join(CustodyKind(k).label.lower() for k in sorted(allowed))
        raise ValidationError(
            f"The chain of custody cannot have a gap: after '{CustodyKind(last.kind).label.lower() if last else 'nothing'}' "
            f"the next step is: {expected}."
        )
    not_future(at, "A custody event")
    if last is not None and at < last.at:
        raise ValidationError(
            f"Events are recorded in order: this is earlier than the last one "
            f"({last.get_kind_display().lower()}, {timezone.localtime(last.at):%d %b %Y %H:%M})."
        )
    missing = [
        label
        for name, label in REQUIRED_DETAILS.get(kind, {}).items()
        if not str(details.get(name, "")).strip()
    ]
    if missing:
        raise ValidationError(f"Record {', and '.join(missing)}.")
    if kind == CustodyKind.RETURNED_TO_PARENT and police_involved(incident):
        raise ValidationError(
            "The police are involved: keep the device locked away until they collect it."
        )
    event = CustodyEvent(
        device=device, kind=kind, at=at, by=user, **{k: str(v).strip() for k, v in details.items()}
    )
    save(event, user, CustodyKind(kind).label)
    return event
