"""R38: each referral expects the agency's acknowledgement and decision; what has not come is
chased once per interval, the DSL records acknowledgement, decision, follow-up calls and an
escalation, and "Waiting on an agency" shows how long."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.chronology import chronology
from incidents.models import Notification
from incidents.tasks import sweep
from referrals import services
from referrals.chasing import chase

from .factories import IncidentFactory, InvolvedPersonFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def reminders(world, kind) -> dict[str, int]:
    notes = Notification.objects.filter(kind=kind)
    return {
        role: notes.filter(recipient=getattr(world, role)).count()
        for role in ("dsl", "deputy_dsl", "headteacher")
    }


@pytest.fixture
def referral(world, time_machine):
    """Referred to children's social care on a Monday morning."""
    time_machine.move_to(MONDAY, tick=False)
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15)
    incident_services.decide_refer(
        incident, world.dsl, agency="csc", made_at=timezone.now(), reason="Coercion"
    )
    return incident.referrals.get()


def test_social_care_is_expected_within_one_working_day_and_the_police_by_the_setting(
    world, settings
):
    settings.REFERRAL_POLICE_ACKNOWLEDGE_DAYS = 2
    settings.REFERRAL_POLICE_DECISION_DAYS = 5
    friday = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=datetime.UTC)
    assert services.expected("csc", friday) == (datetime.date(2026, 11, 23),) * 2
    christmas_eve = datetime.datetime(2026, 12, 24, 12, 0, tzinfo=datetime.UTC)
    # Christmas Day, the weekend and the Boxing Day holiday (Monday 28th) are not working days.
    assert services.expected("mash", christmas_eve)[0] == datetime.date(2026, 12, 29)
    assert services.expected("police", friday) == (
        datetime.date(2026, 11, 24),
        datetime.date(2026, 11, 27),
    )
    assert services.expected("early_help", friday) == (None, None)


def test_an_unacknowledged_referral_is_chased_exactly_once_per_interval(
    world, referral, time_machine, settings
):
    settings.CHASE_INTERVAL_DAYS = 1
    assert referral.acknowledgement_due == datetime.date(2026, 11, 17)
    time_machine.move_to(MONDAY + DAY, tick=False)
    chase()
    assert reminders(world, Notification.Kind.REFERRAL_NO_ACK)["dsl"] == 0, "not yet due"
    time_machine.move_to(MONDAY + 2 * DAY, tick=False)
    chase()
    chase()
    sweep()
    assert reminders(world, Notification.Kind.REFERRAL_NO_ACK) == {
        "dsl": 1,
        "deputy_dsl": 1,
        "headteacher": 0,
    }
    time_machine.move_to(MONDAY + 3 * DAY, tick=False)
    sweep()
    sweep()
    assert reminders(world, Notification.Kind.REFERRAL_NO_ACK)["dsl"] == 2
    services.record_acknowledgement(
        referral,
        world.dsl,
        acknowledged_at=timezone.now(),
        acknowledged_by="Duty social worker, Front Door",
    )
    time_machine.move_to(MONDAY + 5 * DAY, tick=False)
    sweep()
    assert reminders(world, Notification.Kind.REFERRAL_NO_ACK)["dsl"] == 2
    # The decision is still awaited: chased until it is recorded.
    assert reminders(world, Notification.Kind.REFERRAL_NO_DECISION)["dsl"] == 3
    services.record_outcome(
        referral, world.dsl, kind="assessment", decided_on=timezone.localdate()
    )
    time_machine.move_to(MONDAY + 7 * DAY, tick=False)
    sweep()
    assert reminders(world, Notification.Kind.REFERRAL_NO_DECISION)["dsl"] == 3


def test_the_interval_is_the_setting(world, referral, time_machine, settings):
    settings.CHASE_INTERVAL_DAYS = 3
    for days in range(2, 8):
        time_machine.move_to(MONDAY + days * DAY, tick=False)
        chase()
    # Overdue from the 18th: reminded on the 18th and the 21st, and nothing more by the 22nd.
    assert reminders(world, Notification.Kind.REFERRAL_NO_ACK)["dsl"] == 2


def test_an_escalation_is_recorded_with_when_to_whom_and_the_outcome(
    world, referral, time_machine
):
    time_machine.move_to(MONDAY + 3 * DAY, tick=False)
    with pytest.raises(ValidationError, match="to whom"):
        services.record_escalation(
            referral, world.dsl, escalated_at=timezone.now(), to_whom="", concern="No change"
        )
    escalation = services.record_escalation(
        referral,
        world.dsl,
        escalated_at=timezone.now(),
        to_whom="Team manager, Front Door",
        concern="No further action, but the sharing continues",
    )
    services.record_escalation_outcome(
        escalation,
        world.dsl,
        outcome="Strategy meeting agreed",
        outcome_at=timezone.now(),
    )
    whats = [e.what for e in chronology(referral.incident)]
    assert "Escalated (Referral to Children's social care) to Team manager, Front Door" in whats
    assert "Outcome of the escalation to Team manager, Front Door" in whats
    assert escalation.history.count() == 2


def test_the_page_records_acknowledgement_follow_up_and_escalation(
    client, world, referral, time_machine
):
    incident = referral.incident
    client.force_login(world.dsl)
    page = client.get(incident.get_absolute_url()).text
    assert "Not yet: expected by 17 November 2026" in page
    now = timezone.localtime()
    response = client.post(
        reverse("referral_acknowledgement", args=[incident.pk, referral.pk]),
        {
            "acknowledged_at_day": now.day,
            "acknowledged_at_month": now.month,
            "acknowledged_at_year": now.year,
            "acknowledged_at_time": now.strftime("%H:%M"),
            "acknowledged_by": "Duty social worker",
        },
    )
    assert response.status_code == 302, response.text
    page = client.get(incident.get_absolute_url()).text
    assert "by Duty social worker" in page
    form = client.get(reverse("follow_up_add", args=[incident.pk]), {"referral": referral.pk})
    assert f'value="{referral.pk}" selected' in form.text


def test_waiting_on_an_agency_shows_how_long_and_what_is_late_is_overdue(
    client, world, referral, time_machine
):
    time_machine.move_to(MONDAY + 3 * datetime.timedelta(hours=1), tick=False)
    client.force_login(world.dsl)  # three hours on: a new session (an idle one has ended)
    page = client.get(reverse("dashboard")).text
    waiting = page[page.index('id="referred"') :]
    assert (
        "Waiting on Children&#x27;s social care for its acknowledgement: referred 3 hours ago, "
        "expected by 17 Nov 2026" in waiting
    )
    time_machine.move_to(MONDAY + 2 * DAY, tick=False)
    client.force_login(world.dsl)  # the session of two days ago has timed out
    page = client.get(reverse("dashboard")).text
    overdue = page[page.index('id="overdue"') : page.index('id="awaiting-review"')]
    assert referral.incident.reference in overdue
    assert "for its acknowledgement: referred 2 days ago" in overdue
