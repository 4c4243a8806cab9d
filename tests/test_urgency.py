"""R37: a referral required and not made is alerted at once, again every few hours until it is
made, first on the dashboard, and the time from disclosure to referral is reported."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Notification
from incidents.services import Person, urgency
from incidents.tasks import sweep

from .factories import IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def alerts(world) -> dict[str, int]:
    """How many urgency alerts each of the school's people has."""
    notes = Notification.objects.filter(kind=Notification.Kind.REFERRAL_REQUIRED)
    return {
        role: notes.filter(recipient=getattr(world, role)).count()
        for role in ("dsl", "deputy_dsl", "headteacher", "staff")
    }


@pytest.fixture
def adult_involved(world, time_machine):
    """An adult sent the imagery to a 15-year-old: criterion 1 holds, a referral is required."""
    time_machine.move_to(MONDAY, tick=False)
    incident = IncidentFactory(school=world.school, disclosed_at=MONDAY - 2 * HOUR)
    InvolvedPersonFactory(incident=incident, name="Pictured Child", age=15, roles=["pictured"])
    InvolvedPersonFactory(incident=incident, name="Adult Sender", age=34, roles=["sender"])
    return incident


def test_it_alerts_the_dsl_and_deputies_at_once_when_a_change_makes_a_referral_required(
    world, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(MONDAY, tick=False)
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured Child", age=15, roles=["pictured"])
    urgency.check(incident.pk)
    assert alerts(world)["dsl"] == 0, "two 15-year-olds: nothing requires a referral yet"
    with django_capture_on_commit_callbacks(execute=True):
        services.add_person(
            incident,
            world.dsl,
            Person(roles=["sender"], name="Adult Sender", age=34),
            "The sender is an adult",
        )
    assert alerts(world) == {"dsl": 1, "deputy_dsl": 1, "headteacher": 0, "staff": 0}
    incident.refresh_from_db()
    assert incident.referral_required_since == MONDAY


def test_it_alerts_again_exactly_once_per_interval_until_a_referral_is_made(
    world, adult_involved, time_machine, settings
):
    settings.REFERRAL_URGENT_EVERY_HOURS = 4
    urgency.check(adult_involved.pk)
    urgency.sweep()
    assert alerts(world)["dsl"] == 1, "a second look within the interval sends nothing"
    time_machine.move_to(MONDAY + 3 * HOUR, tick=False)
    sweep()
    assert alerts(world)["dsl"] == 1
    time_machine.move_to(MONDAY + 4 * HOUR, tick=False)
    sweep()
    sweep()
    assert alerts(world) == {"dsl": 2, "deputy_dsl": 2, "headteacher": 0, "staff": 0}
    services.decide_refer(
        adult_involved,
        world.dsl,
        agency="police",
        made_at=timezone.now(),
        reason="An adult sent the imagery",
    )
    urgency.check(adult_involved.pk)
    adult_involved.refresh_from_db()
    assert adult_involved.referral_required_since is None
    for hours in (8, 12, 24):
        time_machine.move_to(MONDAY + hours * HOUR, tick=False)
        sweep()
    assert alerts(world)["dsl"] == 2, "the alert stops once the referral is made"


def test_early_help_is_not_the_referral_required(world, adult_involved, time_machine):
    from referrals.services import add_referral

    add_referral(
        adult_involved, world.dsl, agency="early_help", made_at=timezone.now(), reason="Family"
    )
    urgency.check(adult_involved.pk)
    assert alerts(world)["dsl"] == 1


def test_the_email_names_the_school_and_reference_and_nothing_of_the_case(
    world, adult_involved, time_machine
):
    urgency.check(adult_involved.pk)
    services.send_pending_notifications()
    sent = [m for m in mail.outbox if world.dsl.email in m.to]
    assert len(sent) == 1
    text = sent[0].subject + sent[0].body
    assert "A referral is required and has not been made" in text
    assert adult_involved.reference in text and world.school.name in text
    assert "Adult Sender" not in text and "Pictured Child" not in text


def test_the_dashboard_puts_the_case_first_and_says_how_long(
    client, world, adult_involved, time_machine
):
    earlier = IncidentFactory(school=world.school, disclosed_at=MONDAY - 5 * HOUR)
    InvolvedPersonFactory(incident=earlier, name="Pictured", age=15, roles=["pictured"])
    earlier.actions.create(
        kind="education",
        description="Lesson on consent",
        owner=world.dsl,
        due=timezone.localdate() - datetime.timedelta(days=2),
    )
    urgency.check(adult_involved.pk)
    time_machine.move_to(MONDAY + 5 * HOUR, tick=False)
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    overdue = page[page.index('id="overdue"') : page.index('id="awaiting-review"')]
    assert overdue.index(adult_involved.reference) < overdue.index(earlier.reference)
    assert "Referral required and not made" in overdue
    assert "(5 hours)" in overdue


def test_the_inspection_report_shows_the_time_from_disclosure_to_referral(
    client, world, adult_involved, time_machine
):
    from referrals.services import add_referral

    add_referral(
        adult_involved, world.dsl, agency="early_help", made_at=timezone.now(), reason="Family"
    )
    time_machine.move_to(MONDAY + 3 * HOUR, tick=False)
    services.decide_refer(
        adult_involved, world.dsl, agency="police", made_at=timezone.now(), reason="Adult"
    )
    client.force_login(world.headteacher)
    day = timezone.localdate()
    page = client.get(
        reverse("inspection_report"),
        {
            "start_day": day.day,
            "start_month": day.month,
            "start_year": day.year - 1,
            "end_day": day.day,
            "end_month": day.month,
            "end_year": day.year,
        },
    ).text
    row = page[page.index(adult_involved.reference) :]
    cells = row[: row.index("</tr>")].split('<td class="govuk-table__cell">')
    # After the reference: outcome, to review, to referral. Disclosed two hours before the alert, referred
    # to the police three hours after it (the Early Help referral before it is not the one).
    assert cells[3].startswith("5 h 0 min"), cells


def test_a_closed_or_out_of_scope_incident_is_never_alerted(world, adult_involved):
    Incident.objects.filter(pk=adult_involved.pk).update(stage="closed")
    urgency.check(adult_involved.pk)
    assert alerts(world)["dsl"] == 0
