"""Issue 20: the school administrator enters term dates and closures, or imports the file the
local authority publishes (CSV or iCalendar)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.calendar_import import parse
from accounts.models import Calendar, Closure, Term

pytestmark = pytest.mark.django_db

D = datetime.date

LA_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Northshire County Council//School term dates//EN
BEGIN:VEVENT
UID:t1@northshire.invalid
SUMMARY:Autumn term
DTSTART;VALUE=DATE:20260903
DTEND;VALUE=DATE:20261219
END:VEVENT
BEGIN:VEVENT
UID:h1@northshire.invalid
SUMMARY:Half term
DTSTART;VALUE=DATE:20261026
DTEND;VALUE=DATE:20261031
END:VEVENT
BEGIN:VEVENT
UID:i1@northshire.invalid
SUMMARY:INSET day (school closed to pupils)
DTSTART;VALUE=DATE:20260902
END:VEVENT
BEGIN:VEVENT
UID:s1@northshire.invalid
SUMMARY:Spring term starts
DTSTART;VALUE=DATE:20270105
END:VEVENT
BEGIN:VEVENT
UID:s2@northshire.invalid
SUMMARY:Spring term ends
DTSTART;VALUE=DATE:20270326
END:VEVENT
BEGIN:VEVENT
UID:b1@northshire.invalid
SUMMARY:Christmas Day (bank holiday)
DTSTART;VALUE=DATE:20261225
END:VEVENT
BEGIN:VEVENT
UID:p1@northshire.invalid
SUMMARY:Parents' evening
DTSTART:20261112T170000Z
DTEND:20261112T200000Z
END:VEVENT
END:VCALENDAR
"""


def post(client, school, section, **data):
    fields = {"section": section}
    for name, value in data.items():
        if isinstance(value, datetime.date):
            fields |= {
                f"{section}-{name}_day": value.day,
                f"{section}-{name}_month": value.month,
                f"{section}-{name}_year": value.year,
            }
        else:
            fields[f"{section}-{name}"] = value
    return client.post(reverse("school_calendar", args=[school.pk]), fields)


def upload(client, school, name: str, content: bytes):
    return client.post(
        reverse("school_calendar", args=[school.pk]),
        {"section": "import", "import-file": SimpleUploadedFile(name, content)},
    )


def test_the_administrator_enters_a_term_and_an_inset_day(client, world):
    client.force_login(world.administrator)
    response = post(
        client,
        world.school,
        "term",
        name="Autumn term",
        first_day=D(2026, 9, 3),
        last_day=D(2026, 12, 18),
    )
    assert response.status_code == 302
    response = post(client, world.school, "closure", kind="inset", first_day=D(2026, 9, 4))
    assert response.status_code == 302
    page = client.get(reverse("school_calendar", args=[world.school.pk])).text
    assert "Autumn term" in page and "Thu 3 Sep 2026" in page and "INSET day" in page
    assert "entered Autumn term" in page  # the history, with who
    term = Term.objects.get()
    world.school.refresh_from_db()
    assert term.calendar == world.school.calendar
    assert term.history.get().history_user == world.administrator


def test_a_term_that_overlaps_another_is_refused_on_the_page_with_what_was_typed(client, world):
    client.force_login(world.administrator)
    post(
        client,
        world.school,
        "term",
        name="Autumn",
        first_day=D(2026, 9, 3),
        last_day=D(2026, 12, 18),
    )
    response = post(
        client, world.school, "term", name="Oops", first_day=D(2026, 12, 1), last_day=D(2027, 1, 9)
    )
    assert response.status_code == 400
    assert "It overlaps Autumn" in response.text and 'value="Oops"' in response.text


def test_a_local_authoritys_ics_file_is_imported(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, "term-dates.ics", LA_ICS.encode())
    assert response.status_code == 302
    terms = list(Term.objects.values_list("name", "first_day", "last_day"))
    assert terms == [
        ("Autumn term", D(2026, 9, 3), D(2026, 12, 18)),
        ("Spring term", D(2027, 1, 5), D(2027, 3, 26)),
    ]
    closures = list(Closure.objects.values_list("kind", "first_day", "last_day"))
    assert closures == [
        ("inset", D(2026, 9, 2), D(2026, 9, 2)),
        ("holiday", D(2026, 10, 26), D(2026, 10, 30)),
    ]
    page = client.get(reverse("school_calendar", args=[world.school.pk])).text
    assert "Parents&#x27; evening (12/11/2026)" in page  # told what was not imported
    # Importing it again adds nothing.
    assert upload(client, world.school, "term-dates.ics", LA_ICS.encode()).status_code == 302
    assert Term.objects.count() == 2


def test_a_csv_saved_from_excel_is_imported(client, world):
    client.force_login(world.administrator)
    csv = (
        "Type,Name,First day,Last day\r\n"
        "term,Autumn term \u2013 1,03/09/2026,23/10/2026\r\n"
        "inset,,02/11/2026,\r\n"
        "term,Autumn term \u2013 2,02/11/2026,18/12/2026\r\n"
    ).encode("cp1252")
    assert upload(client, world.school, "dates.csv", csv).status_code == 302
    assert list(Term.objects.values_list("name", flat=True)) == [
        "Autumn term \u2013 1",
        "Autumn term \u2013 2",
    ]
    assert Closure.objects.get().first_day == D(2026, 11, 2)


def test_a_csv_with_a_bad_row_is_refused_by_line_and_nothing_is_imported(client, world):
    client.force_login(world.administrator)
    csv = b"type,name,first_day,last_day\nterm,Autumn,03/09/2026,23/10/2026\nfete,Summer fair,01/07/2027,\nterm,Spring,32/01/2027,12/02/2027\n"
    response = upload(client, world.school, "dates.csv", csv)
    assert response.status_code == 400
    assert "Line 3: Say whether it is a term, inset, holiday or closure" in response.text
    assert "Line 4: 32/01/2027 is not a date" in response.text
    assert not Term.objects.exists()


def test_an_import_that_overlaps_what_is_entered_saves_nothing(client, world):
    client.force_login(world.administrator)
    post(
        client,
        world.school,
        "term",
        name="Autumn",
        first_day=D(2026, 9, 1),
        last_day=D(2026, 10, 1),
    )
    response = upload(client, world.school, "term-dates.ics", LA_ICS.encode())
    assert response.status_code == 400 and "overlaps Autumn" in response.text
    assert Term.objects.count() == 1 and not Closure.objects.exists()


def test_an_image_is_refused_whatever_its_name(client, world):
    client.force_login(world.administrator)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = upload(client, world.school, "dates.csv", png)
    assert response.status_code == 400
    assert not Term.objects.exists()


def test_an_entry_is_removed_after_a_confirmation_page(client, world):
    client.force_login(world.administrator)
    post(
        client,
        world.school,
        "closure",
        kind="other",
        first_day=D(2027, 5, 6),
        description="Polling day",
    )
    closure = Closure.objects.get()
    url = reverse("calendar_remove", args=[world.school.pk, "closure", closure.pk])
    assert "Remove Polling day" in client.get(url).text
    assert client.post(url).status_code == 302
    assert not Closure.objects.exists()
    page = client.get(reverse("school_calendar", args=[world.school.pk])).text
    assert "removed Polling day" in page


def test_a_published_calendars_dates_are_not_removed_from_a_school_page(client, world):
    published = Calendar.objects.create(name="Riverside Trust term dates")
    term = Term.objects.create(
        calendar=published, name="Autumn", first_day=D(2026, 9, 3), last_day=D(2026, 12, 18)
    )
    world.trust.calendar = published
    world.trust.save()
    client.force_login(world.administrator)
    page = client.get(reverse("school_calendar", args=[world.school.pk])).text
    assert "Inherited from Riverside Trust term dates" in page
    assert (
        client.get(reverse("calendar_remove", args=[world.school.pk, "term", term.pk])).status_code
        == 404
    )


def test_the_school_follows_a_local_authoritys_published_dates(client, world):
    council = Calendar.objects.create(name="Northshire County Council")
    Term.objects.create(
        calendar=council, name="Autumn", first_day=D(2026, 9, 3), last_day=D(2026, 12, 18)
    )
    client.force_login(world.administrator)
    response = post(client, world.school, "follow", calendar=council.pk, reason="We follow the LA")
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.published_calendar == council
    assert world.school.history.first().history_change_reason == "We follow the LA"


def test_start_and_end_events_make_one_term():
    entries = parse(LA_ICS, "dates.ics")
    spring = [e for e in entries.entries if e.name == "Spring term"]
    assert [(e.first, e.last) for e in spring] == [(D(2027, 1, 5), D(2027, 3, 26))]
    assert any("Christmas Day" in i for i in entries.ignored)  # bank holidays are ypsi's own
