"""Rules for referrals, follow-ups and devices (R14, R15, R16), called by views and tasks."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.calendars import bank_holidays
from incidents import hub
from incidents.services import add_action, current_decision, require_open
from ypsi.recording import not_future, save

from .help import ROUTES_BY_KEY, SEXTORTION_POINTS
from .models import (
    CUSTODY_NEXT,
    LAW_ENFORCEMENT,
    OUTCOME_21_NOTE,
    POLICE_AGENCIES,
    SOCIAL_CARE,
    STATUTORY,
    AdviceCall,
    Agency,
    CustodyEvent,
    CustodyKind,
    Device,
    Escalation,
    FollowUp,
    OutcomeKind,
    Referral,
    ReferralOutcome,
    SextortionAdvice,
)

EVIDENCE_PRESERVED = (
    "The police are involved in this incident, so the school does not {action}: evidence is "
    "preserved for them (delete data unless referring to the police)."
)


def police_involved(incident) -> bool:
    """Law enforcement knows of the incident: referred to them, or they told the school (R16)."""
    if incident.disclosure_source == "police":
        return True
    return any(r.agency in LAW_ENFORCEMENT for r in hub.recorded(incident, "referrals"))


def social_care_prompts(incident) -> list[str]:
    """R14: contact children's social care where they are, were or may be involved."""
    if any(r.agency in SOCIAL_CARE for r in hub.recorded(incident, "referrals")):
        return []
    prompts = []
    for person in incident.people.all():
        pupil = person.pupil
        if pupil and (pupil.known_to_social_care or pupil.looked_after):
            why = "is looked after" if pupil.looked_after else "is known to children's social care"
            prompts.append(f"{pupil} {why}: contact children's social care about this incident.")
    return prompts


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `day`: weekdays less the bank holidays in England and
    Wales (an agency works through the school holidays, so the school's own days do not count).
    Past the bank holiday data, every weekday counts."""
    holidays, _ = bank_holidays()
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


def expected(agency: str, made_at: datetime.datetime) -> tuple:
    """When the agency's acknowledgement and decision are due (R38), or (None, None).

    Working Together 2023: within one working day of a referral, a local authority social
    worker acknowledges it to the referrer and decides the type of response (the LADO is the
    local authority's too). The police's are agreed locally: settings, in working days.
    """
    day = timezone.localdate(made_at)
    if agency in SOCIAL_CARE or agency == Agency.LADO:
        due = working_days_after(day, 1)
        return due, due
    if agency in POLICE_AGENCIES:
        return (
            working_days_after(day, settings.REFERRAL_POLICE_ACKNOWLEDGE_DAYS),
            working_days_after(day, settings.REFERRAL_POLICE_DECISION_DAYS),
        )
    return None, None


def new_referral(incident, user, *, agency, made_at, reason, to_whom="", how="", reference=""):
    """A Referral row, checked, with what the agency should send back by when; saved by the
    caller inside its own transaction."""
    if agency not in Agency.values:
        raise ValidationError("Choose the agency the incident was referred to.")
    if not reason.strip():
        raise ValidationError("Give the reason for the referral.")
    not_future(made_at, "The referral")
    acknowledgement_due, decision_due = expected(agency, made_at)
    return Referral(
        incident=incident,
        agency=agency,
        made_at=made_at,
        made_by=user,
        reason=reason.strip(),
        to_whom=to_whom,
        how=how,
        reference=reference.strip(),
        acknowledgement_due=acknowledgement_due,
        decision_due=decision_due,
    )


@transaction.atomic
def record_acknowledgement(referral: Referral, user, *, acknowledged_at, acknowledged_by) -> None:
    """The agency acknowledged the referral (R38): the chase of its acknowledgement stops."""
    require_open(user, referral.incident, referral)
    if referral.acknowledged_at is not None:
        raise ValidationError("This referral's acknowledgement is already recorded.")
    if not acknowledged_by.strip():
        raise ValidationError("Record who at the agency acknowledged it.")
    not_future(acknowledged_at, "The acknowledgement")
    if acknowledged_at < referral.made_at:
        raise ValidationError("The acknowledgement cannot come before the referral.")
    referral.acknowledged_at = acknowledged_at
    referral.acknowledged_by = acknowledged_by.strip()
    save(referral, user, "Acknowledgement recorded")


@transaction.atomic
def record_escalation(referral: Referral, user, *, escalated_at, to_whom, concern) -> Escalation:
    """The local escalation (professional disagreement) procedure is started (R38)."""
    require_open(user, referral.incident, referral)
    if not to_whom.strip() or not concern.strip():
        raise ValidationError("Record to whom it was escalated, and why.")
    not_future(escalated_at, "The escalation")
    if escalated_at < referral.made_at:
        raise ValidationError("An escalation cannot come before the referral.")
    escalation = Escalation(
        referral=referral,
        escalated_at=escalated_at,
        to_whom=to_whom.strip(),
        concern=concern.strip(),
        recorded_by=user,
    )
    save(escalation, user, "Escalation recorded")
    return escalation


@transaction.atomic
def record_escalation_outcome(escalation: Escalation, user, *, outcome, outcome_at) -> None:
    require_open(user, escalation.referral.incident, escalation)
    if escalation.outcome:
        raise ValidationError("This escalation's outcome is already recorded.")
    if not outcome.strip():
        raise ValidationError("Record the outcome of the escalation.")
    not_future(outcome_at, "The outcome")
    if outcome_at < escalation.escalated_at:
        raise ValidationError("The outcome cannot come before the escalation.")
    escalation.outcome = outcome.strip()
    escalation.outcome_at = outcome_at
    save(escalation, user, "Escalation outcome recorded")


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


# Outcomes, advice calls, take-down routes and sextortion advice (issue 13 items 3, 4; R13)


@transaction.atomic
def record_outcome(referral: Referral, user, *, kind, decided_on, reference="", note=""):
    """What the agency decided, with its date and reference; Outcome 21 needs its note."""
    require_open(user, referral.incident, referral)
    if kind not in OutcomeKind.values:
        raise ValidationError("Choose the outcome.")
    if decided_on > timezone.localdate():
        raise ValidationError("The outcome's date cannot be in the future.")
    if decided_on < timezone.localdate(referral.made_at):
        raise ValidationError("The outcome cannot come before the referral.")
    if kind == OutcomeKind.OUTCOME_21 and not note.strip():
        raise ValidationError(OUTCOME_21_NOTE)
    outcome = ReferralOutcome(
        referral=referral,
        kind=kind,
        decided_on=decided_on,
        reference=reference.strip(),
        note=note.strip(),
        recorded_by=user,
    )
    save(outcome, user, f"Outcome recorded: {outcome.get_kind_display()}")
    return outcome


@transaction.atomic
def record_advice_call(incident, user, *, agency, called_at, spoke_to, advice) -> AdviceCall:
    """R13: an anonymous call for advice, a common step before the decision."""
    require_open(user, incident)
    if agency not in {c for c, _ in AdviceCall._meta.get_field("agency").choices}:
        raise ValidationError("Choose who was called: the MASH, social care or the police.")
    if not spoke_to.strip() or not advice.strip():
        raise ValidationError("Record who gave the advice, and the advice given.")
    not_future(called_at, "The call")
    call = AdviceCall(
        incident=incident,
        agency=agency,
        called_at=called_at,
        spoke_to=spoke_to.strip(),
        advice=advice.strip(),
        recorded_by=user,
    )
    save(call, user, "Anonymous advice call recorded")
    return call


@transaction.atomic
def add_help_action(incident, user, *, route, description, owner, due):
    """A take-down or help route becomes an action, whose outcome is recorded when done."""
    chosen = ROUTES_BY_KEY.get(route)
    if chosen is None:
        raise ValidationError("Choose a route.")
    if chosen.under_18_only and not any(
        (age := p.age_at(incident.incident_date)) is None or age < 18
        for p in incident.people.all()
    ):
        raise ValidationError(f"{chosen.name} is for young people under 18.")
    text = f"{chosen.name}: {description.strip()}" if description.strip() else chosen.name
    return add_action(
        incident, user, kind=chosen.action_kind, description=text, owner=owner, due=due
    )


@transaction.atomic
def record_sextortion_advice(
    incident, user, *, given_to, given_at, given_by, points, note=""
) -> SextortionAdvice:
    """The advice given when sextortion is recorded: every point is covered, or the note
    says why not."""
    require_open(user, incident)
    if not incident.sextortion:
        raise ValidationError("Sextortion is not recorded for this incident.")
    if not given_to.strip() or not given_by.strip():
        raise ValidationError("Record who was given the advice, and by whom.")
    unknown = set(points) - SEXTORTION_POINTS.keys()
    if unknown:
        raise ValidationError("Choose from the points of the advice.")
    if set(points) != SEXTORTION_POINTS.keys() and not note.strip():
        raise ValidationError("Not every point was covered: say why in the note.")
    not_future(given_at, "The advice")
    advice = SextortionAdvice(
        incident=incident,
        given_to=given_to.strip(),
        given_at=given_at,
        given_by=given_by.strip(),
        points=[key for key in SEXTORTION_POINTS if key in points],
        note=note.strip(),
        recorded_by=user,
    )
    save(advice, user, "Sextortion advice recorded")
    return advice
