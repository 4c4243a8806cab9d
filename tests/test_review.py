"""R3, R5-R13, R30: the initial review, the decision and the headteacher's sign-off, enforced."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from incidents import services
from incidents.models import Decision, Incident, SignOff, Stage
from incidents.rules import Answer, Criterion

from .factories import (
    NO_AGGRAVATING_FACTORS,
    IncidentFactory,
    InvolvedPersonFactory,
    complete_review,
    member,
)

pytestmark = pytest.mark.django_db

ALL_NO = {c: (Answer.NO, "Checked at the meeting") for c in Criterion.values}


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(
        incident=incident, name="Pictured pupil", age=15, roles=["pictured", "sender"]
    )
    InvolvedPersonFactory(incident=incident, name="Boyfriend", age=15, roles=["recipient"])
    return incident


def ready(incident, user, **facts):
    """A complete review with no criterion holding: a case the school may manage."""
    return complete_review(incident, user, criteria=ALL_NO, imagery_media=["photo"], **facts)


def manage(incident, user, **kw):
    return services.decide_manage_in_school(
        incident, user, reason="Consensual, both 15, image deleted, parents informed.", **kw
    )


def test_out_of_scope_incidents_are_closed_as_not_ypsi_and_kept(world, incident):
    services.close_out_of_scope(
        incident, world.dsl, "text_only", "Messages only; no image was ever sent."
    )
    incident.refresh_from_db()
    assert incident.stage == Stage.CLOSED
    assert incident.closure_reason == "Not YPSI: Messages only; no image was ever sent."
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert incident.history.first().history_change_reason.startswith("Closed as not YPSI")


def test_a_covered_type_cannot_be_closed_as_out_of_scope(world, incident):
    with pytest.raises(ValidationError, match="out of scope"):
        services.close_out_of_scope(incident, world.dsl, "self", "Wrong")


def test_adult_produced_imagery_must_go_to_the_police(world, incident):
    ready(incident, world.dsl, incident_type="adult")
    with pytest.raises(ValidationError, match="child sexual abuse"):
        manage(incident, world.dsl)


def test_the_meeting_records_who_attended_and_each_consideration(world, incident):
    review = services.record_meeting(
        incident,
        world.dsl,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        attendees=[world.dsl, world.headteacher],
        other_attendees="Ms Pastoral, head of year",
        considerations={"immediate_risk": "None seen", "viewing": "Not necessary", "parents": ""},
    )
    assert set(review.attendees.all()) == {world.dsl, world.headteacher}
    assert review.considerations == {"immediate_risk": "None seen", "viewing": "Not necessary"}
    incident.refresh_from_db()
    assert incident.stage == Stage.UNDER_REVIEW
    with pytest.raises(ValidationError, match="Say why"):
        services.record_meeting(
            incident, world.dsl, held_at=None, attendees=[], other_attendees="", considerations={}
        )


def test_an_adult_recipient_derives_criterion_1_and_refuses_managing_in_school(world, incident):
    InvolvedPersonFactory(incident=incident, name="Recipient", age=37, roles=["recipient"])
    ready(incident, world.dsl)
    assessment = services.assess(incident)
    adult = assessment.criteria[0]
    assert adult.judged == Answer.NO and adult.answer == Answer.YES
    assert "Involves an adult: Recipient (received it), aged 37" in adult.derived.reasons
    with pytest.raises(ValidationError) as refused:
        manage(incident, world.dsl)
    assert (
        "An immediate referral to police and/or children's social care should be made: 1. The incident involves an adult"
        in str(refused.value)
    )
    assert not Decision.objects.exists()


@pytest.mark.parametrize("criterion", Criterion.values)
def test_managing_in_school_is_refused_when_any_criterion_is_judged_to_hold(
    world, incident, criterion
):
    ready(incident, world.dsl)
    services.record_criteria(
        incident,
        world.dsl,
        criteria=ALL_NO | {criterion: (Answer.YES, "Yes")},
        reason="New information",
    )
    with pytest.raises(ValidationError, match=rf"should be made: {criterion}\."):
        manage(incident, world.dsl)


def test_a_criterion_not_yet_known_blocks_the_decision(world, incident):
    ready(incident, world.dsl)
    services.record_criteria(
        incident,
        world.dsl,
        criteria=ALL_NO | {"5": (Answer.NOT_KNOWN, "")},
        reason="Waiting for the school nurse",
    )
    with pytest.raises(ValidationError, match=r"Not yet known: 5\. You have reason"):
        manage(incident, world.dsl)


def test_the_schools_threshold_decides_criterion_4(world, incident):
    world.school.under_age_threshold = 17
    world.school.save()
    ready(incident, world.dsl, sexual_acts=Answer.YES)
    with pytest.raises(ValidationError, match="any pupil in the imagery is under 17"):
        manage(incident, world.dsl)


def test_sexual_acts_with_a_12_year_old_pictured_refuses_managing_in_school(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Child", age=12, roles=["pictured"])
    ready(incident, world.dsl, sexual_acts=Answer.YES)
    with pytest.raises(ValidationError, match="under 13"):
        manage(incident, world.dsl)


def test_sextortion_prompts_for_an_adult_and_makes_criterion_2_hold(world, incident):
    ready(incident, world.dsl, sextortion=True)
    assessment = services.assess(incident)
    assert "an adult is very likely involved (criterion 1)" in assessment.prompts[0]
    assert assessment.answers["2"] == Answer.YES


def test_an_aggravating_factor_answered_yes_must_be_answered_in_the_reason(world, incident):
    ready(incident, world.dsl)
    services.record_aggravating_factors(
        incident,
        world.dsl,
        factors=NO_AGGRAVATING_FACTORS | {"persistent_behaviour": ("yes", "Third time this term")},
        reason="Third time",
    )
    with pytest.raises(ValidationError, match="persistent behaviour"):
        manage(incident, world.dsl)
    decision = manage(
        incident, world.dsl, aggravating_answer="Persistent, but within a relationship; monitored."
    )
    assert decision.aggravating_answer.startswith("Persistent")
    assert decision.aggravating_present == ["Persistent behaviour"]


def test_the_wolverhampton_rule_refers_an_aggravated_incident_with_a_12_year_old(world):
    world.school.wolverhampton_rule = True
    world.school.save()
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Younger", age=12, roles=["pictured"])
    ready(incident, world.dsl, typology="aggravated_reckless")
    with pytest.raises(ValidationError, match=r"Local procedure.*12 or under"):
        manage(incident, world.dsl)


def test_without_the_local_rule_the_same_incident_may_be_managed(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Younger", age=12, roles=["pictured"])
    ready(incident, world.dsl, typology="aggravated_reckless")
    assert manage(incident, world.dsl).kind == Decision.Kind.MANAGE_IN_SCHOOL


def test_a_decision_to_manage_in_school_awaits_the_headteachers_sign_off(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    incident.refresh_from_db()
    assert incident.stage == Stage.MANAGED_IN_SCHOOL
    assert list(services.awaiting_sign_off(Decision.objects.all())) == [decision]
    assert awaits(decision)
    signed = services.sign_off(decision, world.headteacher, comment="Agreed: proportionate.")
    assert (signed.outcome, signed.capacity, signed.signed_by) == (
        "signed",
        "Headteacher",
        world.headteacher,
    )
    assert not services.awaiting_sign_off(Decision.objects.all()).exists()
    assert not awaits(decision)


def awaits(decision) -> bool:
    """What the case page reads (the decision with its sign-offs), which must agree with the
    database's reading, `services.awaiting_sign_off`."""
    return Decision.objects.prefetch_related("sign_offs").get(pk=decision.pk).awaits_sign_off


def test_the_person_who_made_the_decision_cannot_sign_it_off(world, incident):
    ready(incident, world.dsl)
    world.school.memberships.create(user=world.headteacher, role=Role.DSL)
    decision = manage(incident, world.headteacher)
    with pytest.raises(ValidationError, match="someone other than the person who made it"):
        services.sign_off(decision, world.headteacher, comment="Fine")


def test_when_the_head_decided_the_nominated_signatory_signs_and_the_record_says_so(
    world, incident
):
    world.school.memberships.create(user=world.headteacher, role=Role.DSL)
    chair = member(world.school, Role.SIGNATORY)
    ready(incident, world.headteacher)
    decision = manage(incident, world.headteacher)
    signed = services.sign_off(decision, chair, comment="Agreed.")
    assert (
        signed.capacity == "Chair of governors, in place of the headteacher, who made the decision"
    )


def test_the_nominated_signatory_does_not_sign_what_the_head_can(world, incident):
    chair = member(world.school, Role.SIGNATORY)
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    with pytest.raises(ValidationError, match="The headteacher signs off this decision"):
        services.sign_off(decision, chair, comment="Agreed.")


@pytest.mark.parametrize("who", ["dsl", "deputy_dsl", "staff", "other_headteacher", "trust_lead"])
def test_only_the_schools_headteacher_signs_off(world, incident, who):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.sign_off(decision, getattr(world, who), comment="Agreed")


def test_a_signed_decision_cannot_be_edited(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    services.sign_off(decision, world.headteacher, comment="Agreed")
    decision.reason = "Something else"
    with pytest.raises(ValueError, match="never edited"):
        decision.save()


def test_a_later_change_of_fact_supersedes_the_sign_off_and_asks_for_a_new_one(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    first = services.sign_off(decision, world.headteacher, comment="Agreed")
    boyfriend = incident.people.get(name="Boyfriend")
    services.correct_person(boyfriend, world.dsl, "His date of birth from his school", age=16)
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert (
        first.superseded_reason
        == "The facts it rests on changed: His date of birth from his school"
    )
    assert list(services.awaiting_sign_off(Decision.objects.all())) == [decision]
    assert awaits(decision)
    second = services.sign_off(decision, world.headteacher, comment="Still agreed")
    assert SignOff.objects.count() == 2 and second.superseded_at is None


def test_a_change_that_makes_a_criterion_hold_supersedes_the_decision(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    services.sign_off(decision, world.headteacher, comment="Agreed")
    boyfriend = incident.people.get(name="Boyfriend")
    services.correct_person(boyfriend, world.dsl, "He is in fact 19", age=19)
    decision.refresh_from_db()
    incident.refresh_from_db()
    assert (
        decision.superseded_at is not None and "now needs a referral" in decision.superseded_reason
    )
    assert incident.stage == Stage.UNDER_REVIEW
    assert boyfriend.history.first().history_change_reason == "He is in fact 19"
    with pytest.raises(ValidationError, match="involves an adult"):
        manage(incident, world.dsl)


def test_correcting_a_fact_needs_a_reason(world, incident):
    with pytest.raises(ValidationError, match="Say why"):
        services.correct_person(incident.people.first(), world.dsl, "", age=14)


def test_escalation_keeps_the_earlier_decision_and_sign_off(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    signed = services.sign_off(decision, world.headteacher, comment="Agreed")
    services.decide_refer(
        incident,
        world.dsl,
        agency="mash",
        made_at=timezone.now(),
        reason="The image has now appeared on a website",
    )
    incident.refresh_from_db()
    decision.refresh_from_db()
    assert incident.stage == Stage.REFERRED
    assert (
        decision.superseded_reason
        == "Escalated to a referral: The image has now appeared on a website"
    )
    assert SignOff.objects.get() == signed
    assert incident.referrals.get().agency == "mash"
    assert [d.kind for d in incident.decisions.all()] == ["manage", "refer"]


def test_sending_back_returns_the_incident_to_review(world, incident):
    ready(incident, world.dsl)
    decision = manage(incident, world.dsl)
    services.sign_off(
        decision, world.headteacher, comment="Talk to the parents first", send_back=True
    )
    incident.refresh_from_db()
    decision.refresh_from_db()
    assert incident.stage == Stage.UNDER_REVIEW
    assert decision.superseded_reason.endswith("Talk to the parents first")
    assert manage(incident, world.dsl).pk != decision.pk


def test_a_referral_needs_an_agency_and_a_reason(world, incident):
    with pytest.raises(ValidationError):
        services.decide_refer(incident, world.dsl, agency="", made_at=timezone.now(), reason="x")
    with pytest.raises(ValidationError):
        services.decide_refer(
            incident, world.dsl, agency="mash", made_at=timezone.now(), reason=""
        )


@pytest.mark.parametrize("who", ["headteacher", "staff", "trust_lead", "other_dsl"])
def test_only_the_dsl_and_deputies_record_the_review(world, incident, who):
    with pytest.raises(PermissionDenied):
        services.record_criteria(
            incident,
            getattr(world, who),
            criteria=ALL_NO,
        )


def test_previous_incidents_of_a_roster_pupil_are_shown(world):
    from .factories import PupilFactory

    pupil = PupilFactory(school=world.school)
    earlier = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=earlier, pupil=pupil, name="")
    later = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=later, pupil=pupil, name="")
    assert services.assess(later).previous_incidents == [earlier]


def test_the_wolverhampton_rule_reads_each_young_persons_own_risk_assessment(
    world, incident, django_capture_on_commit_callbacks
):
    """A case managed in school whose later assessment of one young person finds high risk is
    then one the local procedure sends to MASH, at once (R13, R17, R37)."""
    world.school.wolverhampton_rule = True
    world.school.save()
    ready(incident, world.dsl, typology="aggravated_reckless")
    manage(incident, world.dsl)
    assert services.urgency.referral_due(incident) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.record_risk_assessment(
            incident,
            world.dsl,
            young_person=incident.people.get(name="Boyfriend"),
            answers={"why_shared": "Pressured by older pupils"},
            summary="Exploited by older pupils",
            risk_level="high",
        )
    incident.refresh_from_db()
    assert services.urgency.referral_due(incident) == [
        "Aggravated, and the risk assessment of the young people finds high risk"
    ]
    assert incident.referral_required_since is not None
