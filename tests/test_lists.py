"""The DSL's incident list and dashboard: filters, and what needs their action first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Action
from referrals.models import Referral

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    return client.get(reverse("incident_list"), params).text


def test_it_filters_by_stage_school_overdue_and_young_person(client, world):
    reported = IncidentFactory(school=world.school)
    referred = IncidentFactory(school=world.school, stage="referred")
    theirs = IncidentFactory(school=world.other_school)
    pupil = PupilFactory(school=world.school, first_name="Quinn", last_name="Findable")
    InvolvedPersonFactory(incident=referred, pupil=pupil, name="")
    InvolvedPersonFactory(incident=reported, name="Someone Else")
    Action.objects.create(
        incident=reported,
        kind="support",
        description="x",
        owner=world.dsl,
        due=timezone.localdate() - datetime.timedelta(days=1),
    )
    Action.objects.create(
        incident=referred,
        kind="support",
        description="y",
        owner=world.dsl,
        due=timezone.localdate() + datetime.timedelta(days=1),
    )
    client.force_login(world.trust_lead)

    def refs(**params):
        page = listed(client, **params)
        return {i.reference for i in (reported, referred, theirs) if i.reference in page}

    assert refs() == {reported.reference, referred.reference, theirs.reference}
    assert refs(stage="referred") == {referred.reference}
    assert refs(school=world.other_school.pk) == {theirs.reference}
    assert refs(overdue="on") == {reported.reference}
    assert refs(person="quinn find") == {referred.reference}
    assert refs(person="else") == {reported.reference}


def test_a_school_filter_cannot_reach_another_trusts_school(client, world):
    far = IncidentFactory(school=world.far_school)
    client.force_login(world.trust_lead)
    page = listed(client, school=world.far_school.pk)
    assert far.reference not in page


def test_the_dashboard_puts_overdue_actions_and_missing_crime_references_first(client, world):
    incident = IncidentFactory(school=world.school, stage="referred")
    Action.objects.create(
        incident=incident,
        kind="report_platform",
        description="Report to the app",
        owner=world.deputy_dsl,
        due=timezone.localdate() - datetime.timedelta(days=2),
    )
    Referral.objects.create(incident=incident, agency="police_101", made_by=world.dsl, reason="x")
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    assert page.index("Overdue actions") < page.index("Awaiting initial review")
    assert "Report to the app" in page
    assert "Crime reference numbers to record" in page
    client.force_login(world.other_dsl)
    assert "Report to the app" not in client.get(reverse("dashboard")).text
