"""Issue 2 item 5: the pupil roster; R7/R13: school policy settings, with history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Pupil

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "UPN,Surname,Forename,Date_of_Birth,Sex,Year_Group,SEN,Looked_After,Known_To_Social_Care\n"
    "A12345678901B,Testing,Ada,14/03/2012,F,Year 9,N,Y,N\n"
    ",Example,Ben,2011-09-30,Male,Year 10,yes,,\n"
)


def upload(client, school, content: bytes, name="roster.csv"):
    return client.post(
        reverse("pupil_import", args=[school.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_it_imports_a_roster_from_an_mis_csv(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, GOOD_CSV.encode())
    assert response.status_code == 302
    ada = Pupil.objects.get(first_name="Ada")
    assert (ada.school, ada.upn, ada.date_of_birth, ada.sex) == (
        world.school,
        "A12345678901B",
        datetime.date(2012, 3, 14),
        "female",
    )
    assert ada.looked_after and not ada.sen_or_disability
    ben = Pupil.objects.get(first_name="Ben")
    assert ben.sen_or_disability and ben.year_group == "Year 10"
    assert ada.history.get().history_change_reason == "Imported from the MIS roster"
    assert ada.history.get().history_user == world.administrator


def test_importing_again_updates_rather_than_duplicates(client, world):
    client.force_login(world.headteacher)
    upload(client, world.school, GOOD_CSV.encode())
    upload(client, world.school, GOOD_CSV.replace("Year 9,N,Y", "Year 10,N,Y").encode())
    assert Pupil.objects.count() == 2
    assert Pupil.objects.get(first_name="Ada").year_group == "Year 10"


def test_a_bad_row_is_reported_by_line_and_nothing_is_imported(client, world):
    client.force_login(world.dsl)
    bad = (
        GOOD_CSV + "X1,Broken,Cy,31/02/2012,F,Year 9,N,N,N\n,Nosex,Di,01/01/2012,Q,Year 9,N,N,N\n"
    )
    response = upload(client, world.school, bad.encode())
    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    assert "Line 4:" in response.text and "Line 5:" in response.text
    assert "not F or M" in response.text
    assert not Pupil.objects.exists()


def test_a_file_without_the_required_columns_is_refused(client, world):
    client.force_login(world.dsl)
    response = upload(client, world.school, b"name,dob\nAda,2012-01-01\n")
    assert response.status_code == 400
    assert "lacks the column(s): surname, forename" in response.text


def test_an_image_is_refused_by_its_content_whatever_its_name(client, world):
    client.force_login(world.dsl)
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200)
    response = upload(client, world.school, jpeg, name="roster.csv")
    assert response.status_code == 400
    assert "Never copy, print or share the imagery; this is illegal." in response.text
    assert not Pupil.objects.exists()


def test_a_pupil_can_be_added_by_hand(client, world):
    client.force_login(world.dsl)
    url = reverse("pupil_add", args=[world.school.pk])
    data = {
        "first_name": "Eve",
        "last_name": "Handmade",
        "date_of_birth_day": "2",
        "date_of_birth_month": "9",
        "date_of_birth_year": "2013",
        "sex": "female",
        "year_group": "Year 8",
        "upn": "",
        "known_to_social_care": "on",
    }
    assert client.post(url, data).status_code == 302
    eve = Pupil.objects.get(first_name="Eve")
    assert eve.known_to_social_care and eve.school == world.school
    assert eve.history.get().history_user == world.dsl


def test_adding_a_pupil_with_errors_keeps_what_was_typed(client, world):
    client.force_login(world.dsl)
    url = reverse("pupil_add", args=[world.school.pk])
    response = client.post(url, {"first_name": "Eve", "last_name": "", "date_of_birth_day": "2"})
    assert response.status_code == 400
    assert 'value="Eve"' in response.text and "There is a problem" in response.text


def test_a_upn_is_unique_within_a_school_only(world):
    PupilFactory(school=world.school, upn="A12345678901B")
    PupilFactory(school=world.other_school, upn="A12345678901B")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PupilFactory(school=world.school, upn="A12345678901B")


def test_the_headteacher_changes_the_policy_and_the_change_is_kept_with_its_reason(client, world):
    client.force_login(world.headteacher)
    url = reverse("school_policy", args=[world.school.pk])
    data = {
        "under_age_threshold": "17",
        "first_point_of_contact": "csc",
        "mash_contact": "",
        "mash_phone": "",
        "social_care_contact": "Duty desk",
        "social_care_phone": "01632 960123",
        "police_contact": "",
        "police_phone": "101",
        "out_of_hours_phone": "",
        "alternative_signatory_title": "Chair of governors",
        "retention_rule": "irms",
        "retention_follows_advice": "on",
        "reason": "Governors adopted the HIN threshold",
    }
    assert client.post(url, data).status_code == 302
    world.school.refresh_from_db()
    assert world.school.under_age_threshold == 17
    latest = world.school.history.first()
    assert latest.history_user == world.headteacher
    assert latest.history_change_reason == "Governors adopted the HIN threshold"
    page = client.get(url).text
    assert "Governors adopted the HIN threshold" in page
    assert "13 → 17" in page


def test_a_policy_change_needs_a_reason_and_a_sensible_threshold(client, world):
    client.force_login(world.administrator)
    url = reverse("school_policy", args=[world.school.pk])
    response = client.post(
        url, {"under_age_threshold": "40", "first_point_of_contact": "mash", "police_phone": "101"}
    )
    assert response.status_code == 400
    assert "Say why you are changing the settings." in response.text
    world.school.refresh_from_db()
    assert world.school.under_age_threshold == 13
