"""Issue 13 in the initial review: R9 each aggravating factor answered, a report from the police
decided at once (item 2), R4 people, platforms and groups, the incident types the advice names
(item 5), and the guidance as the review's map (item 7)."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import hub, services
from incidents.models import Decision, Stage
from incidents.rules import Answer, Criterion
from incidents.services.decision import POLICE_ALREADY_INVOLVED

from .factories import (
    NO_AGGRAVATING_FACTORS,
    IncidentFactory,
    InvolvedPersonFactory,
    complete_review,
)

pytestmark = pytest.mark.django_db

ALL_NO = {c: (Answer.NO, "Checked at the meeting") for c in Criterion.values}


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Sam", age=15, roles=["pictured", "sender"])
    InvolvedPersonFactory(incident=incident, name="Alex", age=15, roles=["recipient"])
    # Every part of the review but the aggravating factors, which these tests answer.
    return complete_review(incident, world.dsl, criteria=ALL_NO, factors={})


def answer_factors(incident, user, factors, reason="Reviewed again"):
    services.record_aggravating_factors(incident, user, factors=factors, reason=reason)


def manage(incident, user, **kw):
    return services.decide_manage_in_school(incident, user, reason="Consensual, both 15.", **kw)


# R9: each aggravating factor answered yes or no, with a note.


def test_every_aggravating_factor_is_answered_before_managing_in_school(world, incident):
    unanswered = dict(NO_AGGRAVATING_FACTORS)
    del unanswered["profit_motive"]
    answer_factors(incident, world.dsl, unanswered)
    with pytest.raises(
        ValidationError, match=r"aggravating factors \(an answer to profit motive\)"
    ):
        manage(incident, world.dsl)
    answer_factors(incident, world.dsl, NO_AGGRAVATING_FACTORS)
    assert manage(incident, world.dsl).kind == Decision.Kind.MANAGE_IN_SCHOOL


def test_a_factor_answered_yes_needs_a_note(world, incident):
    with pytest.raises(ValidationError, match="extensive sharing"):
        answer_factors(
            incident, world.dsl, NO_AGGRAVATING_FACTORS | {"extensive_sharing": ("yes", "")}
        )


def test_a_yes_needs_the_dsl_to_say_why_managing_in_school_is_still_right(world, incident):
    answer_factors(
        incident,
        world.dsl,
        NO_AGGRAVATING_FACTORS | {"extensive_sharing": ("yes", "Posted to a Year 10 group")},
    )
    with pytest.raises(ValidationError, match="Say why managing in school is still right"):
        manage(incident, world.dsl)
    decision = manage(incident, world.dsl, aggravating_answer="Group deleted it the same hour.")
    assert decision.aggravating_present == ["Extensive sharing"]


def test_a_yes_is_shown_beside_the_decision(client, world, incident):
    answer_factors(
        incident,
        world.dsl,
        NO_AGGRAVATING_FACTORS | {"malicious_intent": ("yes", "Sent after a break-up")},
    )
    client.force_login(world.dsl)
    decide = client.get(reverse("incident_decide", args=[incident.pk])).content.decode()
    assert "<strong>Malicious intent</strong>: Sent after a break-up" in decide
    manage(incident, world.dsl, aggravating_answer="Apology, sanction, monitored.")
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "Aggravating factors present" in page
    assert "<strong>Malicious intent</strong>" in page


def test_a_changed_factor_after_sign_off_needs_a_new_sign_off(world, incident):
    answer_factors(incident, world.dsl, NO_AGGRAVATING_FACTORS)
    decision = manage(incident, world.dsl)
    services.sign_off(decision, world.headteacher, comment="Agreed")
    answer_factors(
        incident,
        world.dsl,
        NO_AGGRAVATING_FACTORS | {"persistent_behaviour": ("yes", "It happened again")},
    )
    decision.refresh_from_db()
    assert decision.current_sign_off is None


def test_the_review_page_asks_each_factor_yes_or_no(client, world, incident):
    client.force_login(world.dsl)
    url = reverse("review_part", args=[incident.pk, "factors"])
    page = client.get(url).content.decode()
    assert page.count('value="yes"') >= 11 and "Bait sites" in page
    data = {"then": "continue", "factors-reason": "Answered"}
    data |= {f"factors-f_{f}_answer": "no" for f in NO_AGGRAVATING_FACTORS}
    data["factors-f_grooming_answer"] = "yes"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Say what is known of grooming" in refused.content.decode()
    data["factors-f_grooming_note"] = "Older contact online"
    assert client.post(url, data).status_code == 302
    assert services.get_review(incident).factor_labels() == ["Grooming"]


# Item 2: a report from the police is decided "referred: police already involved".


def police_report(world):
    return services.report_concern(
        reporter=world.dsl,
        school=world.school,
        disclosure_source="police",
        disclosed_at=timezone.now() - datetime.timedelta(hours=1),
        received_by="School office",
        account="PC Jones rang: an image of a Year 9 pupil is circulating.",
    )


def test_a_report_from_the_police_is_decided_referred_police_already_involved(world):
    incident = police_report(world)
    decision = services.current_decision(incident)
    assert decision.kind == Decision.Kind.REFER
    assert decision.reason == POLICE_ALREADY_INVOLVED
    assert incident.stage == Stage.REFERRED
    assert not any("No decision" in b for b in services.closing_blockers(incident))
    with pytest.raises(ValidationError, match="already referred"):
        services.decide_refer(
            incident, world.dsl, agency="police", made_at=timezone.now(), reason="Again"
        )


def test_no_decision_is_made_for_the_police_without_their_referral_on_record(world, monkeypatch):
    """The incidents side decides only once the referral exists (asked through the hub)."""
    referrer = dataclasses.replace(hub._registry.referrer, referred=lambda incident: False)
    monkeypatch.setattr(hub, "_registry", dataclasses.replace(hub._registry, referrer=referrer))
    incident = police_report(world)
    assert services.current_decision(incident) is None
    assert incident.stage == Stage.REPORTED


def test_a_report_from_anyone_else_waits_for_the_dsls_decision(world):
    incident = services.report_concern(
        reporter=world.staff,
        school=world.school,
        disclosure_source="friend",
        disclosed_at=timezone.now() - datetime.timedelta(hours=1),
        received_by="Form tutor",
        account="A friend said a photo was shared.",
    )
    assert services.current_decision(incident) is None
    assert "No decision is recorded" in services.closing_blockers(incident)[0]


# R4: vulnerabilities for anyone involved, groups, and platforms from a list.


def test_vulnerabilities_are_recorded_for_someone_not_on_the_roll(world, incident):
    person = services.add_person(
        incident,
        world.dsl,
        services.Person(
            roles=["recipient"],
            name="Boy at Meadowbank",
            age=14,
            sen_or_disability=True,
            looked_after=True,
        ),
        reason="Named at the meeting",
    )
    assert person.vulnerabilities == ["SEN or disability", "looked after"]
    assert any("capacity to consent" in p for p in services.assess(incident).prompts)


def test_a_group_of_recipients_is_recorded_with_an_approximate_number(world, incident):
    group = services.add_person(
        incident,
        world.dsl,
        services.Person(
            roles=["recipient"], name="Year 9 group chat", age_band="13_17", group_size=200
        ),
        reason="Shared to the year group",
    )
    assert group.display_name == "Year 9 group chat (about 200)"
    with pytest.raises(ValidationError, match="two or more"):
        services.add_person(
            incident,
            world.dsl,
            services.Person(roles=["recipient"], name="One", group_size=1),
            reason="x",
        )


def test_platforms_are_picked_from_the_list_which_the_dsl_extends(world, incident):
    services.record_facts(
        incident,
        world.dsl,
        "Platforms named",
        platforms=["Messaging app", "AirDrop or other nearby sharing"],
        new_platform=("Snapchat", "social_network"),
    )
    incident.refresh_from_db()
    assert incident.platforms == [
        "Messaging app",
        "AirDrop or other nearby sharing",
        "Snapchat",
    ]
    assert ("Snapchat", "social_network") in services.offered_platforms(world.school)
    with pytest.raises(ValidationError, match="already on the list"):
        services.add_platform(incident, world.dsl, name="snapchat", kind="social_network")
    with pytest.raises(ValidationError, match="Choose from the school's list"):
        services.record_facts(incident, world.dsl, "Typo", platforms=["Snapchatt"])
    other = IncidentFactory(school=world.school, platforms=["Snapchat"])
    counts = services.platform_counts([incident, other])
    assert counts[0] == ("Snapchat", "Social network", 2)
    assert ("Messaging app", "Messaging app", 1) in counts


# Item 5: the incident types the advice names, and the AI-generated flag.


def test_imagery_made_of_another_child_with_an_ai_tool_is_flagged_in_the_criteria(world, incident):
    services.record_facts(
        incident,
        world.dsl,
        "A nudify app was used",
        incident_type="makes_anothers",
        imagery_origin="ai",
    )
    prompts = services.assess(incident).prompts
    assert any("pseudo-images" in p and "indecent images in law" in p for p in prompts)
    assert any("made without the pictured child taking part" in p for p in prompts)
    assert services.facts_snapshot(incident)["imagery"][1] == "ai"


def test_imagery_made_and_not_shared_is_a_type_of_its_own(world, incident):
    services.record_facts(incident, world.dsl, "Not sent", incident_type="made_not_shared")
    incident.refresh_from_db()
    assert incident.get_incident_type_display().startswith("A young person made imagery")
    answer_factors(incident, world.dsl, NO_AGGRAVATING_FACTORS)
    assert manage(incident, world.dsl).kind == Decision.Kind.MANAGE_IN_SCHOOL


def test_the_inspection_report_counts_ai_imagery_types_and_platforms(world, incident):
    from records.inspection import report

    services.record_facts(
        incident,
        world.dsl,
        "AI",
        incident_type="makes_anothers",
        imagery_origin="ai",
        platforms=["Messaging app"],
    )
    today = timezone.localdate()
    counted = report(
        type(incident).objects.filter(school=world.school),
        today - datetime.timedelta(days=30),
        today,
    )
    assert counted["ai_generated"] == 1
    assert ("Messaging app (Messaging app)", 1, 100) in counted["by_platform"]
    assert any(
        label.startswith("A young person made imagery of another")
        for label, *_ in counted["by_type"]
    )


# Item 7: Annex G as the review's outline; age-appropriate guidance beside criterion 3.


def test_annex_g_shows_where_the_case_is(world, incident):
    def now(case):
        return [s["label"] for s in services.annex_g(case) if s["state"] == "current"]

    assert now(incident) == ["Initial review with safeguarding team"]
    answer_factors(incident, world.dsl, NO_AGGRAVATING_FACTORS)
    manage(incident, world.dsl)
    incident.refresh_from_db()
    assert now(incident) == ["Risk assessment/Dealing with the incident"]
    services.record_risk_assessment(
        incident, world.dsl, young_person=incident.people.first(), answers={}, summary="Low"
    )
    assert now(incident) == ["Management in school"]
    assert now(police_report(world)) == ["Police/social care/MASH referral"]


def test_the_review_page_is_outlined_by_annex_g_with_guidance_beside_criterion_3(
    client, world, incident
):
    client.force_login(world.dsl)
    page = client.get(reverse("incident_review", args=[incident.pk])).content.decode()
    assert 'id="annex-g-initial_review" aria-current="step"' in page
    # The guidance beside criterion 3 is on the criteria's own page.
    url = reverse("review_part", args=[incident.pk, "criteria"])
    page = client.get(url).content.decode()
    assert "occurs between children of divergent ages or developmental abilities" in page
    assert "taking a photo of another child whilst getting changed for PE" not in page
    InvolvedPersonFactory(incident=incident, name="Younger", age=11, roles=["pictured"])
    page = client.get(url).content.decode()
    assert "Under 13: Younger." in page
    assert "taking a photo of another child whilst getting changed for PE" in page
