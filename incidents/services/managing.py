"""Managing in school: risk assessment, conversations, parents and carers, actions (R17-R20),
and the safety plan while both children are in school (R43)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import has_school_perm, scoped
from ypsi.pagination import first
from ypsi.recording import not_future, require_filled, save

from .. import hub, rules
from ..models import (
    Action,
    Conversation,
    Incident,
    InvolvedPerson,
    Notification,
    ParentContact,
    RiskAssessment,
    SafetyPlan,
    SafetyPlanReview,
)
from .common import require_open, require_reason
from .notifications import tell


def _young_person(incident: Incident, person: InvolvedPerson) -> InvolvedPerson:
    if person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    return person


@transaction.atomic
def record_risk_assessment(
    incident: Incident,
    user,
    *,
    young_person: InvolvedPerson,
    answers: dict[str, str],
    summary: str,
    risk_level: str = "",
    reason: str = "",
) -> RiskAssessment:
    """The further review after a decision not to refer, for one young person (R17): the
    guidance treats the pictured child, the sender and the recipients differently."""
    require_open(user, incident)
    _young_person(incident, young_person)
    if set(answers) - set(rules.RiskQuestion.values):
        raise ValueError("Unknown risk question")
    if risk_level and risk_level not in rules.RiskLevel.values:
        raise ValueError(f"Unknown risk level: {risk_level}")
    if not summary.strip():
        raise ValidationError("Give the overall assessment.")
    assessment = incident.risk_assessments.filter(young_person=young_person).first()
    if assessment is not None:
        reason = require_reason(reason)
    else:
        assessment = RiskAssessment(incident=incident, young_person=young_person)
        reason = f"Risk assessment of {young_person.display_name} recorded"
    assessment.answers = {k: v.strip() for k, v in answers.items() if v.strip()}
    assessment.risk_level = risk_level
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
    require_open(user, incident)
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
    kind: str,
    at,
    by: str,
    who: str = "",
    how: str = "",
    note: str = "",
    reason_not_informed: str = "",
    agreed_by: str = "",
    agreed_with: str = "",
) -> ParentContact:
    """R19 and item 6: informed (who, when, by whom, how), kept informed by later updates, or
    not informed, with the reason and who agreed it."""
    require_open(user, incident)
    _young_person(incident, young_person)
    Kind = rules.ParentContactKind
    if kind not in Kind.values:
        raise ValidationError("Say whether the parents were informed, updated or not informed.")
    if at > timezone.now():
        raise ValidationError("This cannot be in the future.")
    if not by.strip():
        raise ValidationError("Record who informed the parents, or who made the decision.")
    earlier = incident.parent_contacts.filter(young_person=young_person)
    if kind == Kind.UPDATE and not earlier.filter(informed=True).exists():
        raise ValidationError(
            "An update follows a first contact: record first that the parents were informed."
        )
    if kind == Kind.UPDATE and not note.strip():
        raise ValidationError("Record what the parents were told in this update.")
    if kind != Kind.NOT_INFORMED and not (who.strip() and how):
        raise ValidationError("Record who was told and how.")
    if kind == Kind.NOT_INFORMED:
        _check_not_informing(incident, reason_not_informed, agreed_by, agreed_with)
    informed = kind != Kind.NOT_INFORMED
    contact = ParentContact(
        incident=incident,
        young_person=young_person,
        kind=kind,
        informed=informed,
        at=at,
        by=by.strip(),
        who=who.strip() if informed else "",
        how=how if informed else "",
        note=note.strip(),
        reason_not_informed="" if informed else reason_not_informed.strip(),
        agreed_by="" if informed else agreed_by,
        agreed_with="" if informed else agreed_with.strip(),
        recorded_by=user,
    )
    save(
        contact,
        user,
        {Kind.INFORMED: "Parents informed", Kind.UPDATE: "Parents updated"}.get(
            kind, "Decision not to inform parents"
        ),
    )
    return contact


def _check_not_informing(incident, reason: str, agreed_by: str, agreed_with: str) -> None:
    """UKCCIS: a decision not to inform parents is "generally ... made in conjunction with other
    services such as children's social care and/or the police". The DSL and the headteacher
    agree it together only when no agency is involved; with a referral on record, the agency."""
    Agreed = rules.NotInformingAgreedWith
    if not reason.strip():
        raise ValidationError(
            "A decision not to inform parents needs its reason: informing them would put the "
            "young person at risk of harm."
        )
    if agreed_by not in Agreed.values:
        raise ValidationError(
            "Say who agreed not to inform them: children's social care, the police, or, when no "
            "agency is involved, the DSL and the headteacher."
        )
    if agreed_by == Agreed.DSL_AND_HEADTEACHER and hub.referred(incident):
        raise ValidationError(
            "An agency is involved in this incident: a decision not to inform parents is made "
            "with children's social care and/or the police, who decide when they are told."
        )
    if not agreed_with.strip():
        raise ValidationError("Name who agreed it (names and roles).")


@transaction.atomic
def add_action(
    incident: Incident,
    user,
    *,
    kind: str,
    description: str,
    owner,
    due,
    young_person: InvolvedPerson | None = None,
) -> Action:
    """R20: every action has an owner at the school and a due date; it may name the young
    person it concerns, so that their file lists it (R17)."""
    require_open(user, incident)
    if young_person is not None:
        _young_person(incident, young_person)
    if kind not in rules.ActionKind.values:
        raise ValidationError("Choose the kind of action.")
    if not description.strip():
        raise ValidationError("Describe the action.")
    if not owner.memberships.filter(school=incident.school).exists():
        raise ValidationError("The owner must work at this school.")
    if not has_school_perm(owner, "view_incidents", incident.school):
        # An action's owner reads it on the case: only those who may see the case (R29).
        raise ValidationError(
            f"{owner} cannot see this case, so cannot own one of its actions. Give it to the "
            "DSL, a deputy or the headteacher, who can ask a colleague to do the task without "
            "sharing the case."
        )
    action = Action(
        incident=incident,
        kind=kind,
        young_person=young_person,
        description=description.strip(),
        owner=owner,
        due=due,
    )
    save(action, user, "Action added")
    return action


@transaction.atomic
def complete_action(action: Action, user, *, outcome: str, done_at=None) -> None:
    require_open(user, action.incident, action)
    if action.done_at is not None:
        raise ValidationError("This action is already done.")
    if not outcome.strip():
        raise ValidationError("Record the outcome (for a report: what the service did).")
    action.done_at = done_at or timezone.now()
    if action.done_at > timezone.now():
        raise ValidationError("An action cannot be done in the future.")
    action.outcome = outcome.strip()
    save(action, user, "Action done")


# Protection while both children are in school (R43; KCSIE Part 5, child-on-child abuse)

PICTURED = {rules.PersonRole.PICTURED}
MADE_OR_SHARED = {rules.PersonRole.MAKER, rules.PersonRole.SENDER, rules.PersonRole.SHARER}


def safety_plan_pairs(
    incident: Incident, people: list[InvolvedPerson] | None = None
) -> list[tuple[InvolvedPerson, InvolvedPerson]]:
    """Each pictured young person with each other one who made or shared the imagery, where both
    are pupils on this school's roll: the pairs a safety plan is needed for. `people`: the
    incident's, with their pupils, when the caller has read them already (the case file)."""
    if people is None:
        people = incident.people.select_related("pupil")
    people = [p for p in people if p.pupil_id and p.pupil.school_id == incident.school_id]
    return [
        (pictured, other)
        for pictured in people
        if PICTURED & set(pictured.roles)
        for other in people
        if other.pk != pictured.pk and MADE_OR_SHARED & set(other.roles)
    ]


def safety_plans_needed(
    incident: Incident, plans=None, people: list[InvolvedPerson] | None = None
) -> list[tuple[InvolvedPerson, InvolvedPerson]]:
    """The pairs with no safety plan recorded yet (an ended one was recorded, and reviewed);
    `plans` and `people` when the caller has read them already."""
    plans = incident.safety_plans.all() if plans is None else plans
    planned = {(p.pictured_id, p.other_id) for p in plans}
    return [
        pair
        for pair in safety_plan_pairs(incident, people)
        if (pair[0].pk, pair[1].pk) not in planned
    ]


def _check_review_date(review_on) -> None:
    if review_on is None:
        raise ValidationError("Give the date the plan will be reviewed.")
    if review_on < timezone.localdate():
        raise ValidationError("The review date cannot be in the past.")


@transaction.atomic
def record_safety_plan(
    incident: Incident,
    user,
    *,
    pictured: InvolvedPerson,
    other: InvolvedPerson,
    arrangements: str,
    who_knows: str,
    support_pictured: str,
    support_other: str,
    review_on,
) -> SafetyPlan:
    """The safety plan for one pair (R43): what keeps them apart where needed, who knows, the
    support for each, and when it is reviewed."""
    require_open(user, incident)
    pairs = {(a.pk, b.pk) for a, b in safety_plan_pairs(incident)}
    if (_young_person(incident, pictured).pk, _young_person(incident, other).pk) not in pairs:
        raise ValidationError(
            "A safety plan is for a pictured young person and one who made or shared the "
            "imagery, both pupils at this school."
        )
    if incident.safety_plans.filter(pictured=pictured, other=other, ended_at=None).exists():
        raise ValidationError("These two already have a safety plan in place: review it.")
    require_filled(
        (arrangements, "what is arranged to keep them apart where needed"),
        (who_knows, "who knows about the plan"),
        (support_pictured, "the support for the pictured young person"),
        (support_other, "the support for the young person who made or shared it"),
    )
    _check_review_date(review_on)
    plan = SafetyPlan(
        incident=incident,
        pictured=pictured,
        other=other,
        arrangements=arrangements.strip(),
        who_knows=who_knows.strip(),
        support_pictured=support_pictured.strip(),
        support_other=support_other.strip(),
        review_on=review_on,
        recorded_by=user,
    )
    save(plan, user, "Safety plan recorded")
    return plan


@transaction.atomic
def review_safety_plan(
    plan: SafetyPlan, user, *, reviewed_at, note: str, next_review_on=None, end: bool = False
) -> SafetyPlanReview:
    """A review: the plan goes on to its next review date, or ends (both children no longer
    need it, one has left the school), with the reason in the note. Its chase moves with it."""
    require_open(user, plan.incident, plan)
    if plan.ended_at is not None:
        raise ValidationError("This safety plan has ended.")
    not_future(reviewed_at, "The review")
    require_filled((note, "what was reviewed, and what changed"))
    if end:
        next_review_on = None
        plan.ended_at = reviewed_at
        plan.ended_reason = note.strip()
    else:
        _check_review_date(next_review_on)
        plan.review_on = next_review_on
    review = SafetyPlanReview(
        plan=plan,
        reviewed_at=reviewed_at,
        reviewed_by=user,
        note=note.strip(),
        next_review_on=next_review_on,
    )
    save(review, user, "Safety plan reviewed")
    save(plan, user, "Safety plan ended" if end else "Safety plan reviewed")
    return review


def safety_plan_reminders(now: datetime.datetime | None = None) -> int:
    """Periodic: each open plan past its review date is chased with the DSL and deputies every
    CHASE_INTERVAL_DAYS until it is reviewed (the key names the plan, its review date and the
    interval, so a second sweep adds nothing)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    every = settings.CHASE_INTERVAL_DAYS
    written = 0
    for plan in SafetyPlan.objects.filter(ended_at=None, review_on__lt=today).select_related(
        "incident__school"
    ):
        step = ((today - plan.review_on).days - 1) // every
        team = get_user_model().objects.filter(
            is_active=True,
            memberships__school=plan.incident.school,
            memberships__role__in=[Role.DSL, Role.DEPUTY_DSL],
        )
        key = f"{Notification.Kind.SAFETY_PLAN_REVIEW}:{plan.pk}:{plan.review_on}:{step}"
        with transaction.atomic():
            tell(Notification.Kind.SAFETY_PLAN_REVIEW, plan.incident, team.distinct(), key)
        written += 1
    return written


def safety_plan_check(incident: Incident) -> list[str]:
    """Before closing: each pair needs its plan, and an open plan is ended by a review first."""
    blockers = [
        f"Record a safety plan for {a.display_name} and {b.display_name}: both are at this "
        "school (or end it at once with the reason if none is needed)."
        for a, b in safety_plans_needed(incident)
    ]
    blockers += [
        f"The {plan} is open: review it, and end it if it is no longer needed."
        for plan in incident.safety_plans.filter(ended_at=None).select_related(
            "pictured__pupil", "other__pupil"
        )
    ]
    return blockers


def safety_plans_panel(user) -> dict:
    """The dashboard's part: the open safety plans the user may see, with their review dates,
    the first to review first."""
    plans = scoped(
        SafetyPlan.objects.filter(ended_at=None), user, "change_incidents", via="incident__school"
    )
    # The case's reference alone, not its whole row: with every column of the incident joined,
    # a trust lead's two reads of open plans took 6.4 ms to build, the dashboard's most; 4.2
    # without (issue 14).
    plans = plans.select_related("pictured__pupil", "other__pupil").annotate(
        reference=F("incident__reference")
    )
    return {"open_safety_plans": first(plans, ("review_on", "pk"))}
