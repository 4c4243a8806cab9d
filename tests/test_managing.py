"""R17-R20 and closing: managing an incident in school to its close, and its chronology."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Stage
from incidents.rules import Answer, Criterion

from .factories import IncidentFactory, InvolvedPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def ago(**kw):
    return timezone.now() - datetime.timedelta(**kw)


def riley(incident):
    return incident.people.get(pupil__first_name="Riley")


def test_the_risk_assessment_records_each_question_and_an_edit_needs_a_reason(world, managed):
    a = services.record_risk_assessment(
        managed,
        world.dsl,
        answers={"why_shared": "In a relationship", "adults": "None"},
        summary="Low risk",
    )
    assert a.answers == {"why_shared": "In a relationship", "adults": "None"}
    with pytest.raises(ValidationError, match="Say why"):
        services.record_risk_assessment(managed, world.dsl, answers={}, summary="Changed")
    services.record_risk_assessment(
        managed, world.dsl, answers={}, summary="Medium", reason="New facts"
    )
    assert managed.risk_assessment.history.first().history_change_reason == "New facts"


def test_a_conversation_records_what_the_imagery_contains_without_looking(world, managed):
    c = services.record_conversation(
        managed,
        world.dsl,
        young_person=riley(managed),
        held_at=ago(hours=1),
        held_by="Form tutor",
        preferred_adult=True,
        imagery_described="A topless photo, as she described it",
        seen_or_shared_by="Only the recipient",
        preventing_sharing="Recipient deleted it in front of the DSL",
    )
    assert c.preferred_adult and c.recorded_by == world.dsl
    with pytest.raises(ValidationError, match="how further sharing will be prevented"):
        services.record_conversation(
            managed,
            world.dsl,
            young_person=riley(managed),
            held_at=ago(hours=1),
            held_by="DSL",
            imagery_described="x",
            seen_or_shared_by="y",
            preventing_sharing="",
        )


def test_a_person_from_another_incident_is_refused(world, managed):
    stranger = InvolvedPersonFactory(incident=IncidentFactory(school=world.school))
    with pytest.raises(ValidationError, match="not involved in this incident"):
        services.record_parent_contact(
            managed,
            world.dsl,
            young_person=stranger,
            informed=True,
            at=ago(hours=1),
            by="DSL",
            who="Mother",
            how="phone",
        )


def test_a_decision_not_to_inform_parents_needs_a_reason_and_who_agreed_it(world, managed):
    with pytest.raises(ValidationError, match="its reason, and who it was agreed with"):
        services.record_parent_contact(
            managed,
            world.dsl,
            young_person=riley(managed),
            informed=False,
            at=ago(hours=1),
            by="DSL",
            reason_not_informed="Risk at home",
        )
    contact = services.record_parent_contact(
        managed,
        world.dsl,
        young_person=riley(managed),
        informed=False,
        at=ago(hours=1),
        by="DSL",
        reason_not_informed="Risk of harm at home",
        agreed_with="Children's social care duty desk",
    )
    assert not contact.informed and contact.agreed_with.startswith("Children's")


def test_informing_parents_needs_who_and_how(world, managed):
    with pytest.raises(ValidationError, match="who was told and how"):
        services.record_parent_contact(
            managed,
            world.dsl,
            young_person=riley(managed),
            informed=True,
            at=ago(hours=1),
            by="DSL",
        )


def test_an_action_needs_an_owner_at_the_school(world, managed):
    outsider = UserFactory()
    with pytest.raises(ValidationError, match="must work at this school"):
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description="Check-ins",
            owner=outsider,
            due=timezone.localdate(),
        )


def test_closing_lists_everything_that_is_missing(world, managed):
    services.add_action(
        managed,
        world.dsl,
        kind="report_platform",
        description="Report to the app",
        owner=world.deputy_dsl,
        due=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as refused:
        services.close_incident(managed, world.dsl, summary="Done")
    messages = refused.value.messages
    assert messages[0] == "The incident cannot be closed yet:"
    assert any("Parents or carers of Riley Roster" in m for m in messages)
    assert any(m.startswith("Open action: Report to the app") for m in messages)
    managed.refresh_from_db()
    assert managed.stage == Stage.MANAGED_IN_SCHOOL


def test_closing_is_refused_while_the_decision_is_not_signed_off(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, age=15)
    services.record_facts(incident, world.dsl, "", incident_type="self", sexual_acts=Answer.NO)
    services.record_criteria(
        incident,
        world.dsl,
        criteria={c: (Answer.NO, "") for c in Criterion.values},
        aggravating_factors=[],
    )
    services.decide_manage_in_school(incident, world.dsl, reason="Fine")
    assert (
        "The decision to manage in school is not signed off by the headteacher."
        in services.closing_blockers(incident)
    )


def test_closing_is_refused_while_a_required_referral_is_missing(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, age=40, roles=["recipient"])
    services.record_facts(incident, world.dsl, "", incident_type="self", sexual_acts=Answer.NO)
    blockers = services.closing_blockers(incident)
    assert "A referral is required and none is recorded." in blockers
    assert "No decision is recorded: refer, or decide to manage in school." in blockers


def test_a_complete_case_closes_and_reopens_with_a_reason(world, managed):
    services.record_parent_contact(
        managed,
        world.dsl,
        young_person=riley(managed),
        informed=True,
        at=ago(hours=1),
        by="DSL",
        who="Mother",
        how="supported",
    )
    action = services.add_action(
        managed,
        world.dsl,
        kind="education",
        description="Session on consent",
        owner=world.deputy_dsl,
        due=timezone.localdate(),
    )
    services.complete_action(action, world.deputy_dsl, outcome="Delivered")
    services.close_incident(
        managed, world.dsl, summary="Managed in school; image deleted; support in place"
    )
    managed.refresh_from_db()
    assert managed.stage == Stage.CLOSED and managed.closed_by == world.dsl
    with pytest.raises(ValidationError, match="closed"):
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description="More",
            owner=world.dsl,
            due=timezone.localdate(),
        )
    with pytest.raises(ValidationError, match="Say why"):
        services.reopen_incident(managed, world.dsl, reason="")
    services.reopen_incident(managed, world.dsl, reason="The image has resurfaced")
    managed.refresh_from_db()
    assert managed.stage == Stage.UNDER_REVIEW
    assert managed.history.first().history_change_reason == "Reopened: The image has resurfaced"


def test_the_chronology_tells_the_case_in_order(client, world, managed):
    services.record_parent_contact(
        managed,
        world.dsl,
        young_person=riley(managed),
        informed=True,
        at=timezone.now(),
        by="DSL",
        who="Mother",
        how="phone",
    )
    client.force_login(world.headteacher)
    page = client.get(reverse("incident_chronology", args=[managed.pk])).text
    order = [
        "Concern reported",
        "Initial review started",
        "Decision: manage in school",
        "Signed off (Headteacher)",
        "Parents informed: Riley Roster",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("extra", [0, 10])
def test_the_chronology_costs_the_same_queries_however_long_the_case(
    client, world, managed, extra, django_assert_max_num_queries
):
    for i in range(extra):
        services.record_parent_contact(
            managed,
            world.dsl,
            young_person=riley(managed),
            informed=True,
            at=ago(minutes=30 - i),
            by="DSL",
            who=f"Carer {i}",
            how="phone",
        )
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description=f"Support {i}",
            owner=world.dsl,
            due=timezone.localdate(),
        )
    client.force_login(world.dsl)
    url = reverse("incident_chronology", args=[managed.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
