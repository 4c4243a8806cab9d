"""R17-R20 and closing: managing an incident in school to its close, and its chronology."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.chronology import chronology
from incidents.models import Stage
from incidents.rules import Answer

from .factories import (
    IncidentFactory,
    InvolvedPersonFactory,
    UserFactory,
    complete_review,
)

pytestmark = pytest.mark.django_db


def ago(**kw):
    return timezone.now() - datetime.timedelta(**kw)


def riley(incident):
    return incident.people.get(pupil__first_name="Riley")


def partner(incident):
    return incident.people.get(name="Partner")


def test_the_risk_assessment_records_each_question_and_an_edit_needs_a_reason(world, managed):
    a = services.record_risk_assessment(
        managed,
        world.dsl,
        young_person=riley(managed),
        answers={"why_shared": "In a relationship", "adults": "None"},
        summary="Low risk",
    )
    assert a.answers == {"why_shared": "In a relationship", "adults": "None"}
    with pytest.raises(ValidationError, match="Say why"):
        services.record_risk_assessment(
            managed, world.dsl, young_person=riley(managed), answers={}, summary="Changed"
        )
    services.record_risk_assessment(
        managed,
        world.dsl,
        young_person=riley(managed),
        answers={},
        summary="Medium",
        reason="New facts",
    )
    a.refresh_from_db()
    assert a.history.first().history_change_reason == "New facts"


def test_each_young_person_has_their_own_risk_assessment(world, managed):
    """R17: the pictured child and the recipient are assessed in their own right."""
    services.record_risk_assessment(
        managed,
        world.dsl,
        young_person=riley(managed),
        answers={"impact": "Distressed"},
        risk_level="medium",
        summary="Needs support",
    )
    services.record_risk_assessment(
        managed,
        world.dsl,
        young_person=partner(managed),
        answers={"implications": "Understands now"},
        risk_level="low",
        summary="Education session",
    )
    by_person = {
        r.young_person.display_name: (r.risk_level, r.summary)
        for r in managed.risk_assessments.all()
    }
    assert by_person == {
        "Riley Roster": ("medium", "Needs support"),
        "Partner": ("low", "Education session"),
    }
    stranger = InvolvedPersonFactory(incident=IncidentFactory(school=world.school))
    with pytest.raises(ValidationError, match="not involved in this incident"):
        services.record_risk_assessment(
            managed, world.dsl, young_person=stranger, answers={}, summary="x"
        )


def test_the_incident_page_lists_each_young_persons_assessment(client, world, managed):
    services.record_risk_assessment(
        managed, world.dsl, young_person=partner(managed), answers={}, summary="Education"
    )
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[managed.pk])).content.decode()
    listed = page.split('id="risk-assessments"')[1].split("</ul>")[0]
    assert "Partner" in listed and "Education" in listed and "Riley" not in listed
    assert f"?young_person={partner(managed).pk}" in page
    form = client.get(
        reverse("risk_assessment", args=[managed.pk]), {"young_person": partner(managed).pk}
    ).content.decode()
    assert "Education</textarea>" in form


def test_an_action_names_the_young_person_and_only_their_file_lists_it(world, managed):
    """R17: a young person's file contains only what concerns them."""
    from records.transfers import young_person_file

    due = timezone.localdate() + datetime.timedelta(days=7)
    for person, what in ((riley(managed), "Counselling for Riley"), (partner(managed), "Talk")):
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description=what,
            owner=world.dsl,
            due=due,
            young_person=person,
        )
    services.add_action(
        managed, world.dsl, kind="report_platform", description="Report", owner=world.dsl, due=due
    )
    pupil = riley(managed).pupil
    actions = [
        a["description"] for i in young_person_file(pupil)["incidents"] for a in i["actions"]
    ]
    assert actions == ["Counselling for Riley", "Report"]
    stranger = InvolvedPersonFactory(incident=IncidentFactory(school=world.school))
    with pytest.raises(ValidationError, match="not involved in this incident"):
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description="x",
            owner=world.dsl,
            due=due,
            young_person=stranger,
        )


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
            kind="informed",
            at=ago(hours=1),
            by="DSL",
            who="Mother",
            how="phone",
        )


def not_informed(incident, user, **kw):
    return services.record_parent_contact(
        incident,
        user,
        young_person=riley(incident),
        kind="not_informed",
        at=ago(hours=1),
        by="DSL",
        **kw,
    )


def test_a_decision_not_to_inform_parents_needs_a_reason_and_who_agreed_it(world, managed):
    with pytest.raises(ValidationError, match="needs its reason"):
        not_informed(managed, world.dsl, agreed_by="social_care", agreed_with="Duty desk")
    with pytest.raises(ValidationError, match="Say who agreed"):
        not_informed(managed, world.dsl, reason_not_informed="Risk at home")
    contact = not_informed(
        managed,
        world.dsl,
        reason_not_informed="Risk of harm at home",
        agreed_by="social_care",
        agreed_with="Children's social care duty desk",
    )
    assert not contact.informed and contact.get_agreed_by_display() == "Children's social care"


def test_the_dsl_and_headteacher_may_agree_not_to_inform_only_when_no_agency_is_involved(
    world, managed
):
    """Item 6: UKCCIS: generally made with social care and/or the police; with none involved,
    the DSL and the headteacher."""
    ok = not_informed(
        managed,
        world.dsl,
        reason_not_informed="Risk of harm at home",
        agreed_by="dsl_head",
        agreed_with="Mary Moses (DSL), Hugh Head (headteacher)",
    )
    assert "headteacher" in ok.get_agreed_by_display()
    services.decide_refer(
        managed, world.dsl, agency="csc", made_at=ago(minutes=5), reason="New disclosure"
    )
    with pytest.raises(ValidationError, match="An agency is involved"):
        not_informed(
            managed,
            world.dsl,
            reason_not_informed="Still a risk",
            agreed_by="dsl_head",
            agreed_with="DSL and head",
        )


def test_later_updates_to_parents_are_recorded_after_the_first_contact(world, managed):
    """Item 6: parents kept informed over time, not only told once."""

    def update(**kw):
        return services.record_parent_contact(
            managed,
            world.dsl,
            young_person=riley(managed),
            kind="update",
            at=ago(minutes=10),
            by="DSL",
            who="Mother",
            how="phone",
            **kw,
        )

    with pytest.raises(ValidationError, match="record first that the parents were informed"):
        update(note="Deletion confirmed")
    services.record_parent_contact(
        managed,
        world.dsl,
        young_person=riley(managed),
        kind="informed",
        at=ago(hours=2),
        by="DSL",
        who="Mother",
        how="in_person",
    )
    with pytest.raises(ValidationError, match="what the parents were told"):
        update()
    update(note="Deletion confirmed; support sessions start Monday")
    kinds = [c.kind for c in managed.parent_contacts.all()]
    assert kinds == ["informed", "update"]
    assert "Parents updated: Riley Roster" in [e.what for e in chronology(managed)]


def test_informing_parents_needs_who_and_how(world, managed):
    with pytest.raises(ValidationError, match="who was told and how"):
        services.record_parent_contact(
            managed,
            world.dsl,
            young_person=riley(managed),
            kind="informed",
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
    complete_review(incident, world.dsl)
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
        kind="informed",
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
        kind="informed",
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
            kind="informed",
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
    # Constant in the length of the case; each app's chronology source costs its own query.
    with django_assert_max_num_queries(36):
        assert client.get(url).status_code == 200


def test_an_action_is_owned_only_by_someone_who_may_see_the_case(client, world, managed):
    """Issue 11 (10): the owner reads the action on the case, so a member of staff cannot own
    one; the form offers only the safeguarding team."""
    with pytest.raises(ValidationError, match="cannot see this case"):
        services.add_action(
            managed,
            world.dsl,
            kind="support",
            description="Check-ins",
            owner=world.staff,
            due=timezone.localdate(),
        )
    client.force_login(world.dsl)
    page = client.get(reverse("action_add", args=[managed.pk])).text
    assert str(world.deputy_dsl) in page and str(world.staff) not in page
