"""Issue 20: school days are the school's own days (R23, R24, R31).

Term dates and closures per school (or inherited from its trust or local authority), deadlines
counted in them and explained, provisional (never refused) where the dates do not reach, and a
weekly reminder before they run out. "Today" is fixed with time-machine; the calendars are the
fixed ones below, an English school year 2026-27 in six terms.
"""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from accounts import calendars
from accounts.models import Calendar, Closure, Term
from incidents.models import Notification
from records import schooldays, services, transfers
from records.chasing import calendar_reminders
from records.tasks import check_calendars

pytestmark = pytest.mark.django_db

D = datetime.date
TERMS_2026_27 = [
    ("Summer term 2", D(2026, 6, 8), D(2026, 7, 22)),
    ("Autumn term 1", D(2026, 9, 3), D(2026, 10, 23)),
    ("Autumn term 2", D(2026, 11, 2), D(2026, 12, 18)),
    ("Spring term 1", D(2027, 1, 5), D(2027, 2, 12)),
    ("Spring term 2", D(2027, 2, 22), D(2027, 3, 25)),
    ("Summer term 1", D(2027, 4, 12), D(2027, 5, 28)),
    ("Summer term 2", D(2027, 6, 7), D(2027, 7, 21)),
]


def at(day: datetime.date, hour=10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def term_dates(world):
    """Hillside's term dates, entered by its administrator, with an INSET day after half-term."""
    for name, first, last in TERMS_2026_27:
        calendars.add_term(
            world.school, world.administrator, name=name, first_day=first, last_day=last
        )
    calendars.add_closure(
        world.school, world.administrator, kind=Closure.Kind.INSET, first_day=D(2026, 11, 2)
    )
    return world.school


def riley(managed):
    return managed.people.get(pupil__isnull=False).pupil


def ask_to_delete(incident, user, asked_at, days):
    return services.request_deletion(
        incident,
        user,
        young_person=incident.people.get(pupil__isnull=False),
        asked_at=asked_at,
        school_days=days,
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )


# The examples of the issue


def test_a_pupil_who_leaves_on_the_last_day_of_the_summer_term_is_due_on_the_5th_day_of_the_next(
    world, managed, term_dates
):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 7, 22)
    )
    # Not 29 July, in the holiday: Thursday 3 September is the 1st day, Wednesday 9th the 5th.
    assert transfer.deadline == D(2026, 9, 9)
    assert not transfer.deadline_provisional
    assert transfer.deadline_note == (
        "5 school days from 22 July 2026, skipping the summer holiday (23 July to 2 September "
        "2026): the 5th school day of Autumn term 1."
    )


def test_the_dsl_records_a_move_at_the_end_of_term_and_the_file_says_how_it_was_counted(
    client, world, managed, term_dates, time_machine
):
    time_machine.move_to(at(D(2026, 7, 22), 15), tick=False)
    pupil = riley(managed)
    client.force_login(world.dsl)
    response = client.post(
        reverse("transfer_add", args=[world.school.pk, pupil.pk]),
        {
            "to_school": "Riverbank High",
            "moved_on_day": "22",
            "moved_on_month": "7",
            "moved_on_year": "2026",
        },
        follow=True,
    )
    page = response.text
    assert "its deadline, and how it was counted, are shown below" in page
    assert "due by 9 Sep 2026" in page
    assert "skipping the summer holiday (23 July to 2 September 2026)" in page
    assert "the 5th school day of Autumn term 1." in page
    assert "provisional" not in page.lower()


def test_an_in_year_transfer_in_term_time_is_due_within_5_school_days(world, managed, term_dates):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 11, 9)
    )
    assert transfer.deadline == D(2026, 11, 16)
    assert transfer.deadline_note == "5 school days from 9 November 2026."


def test_a_deletion_asked_on_the_friday_before_half_term_falls_due_after_it(
    client, world, managed, term_dates, time_machine
):
    time_machine.move_to(at(D(2026, 10, 23), 15), tick=False)
    deletion = ask_to_delete(managed, world.dsl, at(D(2026, 10, 23), 14), 3)
    # Half-term is skipped, and Monday 2 November, an INSET day: Tuesday, Wednesday, Thursday.
    assert deletion.deadline == D(2026, 11, 5)
    assert deletion.school_days == 3 and not deletion.deadline_provisional
    assert deletion.deadline_note == (
        "3 school days from 23 October 2026, skipping the half-term holiday (26 to 30 October "
        "2026) and an INSET day (2 November 2026): the 3rd school day of Autumn term 2."
    )
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[managed.pk])).text
    assert "deadline 5 Nov 2026" in page and "skipping the half-term holiday" in page


@pytest.mark.parametrize("description", ["", "Half term", "Half-term holiday"])
def test_a_half_term_entered_as_a_closure_within_a_term_is_skipped(world, description):
    school = world.other_school
    admin = world.other_administrator
    calendars.add_term(
        school, admin, name="Autumn term", first_day=D(2026, 9, 2), last_day=D(2026, 12, 18)
    )
    calendars.add_closure(
        school,
        admin,
        kind=Closure.Kind.HOLIDAY,
        first_day=D(2026, 10, 26),
        last_day=D(2026, 10, 30),
        description=description,
    )
    due = schooldays.deadline_for(school, D(2026, 10, 23), 3)
    assert due.date == D(2026, 11, 4)
    assert due.note == (
        "3 school days from 23 October 2026, skipping the half-term holiday (26 to 30 October 2026)."
    )


@pytest.mark.parametrize(
    ("kind", "description", "named"),
    [
        (Closure.Kind.HOLIDAY, "", "the holiday (4 November 2026)"),
        (Closure.Kind.HOLIDAY, "Diwali", "Diwali (4 November 2026)"),
        (Closure.Kind.OTHER, "Polling day", "Polling day (4 November 2026)"),
        (Closure.Kind.OTHER, "", "a closure (4 November 2026)"),
    ],
)
def test_a_single_day_closure_is_named_by_what_was_entered(world, kind, description, named):
    school = world.other_school
    admin = world.other_administrator
    calendars.add_term(
        school, admin, name="Autumn term", first_day=D(2026, 9, 2), last_day=D(2026, 12, 18)
    )
    calendars.add_closure(
        school, admin, kind=kind, first_day=D(2026, 11, 4), description=description
    )
    due = schooldays.deadline_for(school, D(2026, 11, 3), 1)
    assert due.date == D(2026, 11, 5)
    assert due.note == f"1 school day from 3 November 2026, skipping {named}."


def test_bank_holidays_in_term_time_are_skipped_by_name(world, term_dates):
    # Good Friday 2027 is 26 March, after Spring term 2; the early May bank holiday is in term.
    due = schooldays.deadline_for(world.school, D(2027, 4, 30), 1)
    assert due.date == D(2027, 5, 4)
    assert "the bank holiday (Early May bank holiday, 3 May 2027)" in due.note


# Where the dates do not reach: provisional, never refused


def test_without_term_dates_weekdays_count_and_the_deadline_is_provisional(world, managed):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 7, 22)
    )
    assert transfer.deadline == D(2026, 7, 29)
    assert transfer.deadline_provisional
    assert "Provisional: term dates not entered" in transfer.deadline_note


def test_a_deadline_past_the_last_term_entered_is_provisional(world, term_dates):
    due = schooldays.deadline_for(world.school, D(2027, 7, 20), 5)
    assert due.date == D(2027, 7, 27)  # 21 July in term, then every weekday
    assert due.provisional and due.unknown == (schooldays.TERM_DATES,)


def test_a_gap_too_long_for_a_holiday_is_a_term_not_entered_so_provisional(world):
    admin = world.administrator
    for name, first, last in (TERMS_2026_27[1], TERMS_2026_27[5]):  # no term from Nov to April
        calendars.add_term(world.school, admin, name=name, first_day=first, last_day=last)
    due = schooldays.deadline_for(world.school, D(2026, 10, 23), 5)
    assert due.date == D(2026, 10, 30) and due.unknown == (schooldays.TERM_DATES,)
    [warning] = calendars.coverage_warnings(world.school, D(2026, 10, 1))
    assert "no term between Autumn term 1" in warning and "Summer term 1" in warning


def test_past_the_bank_holiday_data_a_deadline_is_still_computed_and_provisional(world):
    last = schooldays.covered_until()
    due = schooldays.deadline_for(world.school, last, 3)
    assert due.date > last
    assert set(due.unknown) == {schooldays.TERM_DATES, schooldays.BANK_HOLIDAYS}
    assert "bank holidays not yet published" in due.note


def test_a_provisional_deadline_is_counted_again_when_the_term_dates_arrive(world, managed):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 7, 22)
    )
    assert transfer.deadline_provisional
    for name, first, last in TERMS_2026_27[:2]:
        calendars.add_term(
            world.school, world.administrator, name=name, first_day=first, last_day=last
        )
    transfer.refresh_from_db()
    assert transfer.deadline == D(2026, 9, 9) and not transfer.deadline_provisional
    latest = transfer.history.first()
    assert latest.history_user == world.administrator
    assert latest.history_change_reason == "Deadline counted again from the school's calendar"


def test_on_1_january_2029_a_deletion_in_school_days_is_recorded_not_refused(
    client, world, managed, time_machine
):
    # The example: the bank holiday data ends; nothing stops working.
    start = schooldays.covered_until() + datetime.timedelta(days=2)  # 2 January 2029
    time_machine.move_to(at(start), tick=False)
    deletion = ask_to_delete(managed, world.dsl, at(start, 9), 3)
    weekdays = [
        start + datetime.timedelta(days=n)
        for n in range(1, 8)
        if (start + datetime.timedelta(days=n)).weekday() < 5
    ]
    assert deletion.deadline == weekdays[2]
    assert deletion.deadline_provisional
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[managed.pk])).text
    assert "provisional</strong>" in page
    assert "Provisional: term dates not entered and bank holidays not yet published" in page


def test_the_weekly_check_counts_again_a_deadline_whose_dates_arrived_another_way(
    client, world, managed, time_machine
):
    # The trust's default dates, set in the admin's trust page: no calendar page was used.
    time_machine.move_to(at(D(2026, 7, 22)), tick=False)
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 7, 22)
    )
    client.force_login(world.dsl)
    pupil_file = reverse("pupil_file", args=[world.school.pk, transfer.pupil_id])
    assert "Provisional: term dates not entered" in client.get(pupil_file).text
    published = Calendar.objects.create(name="Riverside Trust term dates")
    for name, first, last in TERMS_2026_27[:2]:
        Term.objects.create(calendar=published, name=name, first_day=first, last_day=last)
    world.trust.calendar = published
    world.trust.save()
    transfer.refresh_from_db()
    assert transfer.deadline == D(2026, 7, 29)  # not yet counted again

    time_machine.move_to(at(D(2026, 7, 27)), tick=False)
    check_calendars.delay()
    transfer.refresh_from_db()
    assert transfer.deadline == D(2026, 9, 9) and not transfer.deadline_provisional
    client.force_login(world.dsl)  # a new day, a new session
    page = client.get(pupil_file).text
    assert "due by 9 Sep 2026" in page and "the 5th school day of Autumn term 1" in page
    assert "Provisional" not in page


def test_a_deadline_already_counted_stays_as_it_was_when_the_dates_change(
    world, managed, term_dates
):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2026, 7, 22)
    )
    recorded = (transfer.deadline, transfer.deadline_note)
    autumn = world.school.calendar.terms.get(name="Autumn term 1")
    calendars.remove(world.school, world.administrator, autumn)
    transfer.refresh_from_db()
    assert (transfer.deadline, transfer.deadline_note) == recorded
    assert "the 5th school day of Autumn term 1" in transfer.deadline_note


def test_a_calendar_with_dates_in_it_cannot_be_deleted_with_them(world):
    published = Calendar.objects.create(name="Northshire County Council")
    Term.objects.create(
        calendar=published, name="Autumn term", first_day=D(2026, 9, 3), last_day=D(2026, 12, 18)
    )
    with pytest.raises(ProtectedError):
        published.delete()
    assert Term.objects.filter(calendar=published).exists()
    world.school.published_calendar = published
    world.school.save()
    published.terms.get().delete()
    with pytest.raises(ProtectedError):  # still followed by a school
        published.delete()


def test_a_deadline_given_as_a_date_is_kept_as_it_is(world, managed, term_dates, time_machine):
    time_machine.move_to(at(D(2026, 10, 23), 15), tick=False)
    deletion = services.request_deletion(
        managed,
        world.dsl,
        young_person=managed.people.get(pupil__isnull=False),
        asked_at=at(D(2026, 10, 23), 14),
        deadline=D(2026, 10, 26),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    assert deletion.deadline == D(2026, 10, 26)
    assert deletion.school_days is None and deletion.deadline_note == ""


# Inherited dates


def test_a_school_inherits_its_trusts_term_dates_and_adds_its_own_inset_days(world):
    published = Calendar.objects.create(name="Riverside Trust term dates")
    Term.objects.create(
        calendar=published, name="Autumn term 1", first_day=D(2026, 9, 3), last_day=D(2026, 10, 23)
    )
    Term.objects.create(
        calendar=published,
        name="Autumn term 2",
        first_day=D(2026, 11, 2),
        last_day=D(2026, 12, 18),
    )
    world.trust.calendar = published
    world.trust.save()
    school = world.other_school
    assert schooldays.deadline_for(school, D(2026, 10, 23), 1).date == D(2026, 11, 2)
    calendars.add_closure(
        school, world.other_administrator, kind=Closure.Kind.INSET, first_day=D(2026, 11, 2)
    )
    cal = calendars.calendar_for(school)
    assert cal.terms_from == "Riverside Trust term dates"
    assert schooldays.deadline_for(school, D(2026, 10, 23), 1).date == D(2026, 11, 3)
    # Its own terms, once entered, replace the inherited ones.
    calendars.add_term(
        school,
        world.other_administrator,
        name="Autumn term",
        first_day=D(2026, 9, 2),
        last_day=D(2026, 12, 16),
    )
    assert calendars.calendar_for(school).terms_from == "the school's own"
    assert schooldays.deadline_for(school, D(2026, 10, 23), 1).date == D(2026, 10, 26)


def test_a_school_may_follow_a_local_authoritys_published_dates(world):
    council = Calendar.objects.create(name="Northshire County Council")
    Term.objects.create(
        calendar=council, name="Autumn term", first_day=D(2026, 9, 3), last_day=D(2026, 12, 18)
    )
    calendars.follow(
        world.far_school, member_admin(world.far_school), council, "Maintained school"
    )
    assert calendars.calendar_for(world.far_school).terms_from == "Northshire County Council"
    assert calendars.schools_using(council).get() == world.far_school


def member_admin(school):
    from accounts.models import Role

    from .factories import member

    return member(school, Role.ADMINISTRATOR)


# The rules of entering dates


def test_only_the_administrator_or_headteacher_enters_term_dates(world):
    with pytest.raises(PermissionDenied):
        calendars.add_term(
            world.school,
            world.dsl,
            name="Autumn",
            first_day=D(2026, 9, 3),
            last_day=D(2026, 10, 23),
        )
    with pytest.raises(PermissionDenied):
        calendars.add_term(
            world.school,
            world.other_administrator,
            name="Autumn",
            first_day=D(2026, 9, 3),
            last_day=D(2026, 10, 23),
        )


def test_a_term_that_ends_before_it_starts_or_overlaps_another_is_refused(world, term_dates):
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        calendars.add_term(
            world.school,
            world.administrator,
            name="X",
            first_day=D(2027, 9, 3),
            last_day=D(2027, 9, 1),
        )
    with pytest.raises(ValidationError, match="overlaps Autumn term 2"):
        calendars.add_term(
            world.school,
            world.administrator,
            name="X",
            first_day=D(2026, 12, 1),
            last_day=D(2027, 1, 10),
        )


def test_a_removed_closure_is_counted_again_and_kept_in_the_history(world, managed, term_dates):
    transfer = transfers.record_transfer(
        riley(managed), world.dsl, to_school="Riverbank High", moved_on=D(2027, 7, 19)
    )
    assert transfer.deadline_provisional  # past 21 July 2027
    inset = world.school.calendar.closures.get()
    calendars.remove(world.school, world.administrator, inset)
    removed = Closure.history.filter(history_type="-").get()
    assert removed.history_user == world.administrator


# Told before the dates run out


def test_the_administrator_and_dsls_are_told_once_a_week_when_the_term_dates_run_out(
    world, term_dates, time_machine
):
    time_machine.move_to(at(D(2027, 4, 5)), tick=False)  # the dates end 21 July 2027
    calendar_reminders()
    calendar_reminders()  # a second run in the same week writes nothing more
    told = Notification.objects.filter(
        kind="calendar_ending", recipient__memberships__school=world.school
    )
    assert {n.recipient.username for n in told} == {
        "hil-administrator",
        "hil-dsl",
        "hil-deputy_dsl",
    }
    assert told.get(recipient=world.administrator).link == reverse(
        "school_calendar", args=[world.school.pk]
    )
    time_machine.move_to(at(D(2027, 4, 12)), tick=False)
    check_calendars.delay()
    assert told.all().count() == 6  # a week on, once more each


def test_no_one_is_told_while_the_dates_reach_past_the_next_term(world, term_dates, time_machine):
    time_machine.move_to(at(D(2026, 11, 16)), tick=False)
    assert calendars.coverage_warnings(world.school, D(2026, 11, 16)) == []
    calendar_reminders()
    assert not Notification.objects.filter(recipient=world.administrator).exists()


def test_the_bank_holiday_data_running_out_is_told_a_term_ahead(world, term_dates):
    last = schooldays.covered_until()
    [warning] = calendars.coverage_warnings(world.school, last - datetime.timedelta(days=60))[-1:]
    assert "update govuk-bank-holidays" in warning
    assert not any(
        "bank holidays" in w
        for w in calendars.coverage_warnings(world.school, last - datetime.timedelta(days=200))
    )


def test_the_dashboard_tells_the_administrator_and_the_dsl(client, world, time_machine):
    time_machine.move_to(at(D(2026, 11, 16)), tick=False)
    client.force_login(world.administrator)
    page = client.get("/").text
    assert "No term dates are entered for Hillside Academy" in page
    assert reverse("school_calendar", args=[world.school.pk]) in page
    client.force_login(world.dsl)
    page = client.get("/").text
    assert "No term dates are entered for Hillside Academy" in page
    assert "The school administrator enters them" in page
    client.force_login(world.staff)
    assert "No term dates are entered" not in client.get("/").text


def test_the_worker_checks_the_calendars_weekly():
    entry = settings.CELERY_BEAT_SCHEDULE["calendars"]
    assert entry["task"] == "records.tasks.check_calendars"
    assert entry["schedule"].day_of_week == {1}  # Mondays
