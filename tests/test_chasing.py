"""R24: overdue deletions chase the DSL, then the headteacher; sign-offs and actions too.

Each reminder once per interval, whatever the number of sweeps; the sweep's cost does not grow
with the number of overdue items, and a sweep reads only what is due now (issue 14).
"""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Action, Notification
from incidents.tasks import sweep
from records import schooldays
from records.chasing import create_reminders
from records.models import DeletionRequest

from .factories import IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def overdue(world, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    incident = IncidentFactory(school=world.school)
    person = InvolvedPersonFactory(incident=incident, name="Pictured", age=15)
    return DeletionRequest.objects.create(
        incident=incident,
        young_person=person,
        asked_at=MONDAY - datetime.timedelta(days=3),
        asked_by=world.dsl,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=datetime.date(2026, 11, 16),
    )


def reminded(kind="deletion_overdue"):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_nothing_is_chased_before_the_deadline_has_passed(overdue):
    assert create_reminders() == 0
    assert not Notification.objects.exists()


def test_the_day_after_the_deadline_the_dsls_are_reminded_once(world, overdue, time_machine):
    time_machine.move_to(MONDAY + datetime.timedelta(days=1), tick=False)
    for _ in range(3):
        sweep.delay().get()
    assert reminded() == ["hil-deputy_dsl", "hil-dsl"]
    assert len(mail.outbox) == 2
    assert "deletion has not been confirmed" in mail.outbox[0].subject
    assert "Pictured" not in mail.outbox[0].body


def test_after_the_further_interval_the_headteacher_is_reminded_too(
    world, overdue, time_machine, settings
):
    settings.CHASE_HEADTEACHER_AFTER_DAYS = 2
    time_machine.move_to(MONDAY + datetime.timedelta(days=2), tick=False)
    create_reminders()
    assert "hil-headteacher" not in reminded()
    time_machine.move_to(MONDAY + datetime.timedelta(days=3), tick=False)
    create_reminders()
    assert reminded().count("hil-headteacher") == 1
    # One reminder per interval in which a sweep ran (days 2 and 3): no backlog of missed days.
    assert reminded().count("hil-dsl") == 2


def test_a_confirmed_deletion_is_no_longer_chased(world, overdue, time_machine):
    overdue.status = DeletionRequest.Status.CONFIRMED
    overdue.save()
    time_machine.move_to(MONDAY + datetime.timedelta(days=5), tick=False)
    assert create_reminders() == 0


def test_reminders_that_fell_due_while_nothing_ran_are_sent_on_the_next_sweep(
    world, overdue, time_machine
):
    time_machine.move_to(MONDAY + datetime.timedelta(days=10), tick=False)
    sweep.delay().get()
    assert "hil-dsl" in reminded() and "hil-headteacher" in reminded()


def test_each_reminder_is_on_the_incidents_chronology(client, world, overdue, time_machine):
    time_machine.move_to(MONDAY + datetime.timedelta(days=1), tick=False)
    sweep.delay().get()
    client.force_login(world.dsl)
    page = client.get(reverse("incident_chronology", args=[overdue.incident_id])).text
    assert "A deletion has not been confirmed by its deadline: reminder to" in page


def test_decisions_awaiting_sign_off_and_overdue_actions_are_chased(world, overdue, time_machine):
    incident = overdue.incident
    Action.objects.create(
        incident=incident,
        kind="support",
        description="Check in",
        owner=world.deputy_dsl,
        due=datetime.date(2026, 11, 13),
    )
    from incidents.models import Decision

    Decision.objects.create(
        incident=incident,
        kind="manage",
        made_by=world.dsl,
        reason="x",
        made_at=MONDAY - datetime.timedelta(days=2),
    )
    create_reminders()
    assert reminded("action_overdue") == ["hil-deputy_dsl"]
    assert reminded("sign_off_overdue") == ["hil-headteacher"]


@pytest.mark.parametrize("items", [2, 20])
def test_the_sweep_costs_the_same_queries_however_many_items_are_overdue(
    world, overdue, time_machine, items, django_assert_num_queries
):
    for _ in range(items):
        DeletionRequest.objects.create(
            incident=overdue.incident,
            young_person=overdue.young_person,
            asked_at=overdue.asked_at,
            asked_by=world.dsl,
            everywhere=True,
            told_illegal=True,
            told_police=True,
            deadline=overdue.deadline,
        )
    time_machine.move_to(MONDAY + datetime.timedelta(days=4), tick=False)
    # savepoint, deletions, their incidents and referrals (R16: on hold with the police),
    # decisions, actions, transfers, the school's team, the insert, when each is next due
    # (one update: they share a day), release
    with django_assert_num_queries(11):
        create_reminders()
    assert Notification.objects.count() == (items + 1) * 3  # two DSLs and the head, per deletion


def test_school_days_skip_weekends_and_bank_holidays():
    # Thursday 24 December 2026 + 2 school days: Christmas Day (Fri) and the weekend are skipped,
    # Boxing Day's substitute (Mon 28) too: Tuesday 29 and Wednesday 30.
    assert schooldays.add_school_days(datetime.date(2026, 12, 24), 2) == datetime.date(
        2026, 12, 30
    )
    assert schooldays.add_school_days(datetime.date(2026, 11, 20), 1) == datetime.date(
        2026, 11, 23
    )


def test_a_deadline_past_the_bank_holiday_data_is_provisional_not_refused():
    # Issue 20: from the day after the data ends, weekdays count and the deadline says so.
    last = schooldays.covered_until()
    due = schooldays.deadline_for(None, last - datetime.timedelta(days=2), 10)
    assert due.date > last
    assert due.provisional
    assert "bank holidays not yet published" in due.note


def test_a_deletion_on_hold_for_the_police_is_not_chased(world, overdue, time_machine):
    """R16: with the police involved the young person is told not to delete, so no chase."""
    from referrals.models import Referral

    Referral.objects.create(
        incident=overdue.incident, agency="police_101", made_by=world.dsl, reason="Adult"
    )
    time_machine.move_to(MONDAY + datetime.timedelta(days=2), tick=False)
    assert create_reminders() == 0
    assert reminded() == []


def test_a_sweep_reads_only_what_is_due_now(world, overdue, time_machine, settings):
    """After a sweep, the overdue items wait for their next interval: a second sweep the same
    day reads none of them and offers nothing; the next interval's sweep reminds again."""
    settings.CHASE_HEADTEACHER_AFTER_DAYS = 2
    DeletionRequest.objects.bulk_create(
        DeletionRequest(
            incident=overdue.incident,
            young_person=overdue.young_person,
            asked_at=overdue.asked_at,
            asked_by=world.dsl,
            everywhere=True,
            told_illegal=True,
            told_police=True,
            deadline=overdue.deadline,
        )
        for _ in range(30)
    )
    time_machine.move_to(MONDAY + datetime.timedelta(days=1), tick=False)
    assert create_reminders() == 31 * 2  # the two DSLs, for each deletion
    assert set(DeletionRequest.objects.values_list("next_chase_on", flat=True)) == {
        datetime.date(2026, 11, 18)
    }
    with CaptureQueriesContext(connection) as queries:
        assert create_reminders() == 0
    assert not any("INSERT" in q["sql"] or "UPDATE" in q["sql"] for q in queries)
    time_machine.move_to(MONDAY + datetime.timedelta(days=3), tick=False)
    assert create_reminders() == 31 * 3  # the DSLs' next reminder, and now the headteacher's
    assert reminded().count("hil-dsl") == 2 * 31


def test_a_confirmed_deletion_leaves_the_chase_for_good(world, overdue, time_machine):
    time_machine.move_to(MONDAY + datetime.timedelta(days=1), tick=False)
    create_reminders()
    overdue.status = DeletionRequest.Status.CONFIRMED
    overdue.save()
    time_machine.move_to(MONDAY + datetime.timedelta(days=2), tick=False)
    assert create_reminders() == 0
    overdue.refresh_from_db()
    assert overdue.next_chase_on is None  # out of both indexes' range: never read again


def test_a_deadline_moved_later_is_chased_from_the_new_deadline(world, overdue, time_machine):
    time_machine.move_to(MONDAY + datetime.timedelta(days=1), tick=False)
    create_reminders()
    DeletionRequest.objects.filter(pk=overdue.pk).update(deadline=datetime.date(2026, 11, 20))
    time_machine.move_to(MONDAY + datetime.timedelta(days=2), tick=False)
    assert create_reminders() == 0
    assert reminded().count("hil-dsl") == 1
    time_machine.move_to(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC), tick=False)
    create_reminders()  # the second day past the new deadline: its second interval
    assert reminded().count("hil-dsl") == 2
