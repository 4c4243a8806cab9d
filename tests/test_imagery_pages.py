"""The viewing, deletion and search pages, as the DSL and the member of staff present use them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from records.models import DeletionRequest, ViewingRecord
from records.schooldays import add_school_days

from .factories import IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db


def when(prefix, moment):
    local = timezone.localtime(moment)
    return {
        f"{prefix}_day": local.day,
        f"{prefix}_month": local.month,
        f"{prefix}_year": local.year,
        f"{prefix}_time": local.strftime("%H:%M"),
    }


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15)
    return incident


def test_a_viewing_is_recorded_and_signed_by_both_under_their_own_logins(client, world, incident):
    now = timezone.now()
    client.force_login(world.dsl)
    data = {
        "reason": "decide",
        "viewer": world.dsl.pk,
        "young_person": incident.people.get().pk,
        "same_sex": "yes",
        "discussed_with": world.headteacher.pk,
        "staff_present": world.deputy_dsl.pk,
        "place": "Head's office",
        "why": "To decide on referral",
        "what_followed": "Referred",
        **when("viewed_at", now - datetime.timedelta(hours=1)),
        **when("discussed_at", now - datetime.timedelta(hours=2)),
    }
    response = client.post(reverse("viewing_add", args=[incident.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ViewingRecord.objects.get()
    assert record.viewer_confirmed_at and not record.is_signed

    client.force_login(world.deputy_dsl)
    dashboard = client.get(reverse("dashboard")).text
    confirm = reverse("viewing_confirm", args=[incident.pk, record.pk])
    assert confirm in dashboard
    assert client.post(confirm, {"confirm": "on"}).status_code == 302
    record.refresh_from_db()
    assert record.is_signed

    client.force_login(world.other_dsl)
    assert client.get(confirm).status_code == 404


def test_a_viewing_without_a_person_present_is_refused_on_the_page(client, world, incident):
    client.force_login(world.dsl)
    now = timezone.now()
    data = {
        "reason": "decide",
        "viewer": world.dsl.pk,
        "same_sex": "yes",
        "discussed_with": world.headteacher.pk,
        "place": "Office",
        "why": "x",
        "what_followed": "y",
        **when("viewed_at", now - datetime.timedelta(hours=1)),
        **when("discussed_at", now - datetime.timedelta(hours=2)),
    }
    response = client.post(reverse("viewing_add", args=[incident.pk]), data)
    assert response.status_code == 400
    assert "Another member of staff must be present" in response.text
    assert 'value="Office"' in response.text


def test_a_deletion_deadline_in_school_days(client, world, incident):
    client.force_login(world.dsl)
    asked = timezone.now() - datetime.timedelta(minutes=5)
    data = {
        "young_person": incident.people.get().pk,
        "everywhere": "on",
        "told_illegal": "on",
        "told_police": "on",
        "school_days": "3",
        **when("asked_at", asked),
    }
    assert client.post(reverse("deletion_add", args=[incident.pk]), data).status_code == 302
    deletion = DeletionRequest.objects.get()
    assert deletion.deadline == add_school_days(timezone.localdate(asked), 3, world.school)
    assert deletion.school_days == 3 and deletion.deadline_note.startswith("3 school days from")
    page = client.get(reverse("incident_detail", args=[incident.pk])).text
    assert "Waiting for confirmation" in page
    assert deletion.deadline_note.split(" Provisional")[0] in page  # how it was counted


def test_the_headteacher_delegates_authority_to_view(client, world):
    client.force_login(world.headteacher)
    response = client.post(
        reverse("delegation_add", args=[world.school.pk]), {"user": world.staff.pk}
    )
    assert response.status_code == 302
    page = client.get(reverse("school_policy", args=[world.school.pk])).text
    assert str(world.staff) in page.split("Authority to view imagery")[1]
