"""The initial review, decision and sign-off pages, as the DSL and headteacher use them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Decision, Stage

from .factories import IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured pupil", age=15, roles=["pictured"])
    return incident


def prefixed(section, data):
    """The page's forms carry prefixes so that their fields' ids never collide."""
    return {"section": section} | {f"{section}-{k}": v for k, v in data.items() if k != "section"}


def facts(**kw):
    return prefixed(
        "facts",
        {
            "section": "facts",
            "incident_type": "self",
            "imagery_media": ["photo"],
            "imagery_origin": "real",
            "sexual_acts": "no",
            "reason": "",
        }
        | kw,
    )


def criteria(answer="no", **kw):
    data = {"section": "criteria", "reason": ""}
    for c in "12345":
        data[f"c{c}_answer"] = answer
        data[f"c{c}_note"] = f"Note {c}"
    return prefixed("criteria", data | kw)


def test_the_dsl_records_the_review_and_sees_where_the_criteria_stand(client, world, incident):
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    assert client.post(url, facts()).status_code == 302
    assert client.post(url, criteria()).status_code == 302
    now = timezone.localtime() - datetime.timedelta(days=1)  # in the past at any hour
    meeting = prefixed(
        "meeting",
        {
            "held_on_day": now.day,
            "held_on_month": now.month,
            "held_on_year": now.year,
            "held_time": "00:01",
            "attendees": [world.dsl.pk, world.headteacher.pk],
            "other_attendees": "Head of year",
            "consideration_viewing": "Not necessary",
            "reason": "",
        },
    )
    assert client.post(url, meeting).status_code == 302
    page = client.get(url).text
    assert "Note 3" in page and "Not necessary" in page
    incident.refresh_from_db()
    assert incident.stage == Stage.UNDER_REVIEW
    assert incident.review.attendees.count() == 2


def test_a_second_save_without_a_reason_is_refused_and_keeps_what_was_typed(
    client, world, incident
):
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    client.post(url, criteria())
    response = client.post(url, criteria(c2_note="Changed my mind"))
    assert response.status_code == 400
    assert "Say why you are making this change" in response.text
    assert "Changed my mind" in response.text


def test_the_review_page_shows_why_a_derived_criterion_holds(client, world, incident):
    InvolvedPersonFactory(incident=incident, name="Older recipient", age=37, roles=["recipient"])
    client.force_login(world.dsl)
    page = client.get(reverse("incident_review", args=[incident.pk])).text
    assert "Involves an adult: Older recipient (received it), aged 37" in page
    assert "Your answer cannot clear this" in page


def test_managing_in_school_is_refused_on_the_page_with_the_guidance_words(
    client, world, incident
):
    InvolvedPersonFactory(incident=incident, name="Older recipient", age=37, roles=["recipient"])
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    client.post(url, facts())
    client.post(url, criteria())
    decide = reverse("incident_decide", args=[incident.pk])
    page = client.get(decide).text
    assert "This incident cannot be managed in school" in page
    assert 'id="manage"' not in page
    # Posting anyway is refused by the service, not only hidden by the page.
    response = client.post(decide, {"decision": "manage", "manage-reason": "Seems fine"})
    assert response.status_code == 400
    assert (
        "An immediate referral to police and/or children&#x27;s social care should be made"
        in response.text
    )
    assert not Decision.objects.exists()


def test_refer_records_the_decision_and_the_referral(client, world, incident):
    client.force_login(world.dsl)
    now = timezone.localtime()
    response = client.post(
        reverse("incident_decide", args=[incident.pk]),
        {
            "decision": "refer",
            "refer-agency": "police_101",
            "refer-made_on_day": now.day,
            "refer-made_on_month": now.month,
            "refer-made_on_year": now.year,
            "refer-made_time": "00:00",
            "refer-reason": "Adult involved",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.stage == Stage.REFERRED
    assert incident.referrals.get().agency == "police_101"


def test_manage_then_headteacher_signs_off_from_the_dashboard(client, world, incident):
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    client.post(url, facts())
    client.post(url, criteria())
    response = client.post(
        reverse("incident_decide", args=[incident.pk]),
        {"decision": "manage", "manage-reason": "Consensual; deleted; parents told."},
    )
    assert response.status_code == 302
    client.force_login(world.headteacher)
    dashboard = client.get(reverse("dashboard")).text
    assert incident.reference in dashboard and "awaiting your sign-off" in dashboard
    sign = reverse("incident_sign_off", args=[incident.pk])
    assert "Consensual; deleted; parents told." in client.get(sign).text
    assert client.post(sign, {"action": "sign", "comment": ""}).status_code == 400
    assert client.post(sign, {"action": "sign", "comment": "Agreed"}).status_code == 302
    detail = client.get(reverse("incident_detail", args=[incident.pk])).text
    assert "Signed off" in detail and "Headteacher" in detail
    assert (
        incident.reference
        not in client.get(reverse("dashboard"))
        .text.split("All incidents")[0]
        .split("awaiting your sign-off")[-1]
    )


def test_the_decision_maker_cannot_sign_off_on_the_page(client, world, incident):
    world.school.memberships.create(user=world.headteacher, role="dsl")
    client.force_login(world.headteacher)
    url = reverse("incident_review", args=[incident.pk])
    client.post(url, facts())
    client.post(url, criteria())
    client.post(
        reverse("incident_decide", args=[incident.pk]),
        {"decision": "manage", "manage-reason": "Fine"},
    )
    response = client.post(
        reverse("incident_sign_off", args=[incident.pk]), {"action": "sign", "comment": "Me"}
    )
    assert response.status_code == 400
    assert "someone other than the person who made it" in response.text


def test_correcting_a_person_needs_a_reason_and_is_kept_in_history(client, world, incident):
    person = incident.people.get()
    client.force_login(world.dsl)
    url = reverse("person_edit", args=[incident.pk, person.pk])
    data = {
        "name": "Pictured pupil",
        "age": "16",
        "age_band": "unknown",
        "sex": "female",
        "roles": ["pictured"],
        "reason": "",
    }
    assert client.post(url, data).status_code == 400
    assert client.post(url, data | {"reason": "Birthday checked"}).status_code == 302
    person.refresh_from_db()
    assert person.age == 16
    assert person.history.first().history_change_reason == "Birthday checked"
    assert person.history.first().history_user == world.dsl


def test_out_of_scope_closes_the_incident_from_the_page(client, world, incident):
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    response = client.post(url, facts(incident_type="text_only", reason="Texts only"))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.stage == Stage.CLOSED and incident.closure_reason == "Not YPSI: Texts only"
