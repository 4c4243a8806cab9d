"""The decision: refer or manage in school, and the headteacher's sign-off (R8-R13, R30)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import roles_at
from ypsi.recording import save

from .. import hub, stages, tasklist
from ..models import Decision, DisclosureSource, Incident, SignOff, Stage
from .assessment import assess, facts_snapshot, get_review
from .common import require_open, require_reason, start_review
from .notifications import tell_sent_back, tell_sign_off_needed


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
    require_open(user, incident)
    reason = require_reason(reason)
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
        # A referral never waits for the review (issue 12): what was not done is on record.
        review_incomplete=[s.describe() for s in tasklist.incomplete(incident)],
        facts=facts_snapshot(incident),
    )
    save(decision, user, "Decision: refer")
    # The referral itself belongs to the referrals app; a refusal there undoes the decision.
    hub.referrer().record(
        incident,
        user,
        agency=agency,
        made_at=made_at,
        reason=reason,
        to_whom=to_whom,
        how=how,
        reference=reference,
    )
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
    require_open(user, incident)
    if not reason.strip():
        raise ValidationError(
            "Say why you are confident the risks can be managed within the school's pastoral "
            "support and disciplinary framework."
        )
    problems = assess(incident).refusal(incident)
    if problems:
        raise ValidationError(problems)
    unfinished = tasklist.incomplete(incident)
    if unfinished:
        raise ValidationError(
            "Finish every part of the initial review before deciding to manage in school. Not "
            "yet complete: " + "; ".join(s.describe().lower() for s in unfinished) + ". "
            "A referral does not wait for the review: if in doubt, refer."
        )
    review = get_review(incident)
    present = review.factor_labels()
    if present and not aggravating_answer.strip():
        raise ValidationError(
            "Aggravating factors weigh towards referral, and this incident has "
            + ", ".join(present).lower()
            + ". Say why managing in school is still right despite each of them. If in doubt, "
            "refer."
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
    tell_sign_off_needed(decision)
    return decision


POLICE_ALREADY_INVOLVED = "Referred: police already involved (the police told the school)."


def record_police_already_involved(incident: Incident, user) -> Decision | None:
    """A report from the police starts referred (issue 13 item 2).

    Called inside the report's transaction after the other apps' part of it: once the referrals
    app has the police's referral on record, the decision is recorded as "referred: police
    already involved", so the DSL is not asked to choose between refer and manage in school and
    closing is not held up for want of a decision. Without a referral on record nothing is
    decided here: the DSL decides as for any report.
    """
    if incident.disclosure_source != DisclosureSource.POLICE or not hub.referred(incident):
        return None
    decision = Decision(
        incident=incident,
        kind=Decision.Kind.REFER,
        made_by=user,
        reason=POLICE_ALREADY_INVOLVED,
        facts=facts_snapshot(incident),
    )
    save(decision, user, POLICE_ALREADY_INVOLVED)
    stages.move(incident, Stage.REFERRED, user, POLICE_ALREADY_INVOLVED)
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
    require_open(user, incident, decision, perm="sign_off_decisions")
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
        tell_sent_back(record)
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
        if not problems:
            tell_sign_off_needed(decision, after=signed)
    if problems:
        decision.superseded_at = now
        decision.superseded_reason = (
            "The facts changed and the incident now needs a referral: " + " ".join(problems)
        )
        save(decision, user, decision.superseded_reason)
        stages.move(incident, Stage.UNDER_REVIEW, user, decision.superseded_reason)


def awaiting_sign_off(decisions):
    """Decisions to manage in school still in force with no live sign-off, as the database
    reads it (`Decision.awaits_sign_off` for decisions already read)."""
    live = SignOff.objects.filter(decision=OuterRef("pk"), superseded_at__isnull=True)
    return decisions.filter(
        kind=Decision.Kind.MANAGE_IN_SCHOOL, superseded_at__isnull=True
    ).exclude(Exists(live))
