"""Work with agencies beyond the referral itself (issue 13 items 3 and 4; R13): outcomes of
referrals counted for the inspector, the local first point of contact where a DSL decides and
refers, anonymous advice calls, take-down and help routes as actions, and sextortion advice."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents.chronology import chronology
from incidents.models import Action
from records.inspection import report
from referrals import services
from referrals.models import Referral

from .factories import IncidentFactory, InvolvedPersonFactory

TODAY = timezone.localdate


@pytest.fixture
def referred(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Sam", age=14, roles=["pictured"])
    referral = Referral.objects.create(
        incident=incident,
        agency="police",
        made_by=world.dsl,
        reason="Criterion 2",
        made_at=timezone.now() - datetime.timedelta(days=3),
    )
    return referral


def test_an_outcome_is_recorded_with_its_date_and_reference_and_shown(client, world, referred):
    services.record_outcome(
        referred, world.dsl, kind="community_resolution", decided_on=TODAY(), reference="CR/123"
    )
    client.force_login(world.dsl)
    page = client.get(referred.incident.get_absolute_url()).text
    assert "Police: community resolution" in page and "CR/123" in page
    whats = [e.what for e in chronology(referred.incident)]
    assert any("community resolution (reference CR/123)" in w for w in whats)


def test_outcome_21_needs_its_note_on_later_checks(world, referred):
    with pytest.raises(ValidationError, match="enhanced DBS check"):
        services.record_outcome(referred, world.dsl, kind="outcome_21", decided_on=TODAY())
    services.record_outcome(
        referred,
        world.dsl,
        kind="outcome_21",
        decided_on=TODAY(),
        note="Family told it may show on an enhanced DBS check.",
    )
    assert referred.outcomes.get().kind == "outcome_21"


def test_an_outcome_cannot_predate_its_referral(world, referred):
    with pytest.raises(ValidationError, match="before the referral"):
        services.record_outcome(
            referred,
            world.dsl,
            kind="charge",
            decided_on=TODAY() - datetime.timedelta(days=10),
        )


def test_the_inspection_report_counts_the_outcomes(world, referred):
    social = Referral.objects.create(
        incident=referred.incident, agency="csc", made_by=world.dsl, reason="x"
    )
    services.record_outcome(referred, world.dsl, kind="caution", decided_on=TODAY())
    services.record_outcome(social, world.dsl, kind="strategy", decided_on=TODAY())
    services.record_outcome(social, world.dsl, kind="assessment", decided_on=TODAY())
    start = TODAY() - datetime.timedelta(days=30)
    got = report(type(referred.incident).objects.all(), start, TODAY())
    counts = {label: n for label, n, _ in got["by_agency_outcome"]}
    assert counts == {
        "Police: caution": 1,
        "Social care: strategy meeting": 1,
        "Social care: child and family assessment": 1,
    }


def test_the_decide_and_referral_pages_show_the_local_first_point_of_contact(
    client, world, referred
):
    school = world.school
    school.mash_contact, school.mash_phone = "Riverside MASH duty desk", "01632 960000"
    school.save()
    client.force_login(world.dsl)
    incident = referred.incident
    for url in (
        reverse("incident_decide", args=[incident.pk]),
        reverse("referral_add", args=[incident.pk]),
        reverse("referral_update", args=[incident.pk, referred.pk]),
    ):
        page = client.get(url).text
        assert "Riverside MASH duty desk" in page and "01632 960000" in page, url
        assert "Your local first point of contact: Multi-Agency Safeguarding Hub" in page


def test_an_anonymous_advice_call_is_recorded_with_who_when_and_the_advice(
    client, world, referred
):
    incident = referred.incident
    client.force_login(world.dsl)
    page = client.get(reverse("advice_call_add", args=[incident.pk]))
    assert page.status_code == 200
    services.record_advice_call(
        incident,
        world.dsl,
        agency="mash",
        called_at=timezone.now() - datetime.timedelta(hours=1),
        spoke_to="Duty social worker",
        advice="Refer: coercion is criterion 2.",
    )
    page = client.get(incident.get_absolute_url()).text
    assert "Duty social worker: Refer: coercion is criterion 2." in page
    with pytest.raises(ValidationError, match="who gave the advice"):
        services.record_advice_call(
            incident, world.dsl, agency="police", called_at=timezone.now(), spoke_to="", advice=""
        )


def test_a_take_down_route_becomes_an_action_with_an_outcome(world, referred):
    from incidents import services as incident_services

    incident = referred.incident
    action = services.add_help_action(
        incident,
        world.dsl,
        route="report_remove",
        description="Sam to report with the DSL's support",
        owner=world.dsl,
        due=TODAY(),
    )
    assert action.kind == "report_childline"
    assert action.description.startswith("Report Remove (Childline and the Internet Watch")
    incident_services.complete_action(action, world.dsl, outcome="IWF confirmed removal")
    assert Action.objects.get(pk=action.pk).outcome == "IWF confirmed removal"


def test_report_remove_is_only_for_under_18s(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Adult", age=19, roles=["pictured"])
    with pytest.raises(ValidationError, match="under 18"):
        services.add_help_action(
            incident,
            world.dsl,
            route="report_remove",
            description="",
            owner=world.dsl,
            due=TODAY(),
        )


def test_the_incident_page_lists_every_route(client, world, referred):
    client.force_login(world.dsl)
    page = client.get(referred.incident.get_absolute_url()).text
    for name in (
        "Report Remove",
        "CEOP",
        "Take It Down",
        "Professionals Online Safety Helpline",
        "NSPCC",
    ):
        assert name in page, name


def test_sextortion_shows_the_advice_and_records_it_given(client, world, referred):
    incident = referred.incident
    client.force_login(world.dsl)
    assert "Do not pay" not in client.get(incident.get_absolute_url()).text
    incident.sextortion = True
    incident.save()
    page = client.get(incident.get_absolute_url()).text
    assert "Do not pay" in page and "Do not delete the messages" in page
    with pytest.raises(ValidationError, match="say why"):
        services.record_sextortion_advice(
            incident,
            world.dsl,
            given_to="Sam",
            given_at=timezone.now(),
            given_by="DSL",
            points=["do_not_pay"],
        )
    services.record_sextortion_advice(
        incident,
        world.dsl,
        given_to="Sam and their mother",
        given_at=timezone.now(),
        given_by="DSL",
        points=["do_not_pay", "keep_evidence", "stop_contact", "report"],
    )
    assert "Given to Sam and their mother by DSL" in client.get(incident.get_absolute_url()).text
