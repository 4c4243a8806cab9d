"""Issue 10 item 7: bad input gets a clear message, never a 500, and what was typed is kept."""

import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Pupil
from incidents.models import Incident

from .test_intake import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def many_reports_allowed():
    """Hundreds of examples report from one account: volume is test_report_volume's concern."""
    with override_settings(REPORTS_NOTICE_PER_HOUR=10**6, REPORTS_CEILING_PER_HOUR=10**6):
        yield


ROSTER = (
    "UPN,Surname,Forename,Date_of_Birth,Sex,Year_Group\r\n"
    "A12345678901B,Lefèvre,Zoë,14/03/2012,F,Year 9\r\n"
    ",Ødegård,Ben,2011-09-30,M,Year 10\r\n"
)
NOT_TEXT = "It is not valid text in any of the encodings Excel saves in."
TAMPERED = "The list of people was not sent as this page wrote it, so nothing has been saved."
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def upload(client, school, content: bytes):
    return client.post(
        reverse("pupil_import", args=[school.pk]),
        {"file": SimpleUploadedFile("roster.csv", content, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    "content",
    [
        ROSTER.encode("utf-8"),
        codecs.BOM_UTF8 + ROSTER.encode("utf-8"),
        ROSTER.encode("cp1252"),
        codecs.BOM_UTF16_LE + ROSTER.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + ROSTER.encode("utf-16-be"),
        codecs.BOM_UTF16_LE + ROSTER.replace(",", "\t").encode("utf-16-le"),
    ],
    ids=["utf-8", "csv-utf-8", "windows-1252", "utf-16-le", "utf-16-be", "unicode-text"],
)
def test_a_roster_in_any_encoding_excel_saves_is_imported_with_its_accents(client, world, content):
    client.force_login(world.administrator)
    response = upload(client, world.school, content)
    assert response.status_code == 302
    zoe = Pupil.objects.get(first_name="Zoë")
    assert (zoe.last_name, zoe.upn) == ("Lefèvre", "A12345678901B")
    assert Pupil.objects.filter(last_name="Ødegård").exists()


def test_a_windows_file_behind_a_utf8_mark_is_refused_by_line_not_stripped_of_its_upns(
    client, world
):
    client.force_login(world.administrator)
    response = upload(client, world.school, codecs.BOM_UTF8 + ROSTER.encode("cp1252"))
    assert response.status_code == 400
    assert f"Line 2: {NOT_TEXT}" in response.text
    assert not Pupil.objects.exists()


def test_a_damaged_utf8_file_is_refused_by_line_rather_than_garbled(client, world):
    client.force_login(world.administrator)
    damaged = ROSTER.encode("utf-8") + b"X1,Broken\xff,Cy,01/01/2012,F,Year 9\r\n"
    response = upload(client, world.school, damaged)
    assert response.status_code == 400
    assert f"Line 4: {NOT_TEXT}" in response.text
    assert not Pupil.objects.exists()


def test_bytes_that_are_text_in_no_encoding_are_refused_by_line(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, ROSTER.encode("cp1252") + b"\x81\x8d\x90\r\n")
    assert response.status_code == 400
    assert f"Line 4: {NOT_TEXT}" in response.text


@pytest.mark.parametrize(
    "header, named",
    [
        ("ï»¿UPN,Surname,Forename,Date_of_Birth,Sex,Year_Group", "'ï»¿UPN'"),
        ("\ufeff\ufeffUPN,Surname,Forename,Date_of_Birth,Sex,Year_Group", "'\\ufeffUPN'"),
        ("UPN,Surname,Forename,Date_of_Birth,Sex,Year_Group,Form", "'Form'"),
    ],
    ids=["mis-decoded-mark", "second-mark", "unknown-column"],
)
def test_a_header_ypsi_does_not_know_is_refused_naming_it(client, world, header, named):
    client.force_login(world.administrator)
    text = header + "\r\n" + ROSTER.split("\r\n", 1)[1]
    response = upload(client, world.school, text.encode("utf-8"))
    assert response.status_code == 400
    assert f"The header row has column(s) ypsi does not know: {escape(named)}." in response.text
    assert not Pupil.objects.exists()


def test_a_column_named_twice_or_a_value_outside_the_named_columns_is_refused(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, b"surname,forename,surname\n")
    assert "The header row has the column(s) surname more than once." in response.text
    unnamed = ROSTER.replace("Year_Group\r\n", "Year_Group,\r\n").replace("Year 10", "Year 10,x")
    response = upload(client, world.school, unnamed.encode())
    assert response.status_code == 400
    assert "Line 3: It has a value in a column with no name in the header row." in response.text
    response = upload(
        client, world.school, (ROSTER + "X2,Long,Row,01/01/2012,F,Year 9,extra\r\n").encode()
    )
    assert response.status_code == 400
    assert "Line 4: It has more values than the header row has columns." in response.text
    assert not Pupil.objects.exists()


def test_a_nul_character_or_utf16_without_its_mark_is_refused_by_line(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, ROSTER.encode() + b"X3,Nul\x00,Row,01/01/2012,F,Y9\n")
    assert response.status_code == 400
    assert f"Line 4: {NOT_TEXT}" in response.text
    response = upload(client, world.school, ROSTER.encode("utf-16-le"))
    assert response.status_code == 400
    assert f"Line 1: {NOT_TEXT}" in response.text
    assert not Pupil.objects.exists()


def test_a_file_that_is_not_csv_is_refused_not_a_500(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, (ROSTER + "X4," + "A" * 140_000 + "\r\n").encode())
    assert response.status_code == 400
    assert "Line 4: It cannot be read as CSV (field larger than field limit" in response.text


@pytest.mark.parametrize("add_person", [False, True], ids=["send", "add-another-person"])
@pytest.mark.parametrize(
    "counts",
    [
        {"person-TOTAL_FORMS": "one"},
        {"person-TOTAL_FORMS": "-1"},
        {"person-TOTAL_FORMS": "41"},
        {"person-TOTAL_FORMS": "99999999999999999999"},
        {"person-INITIAL_FORMS": "x"},
        {"person-INITIAL_FORMS": "1000"},
        {"person-TOTAL_FORMS": None, "person-INITIAL_FORMS": None},
    ],
    ids=["word", "negative", "over-max", "huge", "initial-word", "initial-huge", "missing"],
)
def test_tampered_people_counts_get_a_400_with_everything_typed_kept(
    client, world, counts, add_person
):
    client.force_login(world.staff)
    data = form_data(**counts, **({"add_person": "1"} if add_person else {}))
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(reverse("report_concern"), data)
    assert response.status_code == 400
    assert TAMPERED in response.text
    assert "He said his photo had been sent to older boys." in response.text
    assert 'value="Kai Invented"' in response.text
    assert len(response.content) < 200_000
    assert not Incident.objects.exists()


def test_add_another_person_stops_at_the_most_a_report_takes(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("report_concern"), form_data(add_person="1", **{"person-TOTAL_FORMS": "40"})
    )
    assert response.status_code == 200
    assert 'name="person-39-name"' in response.text
    assert 'name="person-40-name"' not in response.text


def test_an_account_over_the_limit_is_refused_with_all_of_it_kept(client, world):
    client.force_login(world.staff)
    account = "She told me everything." * 1000
    response = client.post(reverse("report_concern"), form_data(account=account))
    assert response.status_code == 400
    assert "Ensure this value has at most 20000 characters (it has 23000)." in response.text
    assert account in response.text
    assert "maxlength" not in response.text.split('name="account"')[1].split(">")[0]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"person-0-pupil": "99999999999999999999"},
        {"person-0-pupil": "Robin"},
        {"person-0-age": "9" * 5000},
        {"disclosed_on_year": "9" * 5000},
        {"disclosed_time": "25:99"},
        {"disclosure_source": "rumour"},
        {"person-0-roles": ["bystander"]},
        {"account": "He said \x00 nothing."},
    ],
    ids=[
        "huge-pupil",
        "word-pupil",
        "huge-age",
        "huge-year",
        "bad-time",
        "bad-choice",
        "bad-role",
        "nul",
    ],
)
def test_values_no_page_sends_are_refused_on_the_form_with_everything_kept(client, world, values):
    client.force_login(world.staff)
    response = client.post(reverse("report_concern"), form_data(**values))
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'value="Kai Invented"' in response.text
    assert not Incident.objects.exists()


def test_a_school_that_is_not_a_number_asks_which_school(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("report_concern"), form_data(school="Hillside"))
    assert response.status_code == 200
    assert "Which school" in response.text


free_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
count = st.one_of(
    st.integers(-3, 60).map(str),
    st.text(max_size=8),
    st.just("99999999999999999999999"),
)


@FUZZ
@given(
    account=free_text,
    name=free_text,
    fields=st.dictionaries(
        st.sampled_from(
            [
                "discloser",
                "received_by",
                "devices_and_platforms",
                "disclosed_on_day",
                "disclosed_on_year",
                "disclosed_time",
                "disclosure_source",
                "spread",
                "person-0-pupil",
                "person-0-age",
                "person-0-year_group",
                "person-0-date_of_birth_month",
                "person-1-name",
            ]
        ),
        free_text,
    ),
    counts=st.fixed_dictionaries(
        {}, optional={"person-TOTAL_FORMS": count, "person-INITIAL_FORMS": count}
    ),
    add_person=st.booleans(),
)
def test_fuzzed_reports_never_give_a_500_and_a_refusal_shows_what_was_typed(
    client, world, account, name, fields, counts, add_person
):
    client.force_login(world.staff)
    data = form_data(account=account, **{"person-0-name": name}, **fields, **counts)
    if add_person:
        data["add_person"] = "1"
    response = client.post(reverse("report_concern"), data)
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert escape(account) in response.text
        assert escape(name) in response.text
        assert len(response.content) < 500_000


def roster_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["upn", "surname", "forename", "date_of_birth", "sex", "year_group", "sen"])
    writer.writerows(rows)
    return out.getvalue()


cell = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.sampled_from(["F", "M", "Y", "N", "14/03/2012", "2012-03-14", "31/02/2012", "Year 9"]),
)


@FUZZ
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=8), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
)
def test_fuzzed_rosters_are_imported_or_refused_with_a_reason_never_a_500(
    client, world, rows, encoding
):
    client.force_login(world.administrator)
    content = roster_csv(rows).encode(encoding, errors="replace")
    response = upload(client, world.school, content)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "Nothing was imported" in response.text or "There is a problem" in response.text


@pytest.mark.slow
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(max_size=2000))
def test_any_bytes_as_a_roster_are_refused_with_a_reason_never_a_500(client, world, content):
    client.force_login(world.administrator)
    response = upload(
        client, world.school, b"upn,surname,forename,date_of_birth,sex,year_group\n" + content
    )
    assert response.status_code in (302, 400)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extra=st.dictionaries(
        st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
        st.lists(free_text, max_size=3),
        max_size=8,
    ),
    account=free_text,
)
def test_any_extra_fields_in_a_report_never_give_a_500(client, world, extra, account):
    client.force_login(world.staff)
    data = form_data(account=account) | extra
    response = client.post(reverse("report_concern"), data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400 and "account" not in extra:
        assert escape(account) in response.text
