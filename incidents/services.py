"""The rules of intake (R1, R2, R4, R25), called by views, commands and tasks alike."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, Role, School
from accounts.permissions import has_school_perm, roles_at, safeguarding_recipients
from ypsi.recording import not_future, require_filled, save

from . import rules, stages
from .models import (
    Action,
    Conversation,
    Decision,
    DisclosureSource,
    Incident,
    InitialReview,
    InvolvedPerson,
    Notification,
    ParentContact,
    RiskAssessment,
    SignOff,
    Stage,
)
from .rules import AgeBand, PersonRole

log = logging.getLogger(__name__)


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
        save(_person_row(incident, person), reporter, "Concern reported")
    if disclosure_source == DisclosureSource.POLICE:
        # The police told the school: the incident starts with that referral on record (R14).
        from referrals.models import Agency, Referral

        referral = Referral(
            incident=incident,
            agency=Agency.POLICE,
            made_at=disclosed_at,
            made_by=reporter,
            reason="The police told the school of this incident.",
        )
        save(referral, reporter, "Reported by the police")

    Notification.objects.bulk_create(
        Notification(recipient=user, incident=incident, kind=Notification.Kind.NEW_CONCERN)
        for user in safeguarding_recipients(school)
    )
    transaction.on_commit(enqueue_notifications)
    return incident


def _person_row(incident: Incident, person: Person) -> InvolvedPerson:
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


def enqueue_notifications() -> None:
    from .tasks import send_notifications

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


# The initial review and the decision (R3, R5-R13, R30)


@dataclass
class CriterionView:
    criterion: str
    label: str
    judged: str
    note: str
    derived: rules.Derived | None
    answer: str  # what counts: the judgement, raised (never lowered) by what the facts show


@dataclass
class Assessment:
    criteria: list[CriterionView]
    referral_reasons: list[str]
    unanswered: list[str]
    local_rule_reasons: list[str]
    prompts: list[str]
    previous_incidents: list[Incident]

    @property
    def answers(self) -> dict[str, str]:
        return {c.criterion: c.answer for c in self.criteria}

    def refusal(self, incident: Incident) -> list[str]:
        """Why the incident may not be managed in school; empty when it may (R8, R9, R13)."""
        problems = []
        if not incident.incident_type:
            problems.append("Record the type of incident first (R3).")
        elif incident.incident_type == rules.IncidentType.ADULT_PRODUCED:
            problems.append(
                "Imagery of under-18s made or shared by an adult is child sexual abuse: "
                "schools should always inform the police."
            )
        elif incident.incident_type in rules.OUT_OF_SCOPE_TYPES:
            problems.append("This incident is outside the advice: close it as not YPSI.")
        if self.referral_reasons:
            problems.append(
                "An immediate referral to police and/or children's social care should be made: "
                + "; ".join(self.referral_reasons)
            )
        if self.unanswered:
            problems.append(
                "Answer every criterion before deciding. Not yet known: "
                + "; ".join(self.unanswered)
                + ". If in doubt, refer."
            )
        if self.local_rule_reasons:
            problems.append(
                "Local procedure: this incident must go to the first point of contact: "
                + "; ".join(self.local_rule_reasons)
            )
        return problems


def person_facts(incident: Incident) -> list[rules.PersonFacts]:
    day = incident.incident_date
    return [
        rules.PersonFacts(
            name=p.display_name,
            roles=tuple(p.roles),
            age=p.age_at(day),
            age_band=p.age_band_at(day),
        )
        for p in incident.people.all()
    ]


def get_review(incident: Incident) -> InitialReview:
    try:
        return incident.review
    except InitialReview.DoesNotExist:
        return InitialReview(incident=incident)


def assess(incident: Incident) -> Assessment:
    """What the recorded facts and judgements mean, with the reasons shown on the page."""
    school = incident.school
    threshold = school.under_age_threshold
    people = person_facts(incident)
    review = get_review(incident)
    derived = {
        rules.Criterion.ADULT: rules.derive_adult(people, incident.incident_type),
        rules.Criterion.COERCION: rules.derive_coercion(incident.sextortion),
        rules.Criterion.UNDER_THRESHOLD: rules.derive_under_threshold(
            people, incident.sexual_acts, threshold
        ),
    }
    views = []
    for criterion in rules.Criterion.values:
        judged, note = review.judged(criterion)
        d = derived.get(criterion)
        if d is not None and d.answer == rules.Answer.NO and criterion == rules.Criterion.COERCION:
            d = None  # sextortion is one way criterion 2 holds, not the only one
        views.append(
            CriterionView(
                criterion=criterion,
                label=rules.criterion_label(criterion, threshold),
                judged=judged,
                note=note,
                derived=d,
                answer=rules.effective(judged, d),
            )
        )
    answers = {v.criterion: v.answer for v in views}
    local = []
    if school.wolverhampton_rule:
        local = rules.wolverhampton_requires_mash(
            typology=incident.typology,
            people=people,
            risk_level=incident.risk_level,
            answers=answers,
        )
    prompts = []
    if incident.sextortion:
        prompts.append(
            "Financially motivated sexual extortion is usually carried out by adult offenders: an "
            "adult is very likely involved (criterion 1). Blackmail is criterion 2."
        )
    pupils = [p.pupil_id for p in incident.people.all() if p.pupil_id]
    previous = (
        list(
            Incident.objects.filter(people__pupil__in=pupils, reported_at__lt=incident.reported_at)
            .exclude(pk=incident.pk)
            .distinct()
        )
        if pupils
        else []
    )
    return Assessment(
        criteria=views,
        referral_reasons=rules.referral_reasons(answers, threshold),
        unanswered=rules.unanswered(answers, threshold),
        local_rule_reasons=local,
        prompts=prompts,
        previous_incidents=previous,
    )


def facts_snapshot(incident: Incident) -> dict:
    """Everything a decision rests on, to tell when it has changed since it was signed."""
    review = get_review(incident)
    assessment = assess(incident)
    return {
        "incident_type": incident.incident_type,
        "imagery": [
            sorted(incident.imagery_media),
            incident.imagery_origin,
            incident.sexual_acts,
            incident.sextortion,
        ],
        "typology": [incident.typology, incident.risk_level],
        "criteria": {c.criterion: [c.answer, c.note] for c in assessment.criteria},
        "aggravating_factors": sorted(review.aggravating_factors),
        "people": [[p.name, sorted(p.roles), p.age, p.age_band] for p in person_facts(incident)],
    }


def _require(user, perm: str, incident: Incident) -> None:
    if not has_school_perm(user, perm, incident.school):
        raise PermissionDenied("Your role at this school cannot do this.")


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError("Say why you are making this change: it is kept in the record.")
    return reason.strip()


def require_open(user, incident: Incident, perm: str = "change_incidents") -> None:
    """The one check before changing an incident's record, for every app's services."""
    _require(user, perm, incident)
    _editable(incident)


def _editable(incident: Incident) -> None:
    if incident.stage == Stage.CLOSED:
        raise ValidationError("This incident is closed. Reopen it to change the record.")


def start_review(incident: Incident, user) -> None:
    _require(user, "change_incidents", incident)
    if incident.stage == Stage.REPORTED:
        stages.move(incident, Stage.UNDER_REVIEW, user, "Initial review started")


@transaction.atomic
def record_facts(incident: Incident, user, reason: str, **fields) -> None:
    """Scope, imagery facts, typology and risk: fields of the incident the DSL records."""
    allowed = {
        "incident_type",
        "imagery_media",
        "imagery_origin",
        "sexual_acts",
        "sextortion",
        "typology",
        "risk_level",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not a recorded fact: {', '.join(sorted(unknown))}")
    _require(user, "change_incidents", incident)
    _editable(incident)
    start_review(incident, user)
    first = not any(getattr(incident, f) for f in ("incident_type", "typology"))
    reason = "Initial review recorded" if first and not reason else _require_reason(reason)
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.full_clean(exclude=["reference"])
    save(incident, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def close_out_of_scope(incident: Incident, user, incident_type: str, reason: str) -> None:
    """Not YPSI (R3): closed with its reason, and kept on record (R25)."""
    _require(user, "change_incidents", incident)
    if incident_type not in rules.OUT_OF_SCOPE_TYPES:
        raise ValidationError(
            "Only adult pornography or messages without imagery are out of scope."
        )
    reason = _require_reason(reason)
    start_review(incident, user)
    incident.incident_type = incident_type
    incident.closure_reason = f"Not YPSI: {reason}"
    stages.move(incident, Stage.CLOSED, user, f"Closed as not YPSI: {reason}")


@transaction.atomic
def record_meeting(
    incident: Incident,
    user,
    *,
    held_at,
    attendees,
    other_attendees: str,
    considerations: dict[str, str],
    reason: str = "",
) -> InitialReview:
    _require(user, "change_incidents", incident)
    _editable(incident)
    if held_at and held_at > timezone.now():
        raise ValidationError("The meeting cannot be in the future.")
    unknown = set(considerations) - set(rules.Consideration.values)
    if unknown:
        raise ValueError(f"Unknown consideration: {', '.join(sorted(unknown))}")
    start_review(incident, user)
    review = get_review(incident)
    reason = (
        "Initial review meeting recorded" if review.held_at is None else _require_reason(reason)
    )
    review.held_at = held_at
    review.other_attendees = other_attendees
    review.considerations = {k: v for k, v in considerations.items() if v.strip()}
    save(review, user, reason)
    review.attendees.set(attendees)
    return review


@transaction.atomic
def record_criteria(
    incident: Incident,
    user,
    *,
    criteria: dict[str, tuple[str, str]],
    aggravating_factors: list[str],
    reason: str = "",
) -> InitialReview:
    """The DSL's judgement on each criterion, with a note (R6), and the aggravating factors."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    for criterion, (answer, _note) in criteria.items():
        if criterion not in rules.Criterion.values or answer not in rules.Answer.values:
            raise ValueError(f"Bad criterion answer: {criterion}={answer}")
    if set(aggravating_factors) - set(rules.AggravatingFactor.values):
        raise ValueError("Unknown aggravating factor")
    start_review(incident, user)
    review = get_review(incident)
    reason = (
        "Criteria recorded"
        if review.pk is None or not review.criteria
        else _require_reason(reason)
    )
    review.criteria = {c: {"answer": a, "note": n.strip()} for c, (a, n) in criteria.items()}
    review.aggravating_factors = sorted(set(aggravating_factors))
    save(review, user, reason)
    facts_changed(incident, user, reason)
    return review


@transaction.atomic
def correct_person(person: InvolvedPerson, user, reason: str, **fields) -> None:
    """Correct what is known of a person: the only way to change a derived criterion (R7)."""
    incident = person.incident
    _require(user, "change_incidents", incident)
    _editable(incident)
    reason = _require_reason(reason)
    for name, value in fields.items():
        setattr(person, name, value)
    check_person(incident.school, _as_person(person))
    save(person, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def add_person(incident: Incident, user, person: Person, reason: str) -> InvolvedPerson:
    _require(user, "change_incidents", incident)
    _editable(incident)
    reason = _require_reason(reason)
    check_person(incident.school, person)
    row = _person_row(incident, person)
    save(row, user, reason)
    facts_changed(incident, user, reason)
    return row


def _as_person(p: InvolvedPerson) -> Person:
    return Person(roles=list(p.roles), pupil=p.pupil, name=p.name)


def current_decision(incident: Incident) -> Decision | None:
    return (
        incident.decisions.filter(superseded_at__isnull=True).order_by("-made_at", "-pk").first()
    )


@transaction.atomic
def decide_refer(
    incident: Incident,
    user,
    *,
    agency: str,
    made_at,
    reason: str,
    to_whom: str = "",
    how: str = "",
    reference: str = "",
) -> Decision:
    """Refer (R8), or escalate a managed incident to a referral at any time (R11)."""
    from referrals.services import new_referral

    _require(user, "change_incidents", incident)
    _editable(incident)
    reason = _require_reason(reason)
    referral = new_referral(
        incident,
        user,
        agency=agency,
        made_at=made_at,
        reason=reason,
        to_whom=to_whom,
        how=how,
        reference=reference,
    )
    earlier = current_decision(incident)
    if earlier is not None and earlier.kind == Decision.Kind.REFER:
        raise ValidationError(
            "The incident is already referred: record a further referral instead."
        )
    start_review(incident, user)
    if earlier is not None:
        earlier.superseded_at = timezone.now()
        earlier.superseded_reason = f"Escalated to a referral: {reason}"
        save(earlier, user, earlier.superseded_reason)
    decision = Decision(
        incident=incident,
        kind=Decision.Kind.REFER,
        made_by=user,
        reason=reason,
        facts=facts_snapshot(incident),
    )
    save(decision, user, "Decision: refer")
    save(referral, user, "Referral recorded")
    stages.move(
        incident,
        Stage.REFERRED,
        user,
        f"Escalated to a referral: {reason}" if earlier else f"Referred: {reason}",
    )
    return decision


@transaction.atomic
def decide_manage_in_school(
    incident: Incident,
    user,
    *,
    reason: str,
    aggravating_answer: str = "",
    headteacher_input: str = "",
) -> Decision:
    """Manage in school (R9): refused while any criterion holds or is not yet known (R8)."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    if not reason.strip():
        raise ValidationError(
            "Say why you are confident the risks can be managed within the school's pastoral "
            "support and disciplinary framework."
        )
    problems = assess(incident).refusal(incident)
    if problems:
        raise ValidationError(problems)
    review = get_review(incident)
    if review.aggravating_factors and not aggravating_answer.strip():
        raise ValidationError(
            "Aggravating factors weigh towards referral: answer each of them ("
            + ", ".join(review.factor_labels()).lower()
            + ") in your reason."
        )
    if current_decision(incident) is not None:
        raise ValidationError(
            "A decision is already in force. Escalate it, or wait for it to be sent back."
        )
    decision = Decision(
        incident=incident,
        kind=Decision.Kind.MANAGE_IN_SCHOOL,
        made_by=user,
        reason=reason.strip(),
        aggravating_answer=aggravating_answer.strip(),
        headteacher_input=headteacher_input.strip(),
        facts=facts_snapshot(incident),
    )
    save(decision, user, "Decision: manage in school")
    stages.move(
        incident, Stage.MANAGED_IN_SCHOOL, user, "Decision: manage in school, awaiting sign-off"
    )
    return decision


def signatory_capacity(decision: Decision, user) -> str:
    """In what capacity `user` may sign `decision`; refuses with the reason when they may not (R10)."""
    school = decision.incident.school
    if user.pk == decision.made_by_id:
        raise ValidationError(
            "The decision must be signed off by someone other than the person who made it."
        )
    roles = roles_at(user, school)
    if Role.HEADTEACHER in roles:
        return "Headteacher"
    maker_is_head = Role.HEADTEACHER in roles_at(decision.made_by, school)
    if Role.SIGNATORY in roles and maker_is_head:
        return f"{school.alternative_signatory_title}, in place of the headteacher, who made the decision"
    if Role.SIGNATORY in roles:
        raise ValidationError(
            "The headteacher signs off this decision. The nominated signatory signs only when the "
            "headteacher made the decision."
        )
    raise ValidationError(
        "Only the headteacher of this school can sign off a decision not to refer."
    )


@transaction.atomic
def sign_off(decision: Decision, user, *, comment: str, send_back: bool = False) -> SignOff:
    incident = decision.incident
    _require(user, "sign_off_decisions", incident)
    if decision.kind != Decision.Kind.MANAGE_IN_SCHOOL or decision.superseded_at is not None:
        raise ValidationError(
            "Only a decision to manage in school that is still in force is signed off."
        )
    if decision.current_sign_off is not None:
        raise ValidationError("This decision is already signed off.")
    capacity = signatory_capacity(decision, user)
    if not comment.strip():
        raise ValidationError(
            "Give a comment for the DSL." if send_back else "Give your reason for signing off."
        )
    outcome = SignOff.Outcome.SENT_BACK if send_back else SignOff.Outcome.SIGNED
    record = SignOff(
        decision=decision,
        outcome=outcome,
        signed_by=user,
        capacity=capacity,
        comment=comment.strip(),
        facts=facts_snapshot(incident),
    )
    save(record, user, f"{SignOff.Outcome(outcome).label}: {comment.strip()}")
    if send_back:
        decision.superseded_at = timezone.now()
        decision.superseded_reason = f"Sent back by {user}: {comment.strip()}"
        save(decision, user, decision.superseded_reason)
        stages.move(incident, Stage.UNDER_REVIEW, user, decision.superseded_reason)
    return record


def facts_changed(incident: Incident, user, reason: str) -> None:
    """After any change to what a decision rests on: supersede what no longer holds (R10).

    A decision to manage in school that the facts no longer allow is superseded and the incident
    goes back to review for a referral; a sign-off of facts that have changed is superseded and
    a new one is asked for. Both stay in the record.
    """
    decision = current_decision(incident)
    if decision is None or decision.kind != Decision.Kind.MANAGE_IN_SCHOOL:
        return
    now = timezone.now()
    problems = assess(incident).refusal(incident)
    signed = decision.current_sign_off
    snapshot = facts_snapshot(incident)
    if signed is not None and signed.facts != snapshot:
        signed.superseded_at = now
        signed.superseded_reason = f"The facts it rests on changed: {reason}"
        save(signed, user, signed.superseded_reason)
    if problems:
        decision.superseded_at = now
        decision.superseded_reason = (
            "The facts changed and the incident now needs a referral: " + " ".join(problems)
        )
        save(decision, user, decision.superseded_reason)
        stages.move(incident, Stage.UNDER_REVIEW, user, decision.superseded_reason)


def awaiting_sign_off(decisions):
    """Decisions to manage in school still in force with no live sign-off."""
    live = SignOff.objects.filter(decision=OuterRef("pk"), superseded_at__isnull=True)
    return decisions.filter(
        kind=Decision.Kind.MANAGE_IN_SCHOOL, superseded_at__isnull=True
    ).exclude(Exists(live))


# Managing in school (R17-R20), closing and reopening


def _young_person(incident: Incident, person: InvolvedPerson) -> InvolvedPerson:
    if person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    return person


@transaction.atomic
def record_risk_assessment(
    incident: Incident, user, *, answers: dict[str, str], summary: str, reason: str = ""
) -> RiskAssessment:
    """The further review after a decision not to refer (R17)."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    if set(answers) - set(rules.RiskQuestion.values):
        raise ValueError("Unknown risk question")
    if not summary.strip():
        raise ValidationError("Give the overall assessment.")
    try:
        assessment = incident.risk_assessment
        reason = _require_reason(reason)
    except RiskAssessment.DoesNotExist:
        assessment = RiskAssessment(incident=incident)
        reason = "Risk assessment recorded"
    assessment.answers = {k: v.strip() for k, v in answers.items() if v.strip()}
    assessment.summary = summary.strip()
    assessment.assessed_at = timezone.now()
    save(assessment, user, reason)
    return assessment


@transaction.atomic
def record_conversation(
    incident: Incident,
    user,
    *,
    young_person: InvolvedPerson,
    held_at,
    held_by: str,
    imagery_described: str,
    seen_or_shared_by: str,
    preventing_sharing: str,
    preferred_adult: bool = False,
    note: str = "",
) -> Conversation:
    """R18: identify, without looking, what the image contains; who has seen or shared it."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    _young_person(incident, young_person)
    not_future(held_at, "The conversation")
    require_filled(
        (held_by, "who held the conversation"),
        (imagery_described, "what the imagery contains, as described"),
        (seen_or_shared_by, "who has seen or shared it"),
        (preventing_sharing, "how further sharing will be prevented"),
    )
    conversation = Conversation(
        incident=incident,
        young_person=young_person,
        held_at=held_at,
        held_by=held_by.strip(),
        preferred_adult=preferred_adult,
        imagery_described=imagery_described.strip(),
        seen_or_shared_by=seen_or_shared_by.strip(),
        preventing_sharing=preventing_sharing.strip(),
        note=note.strip(),
        recorded_by=user,
    )
    save(conversation, user, "Conversation recorded")
    return conversation


@transaction.atomic
def record_parent_contact(
    incident: Incident,
    user,
    *,
    young_person: InvolvedPerson,
    informed: bool,
    at,
    by: str,
    who: str = "",
    how: str = "",
    reason_not_informed: str = "",
    agreed_with: str = "",
) -> ParentContact:
    """R19: informed (who, when, by whom, how), or not, with the reason and who agreed it."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    _young_person(incident, young_person)
    if at > timezone.now():
        raise ValidationError("This cannot be in the future.")
    if not by.strip():
        raise ValidationError("Record who informed the parents, or who made the decision.")
    if informed and not (who.strip() and how):
        raise ValidationError("Record who was told and how.")
    if not informed and not (reason_not_informed.strip() and agreed_with.strip()):
        raise ValidationError(
            "A decision not to inform parents needs its reason, and who it was agreed with "
            "(normally children's social care or the police)."
        )
    contact = ParentContact(
        incident=incident,
        young_person=young_person,
        informed=informed,
        at=at,
        by=by.strip(),
        who=who.strip(),
        how=how if informed else "",
        reason_not_informed="" if informed else reason_not_informed.strip(),
        agreed_with="" if informed else agreed_with.strip(),
        recorded_by=user,
    )
    save(contact, user, "Parents informed" if informed else "Decision not to inform parents")
    return contact


@transaction.atomic
def add_action(incident: Incident, user, *, kind: str, description: str, owner, due) -> Action:
    """R20: every action has an owner at the school and a due date."""
    _require(user, "change_incidents", incident)
    _editable(incident)
    if kind not in rules.ActionKind.values:
        raise ValidationError("Choose the kind of action.")
    if not description.strip():
        raise ValidationError("Describe the action.")
    if not owner.memberships.filter(school=incident.school).exists():
        raise ValidationError("The owner must work at this school.")
    action = Action(
        incident=incident, kind=kind, description=description.strip(), owner=owner, due=due
    )
    save(action, user, "Action added")
    return action


@transaction.atomic
def complete_action(action: Action, user, *, outcome: str, done_at=None) -> None:
    _require(user, "change_incidents", action.incident)
    _editable(action.incident)
    if action.done_at is not None:
        raise ValidationError("This action is already done.")
    if not outcome.strip():
        raise ValidationError("Record the outcome (for a report: what the service did).")
    action.done_at = done_at or timezone.now()
    if action.done_at > timezone.now():
        raise ValidationError("An action cannot be done in the future.")
    action.outcome = outcome.strip()
    save(action, user, "Action done")


def closing_blockers(incident: Incident) -> list[str]:
    """What must be recorded before the incident can be closed; empty when it can."""
    from referrals.models import STATUTORY

    blockers = []
    decision = current_decision(incident)
    assessment = assess(incident)
    must_refer = (
        bool(assessment.refusal(incident))
        and incident.incident_type not in rules.OUT_OF_SCOPE_TYPES
    )
    if decision is None:
        blockers.append("No decision is recorded: refer, or decide to manage in school.")
    if must_refer and not any(r.agency in STATUTORY for r in incident.referrals.all()):
        blockers.append("A referral is required and none is recorded.")
    if (
        decision is not None
        and decision.kind == Decision.Kind.MANAGE_IN_SCHOOL
        and decision.current_sign_off is None
    ):
        blockers.append("The decision to manage in school is not signed off by the headteacher.")
    recorded = {c.young_person_id for c in incident.parent_contacts.all()}
    pupils = [p for p in incident.people.all() if p.pupil_id]
    for person in pupils:
        if person.pk not in recorded:
            blockers.append(
                f"Parents or carers of {person.display_name}: record that they were informed, or "
                "the decision not to inform them with its reason."
            )
    if not pupils and not recorded:
        blockers.append("Record whether parents or carers were informed, or why not.")
    for deletion in incident.deletions.filter(status="pending").select_related(
        "young_person__pupil"
    ):
        blockers.append(
            f"Deletion by {deletion.young_person.display_name} is not confirmed "
            f"(deadline {deletion.deadline:%d %b %Y})."
        )
    for action in incident.actions.filter(done_at__isnull=True).select_related("owner"):
        blockers.append(
            f"Open action: {action.description} ({action.owner}, due {action.due:%d %b %Y})."
        )
    return blockers


@transaction.atomic
def close_incident(incident: Incident, user, *, summary: str) -> None:
    _require(user, "change_incidents", incident)
    _editable(incident)
    if not summary.strip():
        raise ValidationError("Write the outcome summary.")
    blockers = closing_blockers(incident)
    if blockers:
        raise ValidationError(["The incident cannot be closed yet:", *blockers])
    incident.closure_reason = summary.strip()
    incident.closed_at = timezone.now()
    incident.closed_by = user
    stages.move(incident, Stage.CLOSED, user, f"Closed: {summary.strip()}")


@transaction.atomic
def reopen_incident(incident: Incident, user, *, reason: str) -> None:
    _require(user, "change_incidents", incident)
    if incident.stage != Stage.CLOSED:
        raise ValidationError("Only a closed incident can be reopened.")
    reason = _require_reason(reason)
    incident.closed_at = None
    incident.closed_by = None
    stages.move(incident, Stage.UNDER_REVIEW, user, f"Reopened: {reason}")
