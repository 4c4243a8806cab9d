"""Issue 21 item 7: one rule for every date and time typed, and ages asked about before taken.

Europe/London: the clocks went forward at 1am on 29 March 2026 (01:00 to 01:59 never happened)
and go back at 2am on 25 October 2026 (01:00 to 01:59 happened twice, in BST then in GMT).
"""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from incidents import services
from incidents.forms.intake import age_doubt, year_number
from incidents.models import Incident
from incidents.rules import Answer, Criterion
from records.models import ViewingRecord
from ypsi.forms import parse_time

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory
from .test_intake import form_data

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


@pytest.fixture
def december(time_machine):
    """1 December 2026, 15:00 in London: after both changes of the clocks that year."""
    time_machine.move_to(datetime.datetime(2026, 12, 1, 15, 0, tzinfo=LONDON), tick=False)


def disclosed(day, month, year, time, **extra):
    return form_data(
        disclosed_on_day=str(day),
        disclosed_on_month=str(month),
        disclosed_on_year=str(year),
        disclosed_time=time,
        **extra,
    )


def report(client, world, data):
    client.force_login(world.staff)
    return client.post(reverse("report_concern"), data)


def test_a_time_the_clocks_skipped_is_refused_saying_what_the_clock_showed(
    client, world, december
):
    response = report(client, world, disclosed(29, 3, 2026, "01:30"))
    assert response.status_code == 400
    assert (
        "The clocks went forward at 1am on 29 March 2026: 01:30 did not happen. "
        "Enter 02:30 if that is what the clock showed."
    ) in response.text
    assert not Incident.objects.exists()
    assert report(client, world, disclosed(29, 3, 2026, "02:30")).status_code == 302
    assert Incident.objects.get().disclosed_at == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("clocks", "utc"), [("before", datetime.time(0, 30)), ("after", datetime.time(1, 30))]
)
def test_a_time_shown_twice_asks_before_or_after_the_clocks_went_back(
    client, world, december, clocks, utc
):
    response = report(client, world, disclosed(25, 10, 2026, "1.30am"))
    assert response.status_code == 400
    page = response.text
    assert "The clocks went back at 2am on 25 October 2026, so 01:30 happened twice" in page
    assert "Before the clocks went back (BST)" in page
    assert "After the clocks went back (GMT)" in page
    assert 'value="1.30am"' in page  # what was typed is kept
    assert not Incident.objects.exists()

    response = report(client, world, disclosed(25, 10, 2026, "1.30am", disclosed_clocks=clocks))
    assert response.status_code == 302
    at = Incident.objects.get().disclosed_at.astimezone(UTC)
    assert at == datetime.datetime.combine(datetime.date(2026, 10, 25), utc, UTC)


def test_the_same_rule_holds_on_a_date_and_time_field_elsewhere(client, world, december):
    """The viewing record's "When" (GovukDateTimeField): the same words, the same choice."""
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15)
    client.force_login(world.dsl)
    url = reverse("viewing_add", args=[incident.pk])

    def when(prefix, day, month, time, **extra):
        parts = {"day": day, "month": month, "year": 2026, "time": time, **extra}
        return {f"{prefix}_{k}": v for k, v in parts.items()}

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
        **when("discussed_at", 20, 10, "2pm"),
    }
    skipped = client.post(url, data | when("viewed_at", 29, 3, "01:30"))
    assert skipped.status_code == 400
    assert "01:30 did not happen. Enter 02:30 if that is what the clock showed" in skipped.text
    twice = client.post(url, data | when("viewed_at", 25, 10, "1:30 AM"))
    assert twice.status_code == 400
    assert "Before the clocks went back (BST)" in twice.text
    assert "happened twice" in twice.text
    later = client.post(url, data | when("viewed_at", 1, 12, "23:59"))
    assert "23:59 today is later than now (15:00)" in later.text
    assert not ViewingRecord.objects.exists()

    answered = client.post(url, data | when("viewed_at", 25, 10, "1:30 AM", clocks="after"))
    assert answered.status_code == 302, answered.text[:2000]
    record = ViewingRecord.objects.get()
    assert record.viewed_at == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert record.discussed_at == datetime.datetime(2026, 10, 20, 13, 0, tzinfo=UTC)


def test_a_time_later_than_now_today_says_so(client, world, december):
    response = report(client, world, disclosed(1, 12, 2026, "23:59"))
    assert response.status_code == 400
    assert "23:59 today is later than now (15:00). Enter the time it happened." in response.text
    assert "must be today or in the past" not in response.text
    tomorrow = report(client, world, disclosed(2, 12, 2026, ""))
    assert "2 December 2026 is later than today" in tomorrow.text
    assert report(client, world, disclosed(1, 12, 2026, "14:59")).status_code == 302


@pytest.mark.parametrize("typed", ["13.30", "1.30pm", "1:30 PM", "13:30", "1.30 p.m."])
def test_times_are_understood_as_people_write_them(client, world, december, typed):
    assert report(client, world, disclosed(30, 11, 2026, typed)).status_code == 302
    at = Incident.objects.get().disclosed_at
    assert at == datetime.datetime(2026, 11, 30, 13, 30, tzinfo=LONDON)


@pytest.mark.parametrize("typed", ["13", "25:00", "13pm", "0:60", "half one"])
def test_what_is_not_a_time_is_refused_with_an_example(client, world, december, typed):
    response = report(client, world, disclosed(30, 11, 2026, typed))
    assert response.status_code == 400
    assert "Enter a time like 14:30 or 2:30pm." in response.text
    assert parse_time(typed) is None


def test_the_review_meeting_takes_a_time_as_people_write_it(client, world, december):
    incident = IncidentFactory(school=world.school)
    client.force_login(world.dsl)
    url = reverse("review_part", args=[incident.pk, "meeting"])
    meeting = {
        "then": "continue",
        "meeting-held_on_day": 25,
        "meeting-held_on_month": 10,
        "meeting-held_on_year": 2026,
        "meeting-held_time": "1.15am",
        "meeting-attendees": [world.dsl.pk],
        "meeting-reason": "",
    }
    asked = client.post(url, meeting)
    assert asked.status_code == 400
    assert "After the clocks went back (GMT)" in asked.text
    assert client.post(url, meeting | {"meeting-held_clocks": "before"}).status_code == 302
    incident.refresh_from_db()
    assert incident.review.held_at == datetime.datetime(2026, 10, 25, 0, 15, tzinfo=UTC)


# Ages that do not fit


def person(**fields):
    base = {"person-0-name": "Sam Typed", "person-0-age": "", "person-0-roles": ["sender"]}
    return base | {f"person-0-{k}": v for k, v in fields.items()}


@pytest.mark.parametrize(
    ("dob", "year", "says"),
    [
        ((2023, 2, 1), "Year 9", "makes them 3 in Year 9, where pupils are 13 or 14"),
        ((2007, 9, 1), "Year 8", "makes them 19 in Year 8, where pupils are 12 or 13"),
    ],
)
def test_a_date_of_birth_that_does_not_fit_the_year_group_is_asked_about(
    client, world, december, dob, year, says
):
    day, month, yyyy = dob[2], dob[1], dob[0]
    typed = person(
        date_of_birth_day=day, date_of_birth_month=month, date_of_birth_year=yyyy, year_group=year
    )
    response = report(client, world, disclosed(30, 11, 2026, "10:00") | typed)
    assert response.status_code == 400
    assert says in response.text
    assert "The date of birth is right" in response.text
    assert not Incident.objects.exists()

    confirmed = typed | {"person-0-age_confirmed": "on"}
    assert report(client, world, disclosed(30, 11, 2026, "10:00") | confirmed).status_code == 302
    assert Incident.objects.get().people.get().date_of_birth == datetime.date(*dob)


def test_a_slip_in_a_date_of_birth_does_not_make_an_adult_until_it_is_confirmed(
    client, world, december
):
    """Criterion 1 ("involves an adult") holds only once the date of birth is said to be right,
    and then says what it rests on."""
    slip = person(
        date_of_birth_day=1, date_of_birth_month=9, date_of_birth_year=2007, year_group="Year 8"
    )
    response = report(client, world, disclosed(30, 11, 2026, "10:00") | slip)
    assert response.status_code == 400
    assert not Incident.objects.exists()  # nothing for the rules to find an adult in

    confirmed = slip | {"person-0-age_confirmed": "on"}
    assert report(client, world, disclosed(30, 11, 2026, "10:00") | confirmed).status_code == 302
    adult = services.assess(Incident.objects.get()).criteria[0]
    assert adult.criterion == Criterion.ADULT and adult.derived.answer == Answer.YES
    assert adult.derived.reasons == (
        "Involves an adult: Sam Typed (sent the imagery), aged 19 (born 1 September 2007, "
        "as recorded)",
    )


def test_a_roster_pupil_whose_date_of_birth_makes_them_an_adult_is_asked_about(
    client, world, december
):
    pupil = PupilFactory(
        school=world.school,
        first_name="Amy",
        last_name="Roster",
        date_of_birth=datetime.date(2007, 9, 1),
        year_group="Year 13",
    )
    chosen = {"person-0-name": "", "person-0-pupil": pupil.pk, "person-0-roles": ["recipient"]}
    response = report(client, world, disclosed(30, 11, 2026, "10:00") | chosen)
    assert response.status_code == 400
    assert "The school roster gives Amy Roster&#x27;s date of birth as 1 September 2007" in (
        response.text
    )
    assert "an adult, so the incident would involve an adult (criterion 1)" in response.text
    assert "The date of birth on the roster is right" in response.text
    confirmed = chosen | {"person-0-age_confirmed": "on"}
    assert report(client, world, disclosed(30, 11, 2026, "10:00") | confirmed).status_code == 302
    reasons = services.assess(Incident.objects.get()).criteria[0].derived.reasons
    assert reasons == (
        "Involves an adult: Amy Roster (received it), aged 19 (born 1 September 2007, on the "
        "school roster)",
    )


def test_the_person_edit_form_asks_the_same_question(client, world, december):
    incident = IncidentFactory(school=world.school)
    someone = InvolvedPersonFactory(incident=incident, name="Kit", age=13, roles=["pictured"])
    client.force_login(world.dsl)
    url = reverse("person_edit", args=[incident.pk, someone.pk])
    data = {
        "name": "Kit",
        "age": "3",
        "year_group": "Year 9",
        "age_band": "unknown",
        "sex": "not_known",
        "roles": ["pictured"],
        "reason": "Age corrected",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The age 3 makes them 3 in Year 9" in response.text
    assert "The age is right" in response.text
    someone.refresh_from_db()
    assert someone.age == 13
    assert client.post(url, data | {"age_confirmed": "on"}).status_code == 302
    someone.refresh_from_db()
    assert someone.age == 3


def test_ages_that_fit_are_taken_without_a_question():
    assert year_number("Year 9") == year_number("Y9") == year_number("yr 9") == 9
    assert year_number("Reception") == 0 and year_number("sixth form") is None
    assert age_doubt(14, "Year 9", on_roll=True) == ""
    assert age_doubt(15, "Year 9", on_roll=True) == ""  # a year either way: held back
    assert age_doubt(17, "Year 13", on_roll=True) == ""
    assert age_doubt(40, "", on_roll=False) == ""  # an adult online
    assert age_doubt(2, "", on_roll=True) == "2, which is not a school age"
