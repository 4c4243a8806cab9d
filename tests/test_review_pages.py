"""The initial review, decision and sign-off pages, as the DSL and headteacher use them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Decision, Stage

from .factories import NO_AGGRAVATING_FACTORS, IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured pupil", age=15, roles=["pictured"])
    return incident


def part(incident, name):
    return reverse("review_part", args=[incident.pk, name])


def prefixed(prefix, data, then="continue"):
    """Each part's form carries a prefix, so that its fields' ids never collide."""
    return {"then": then} | {f"{prefix}-{k}": v for k, v in data.items()}


def facts(**kw):
    return prefixed(
        "facts",
        {
            "incident_type": "self",
            "imagery_media": ["photo"],
            "imagery_origin": "real",
            "sexual_acts": "no",
            "reason": "",
        }
        | kw,
    )


def criteria(answer="no", **kw):
    data = {"reason": ""}
    for c in "12345":
        data[f"c{c}_answer"] = answer
        data[f"c{c}_note"] = f"Note {c}"
    return prefixed("criteria", data | kw)


def factors(**kw):
    # R9: each aggravating factor answered
    return prefixed("factors", {f"f_{f}_answer": "no" for f in NO_AGGRAVATING_FACTORS} | kw)


def meeting(world, **kw):
    now = timezone.localtime() - datetime.timedelta(days=1)  # in the past at any hour
    return prefixed(
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
        }
        | kw,
    )


def typology(**kw):
    return prefixed("typology", {"typology": "experimental_romantic", "risk_level": "low"} | kw)


def review_everything(client, world, incident):
    for name, data in (
        ("meeting", meeting(world)),
        ("scope", facts()),
        ("criteria", criteria()),
        ("typology", typology()),
        ("factors", factors()),
    ):
        assert client.post(part(incident, name), data).status_code == 302, name


def test_the_dsl_records_the_review_and_sees_where_the_criteria_stand(client, world, incident):
    client.force_login(world.dsl)
    assert client.post(part(incident, "scope"), facts()).status_code == 302
    assert client.post(part(incident, "criteria"), criteria()).status_code == 302
    assert client.post(part(incident, "meeting"), meeting(world)).status_code == 302
    assert "Note 3" in client.get(part(incident, "criteria")).text
    assert "Not necessary" in client.get(part(incident, "meeting")).text
    incident.refresh_from_db()
    assert incident.stage == Stage.UNDER_REVIEW
    assert incident.review.attendees.count() == 2


def test_a_second_save_without_a_reason_is_refused_and_keeps_what_was_typed(
    client, world, incident
):
    client.force_login(world.dsl)
    url = part(incident, "criteria")
    client.post(url, criteria())
    response = client.post(url, criteria(c2_note="Changed my mind"))
    assert response.status_code == 400
    assert "Say why you are making this change" in response.text
    assert "Changed my mind" in response.text


def test_the_review_page_shows_why_a_derived_criterion_holds(client, world, incident):
    InvolvedPersonFactory(incident=incident, name="Older recipient", age=37, roles=["recipient"])
    client.force_login(world.dsl)
    page = client.get(part(incident, "criteria")).text
    assert "Involves an adult: Older recipient (received it), aged 37" in page
    assert "Your answer cannot clear this" in page


def test_managing_in_school_is_refused_on_the_page_with_the_guidance_words(
    client, world, incident
):
    InvolvedPersonFactory(incident=incident, name="Older recipient", age=37, roles=["recipient"])
    client.force_login(world.dsl)
    review_everything(client, world, incident)
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
    review_everything(client, world, incident)
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
    dashboard = client.get(reverse("dashboard")).text
    assert incident.reference not in dashboard.split('id="to-sign"')[1].split("</section>")[0]
    assert incident.reference in dashboard.split('id="managing"')[1].split("</section>")[0]


def test_the_decision_maker_cannot_sign_off_on_the_page(client, world, incident):
    world.school.memberships.create(user=world.headteacher, role="dsl")
    client.force_login(world.headteacher)
    review_everything(client, world, incident)
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
    response = client.post(
        part(incident, "scope"), facts(incident_type="text_only", reason="Texts only")
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.stage == Stage.CLOSED and incident.closure_reason == "Not YPSI: Texts only"


# Issue 12 item 2: the review as a task list, each part on its own page and saved on its own.


def statuses(client, incident) -> dict[str, str]:
    page = client.get(reverse("incident_review", args=[incident.pk])).text
    found = re.findall(r'id="task-([a-z]+)-status">(.*?)</div>', page)
    return {name: re.sub(r"<[^>]+>", "", status) for name, status in found}


def test_the_task_list_shows_each_part_with_its_status(client, world, incident):
    client.force_login(world.dsl)
    assert statuses(client, incident) == {
        "meeting": "Not started",
        "scope": "Not started",
        "people": "Completed",  # from the report: someone pictured, of a known age
        "criteria": "Not started",
        "typology": "Not started",
        "factors": "Not started",
    }
    client.post(part(incident, "typology"), typology(risk_level=""))
    assert statuses(client, incident)["typology"] == "In progress"
    page = client.get(reverse("incident_review", args=[incident.pk])).text
    assert "Still needed: the risk level." in page
    review_everything(client, world, incident)
    assert set(statuses(client, incident).values()) == {"Completed"}


def test_the_first_save_of_typology_and_risk_needs_no_reason(client, world, incident):
    """Issue 12's bug: after the scope was saved, the first save of the typology asked "Say why
    you are making this change", though no typology was recorded before."""
    client.force_login(world.dsl)
    client.post(part(incident, "scope"), facts())
    response = client.post(part(incident, "typology"), typology())
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.typology, incident.risk_level) == ("experimental_romantic", "low")
    # Changing what is recorded does ask, and keeps what was typed.
    changed = client.post(part(incident, "typology"), typology(risk_level="high"))
    assert changed.status_code == 400
    assert "Say why you are making this change" in changed.text
    assert 'value="high" checked' in changed.text


def test_saving_one_part_keeps_what_is_recorded_in_every_other(client, world, incident):
    client.force_login(world.dsl)
    client.post(part(incident, "meeting"), meeting(world))
    client.post(part(incident, "scope"), facts())
    client.post(part(incident, "typology"), typology())
    client.post(part(incident, "factors"), factors(f_grooming_answer="yes", f_grooming_note="DMs"))
    client.post(part(incident, "criteria"), criteria())
    page = client.get(part(incident, "meeting")).text
    assert "Head of year" in page and "Not necessary" in page
    review = incident.review
    review.refresh_from_db()
    assert review.factor_labels() == ["Grooming"] and review.judged("3") == ("no", "Note 3")


def test_save_and_come_back_later_returns_to_the_task_list(client, world, incident):
    client.force_login(world.dsl)
    later = client.post(part(incident, "factors"), factors() | {"then": "later"})
    assert later.url == reverse("incident_review", args=[incident.pk]) + "#review-saved"
    # "Save and continue" goes on to the next part not yet completed.
    client.post(part(incident, "meeting"), meeting(world))
    onward = client.post(part(incident, "scope"), facts())
    assert onward.url.startswith(part(incident, "criteria"))
    page = client.get(onward.url).text
    assert "Scope and imagery: saved to the record." in page


def test_a_part_that_is_not_one_is_not_found(client, world, incident):
    client.force_login(world.dsl)
    assert client.get(part(incident, "everything")).status_code == 404


def test_the_decide_page_refuses_managing_in_school_until_every_part_is_complete(
    client, world, incident
):
    client.force_login(world.dsl)
    client.post(part(incident, "scope"), facts())
    client.post(part(incident, "criteria"), criteria())
    client.post(part(incident, "factors"), factors())
    decide = reverse("incident_decide", args=[incident.pk])
    page = client.get(decide).text
    assert 'id="review-tasks"' in page and 'id="manage"' not in page
    assert "Meeting and attendees</a>: when it was held; who attended" in page
    response = client.post(decide, {"decision": "manage", "manage-reason": "Seems fine"})
    assert response.status_code == 400
    assert (
        "Finish every part of the initial review before deciding to manage in school. Not yet "
        "complete: meeting and attendees (when it was held; who attended); typology and risk "
        "(the typology; the risk level)." in response.text.replace("&#x27;", "'")
    )
    assert "Seems fine" in response.text, "what was typed is kept"
    assert not Decision.objects.exists()


def test_a_referral_never_waits_for_the_review_and_lists_what_was_not_done(
    client, world, incident
):
    client.force_login(world.dsl)
    client.post(part(incident, "scope"), facts())
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
            "refer-reason": "Unsure: refer",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (
        decision.review_incomplete[0] == "Meeting and attendees (when it was held; who attended)"
    )
    assert "Typology and risk (the typology; the risk level)" in decision.review_incomplete
    detail = client.get(reverse("incident_detail", args=[incident.pk])).text
    assert "Initial review not complete" in detail
    assert "<li>Typology and risk (the typology; the risk level)</li>" in detail


def test_the_old_review_page_is_the_task_list_with_its_sections_leading_to_their_parts(
    client, world, incident
):
    client.force_login(world.dsl)
    url = reverse("incident_review", args=[incident.pk])
    page = client.get(url).text
    # Links to the old one-page review (#typology, #criteria-form) go on to the part's page.
    assert f'href="{part(incident, "typology")}"' in page
    assert 'data-anchor="typology typology-saved"' in page
    assert 'data-anchor="criteria criteria-form criteria-saved"' in page
    assert "js/review-anchors.js" in page
