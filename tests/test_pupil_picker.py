"""Issue 21 item 4: the report page finds a pupil by a search of the roster, not a list of it."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Pupil
from accounts.names import fold
from incidents.models import Incident

from .factories import PupilFactory
from .test_intake import form_data

pytestmark = pytest.mark.django_db


def roster(school, count):
    """A large school's roll, as an MIS import leaves it (search_name set, as save() would)."""
    pupils = [
        Pupil(
            school=school,
            upn=f"A{n:011d}B",
            first_name=f"Pupil{n}",
            last_name="Roster",
            date_of_birth=datetime.date(2012, 5, 1),
            sex="female",
            year_group="Year 9",
        )
        for n in range(count)
    ]
    for p in pupils:
        p.search_name = fold(f"{p.last_name} {p.first_name}")
    Pupil.objects.bulk_create(pupils)


def find(client, query, **overrides):
    data = form_data(find_pupils="1", **{"person-0-pupil_query": query}, **overrides)
    return client.post(reverse("report_concern"), data)


def test_the_report_page_stays_small_with_five_thousand_pupils(client, world):
    roster(world.school, 5000)
    client.force_login(world.staff)
    page = client.get(reverse("report_concern"))
    assert page.status_code == 200
    assert "Search the roster: name or UPN" in page.text
    assert len(page.content) < 200_000
    # A search shows at most 20 of them, and keeps everything typed.
    found = find(client, "roster")
    assert found.status_code == 200 and len(found.content) < 200_000
    assert found.text.count('name="person-0-pupil" type="radio" value="') == 20 + 1
    assert 'value="Kai Invented"' in found.text


def test_a_search_forgives_accents_and_finds_only_this_schools_pupils(client, world):
    ours = PupilFactory(school=world.school, first_name="Łucja", last_name="Wiśniewska")
    PupilFactory(school=world.other_school, first_name="Łucja", last_name="Nowak")
    client.force_login(world.staff)
    response = find(client, "lucja")
    assert response.status_code == 200
    assert f'value="{ours.pk}"' in response.text
    assert "<bdi>Łucja Wiśniewska</bdi>, Year 9" in response.text
    assert "Nowak" not in response.text
    assert "There is a problem" not in response.text and not Incident.objects.exists()
    # Found by UPN too.
    ours.upn = "A12345678901B"
    ours.save()
    assert f'value="{ours.pk}"' in find(client, "a12345678901b").text
    # Nothing found says so.
    assert "No pupil on the roster matches" in find(client, "zebedee").text


def test_the_chosen_pupil_is_kept_across_pages_and_recorded_on_the_incident(client, world):
    ours = PupilFactory(school=world.school, first_name="Rosa", last_name="Picked")
    client.force_login(world.staff)
    chosen = {"person-0-pupil": str(ours.pk), "person-0-name": ""}
    # Chosen, then another person added: the choice is shown and kept as a hidden id.
    added = client.post(reverse("report_concern"), form_data(add_person="1", **chosen))
    assert f'type="hidden" name="person-0-pupil" value="{ours.pk}"' in added.text
    assert "Rosa Picked" in added.text
    response = client.post(reverse("report_concern"), form_data(**chosen))
    assert response.status_code == 302
    assert Incident.objects.get().people.get().pupil == ours


def test_another_schools_pupil_id_is_refused_at_the_search_box(client, world):
    theirs = PupilFactory(school=world.other_school, first_name="Otto", last_name="Elsewhere")
    client.force_login(world.staff)
    response = client.post(
        reverse("report_concern"),
        form_data(**{"person-0-pupil": str(theirs.pk), "person-0-name": ""}),
    )
    assert response.status_code == 400
    assert "Choose a pupil from this school&#x27;s roster." in response.text
    assert 'href="#id_person-0-pupil_query"' in response.text
    assert "Otto" not in response.text
    assert not Incident.objects.exists()
