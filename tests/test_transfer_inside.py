"""R42: transfer, completely. What was shared before the move is recorded; where both schools
use ypsi the file goes inside it, the receiving DSL accepts it and the 5-day clock stops there;
the sending school keeps what was sent, when and who acknowledged; the receiving school records
that its DSL and SENCO were told, with the dates."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incidents.models import Notification
from records import transfers
from records.chasing import create_reminders

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def moving(world, time_machine):
    """Riley leaves Hillside for Meadowbank, which uses this installation too."""
    time_machine.move_to(MONDAY, tick=False)
    pupil = PupilFactory(school=world.school, first_name="Riley", last_name="Mover")
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="")
    return transfers.record_transfer(
        pupil,
        world.dsl,
        moved_on=MONDAY.date(),
        receiving_school=world.other_school,
        shared_before="Told Meadowbank's DSL by phone on 13 Nov of the open safety plan",
    )


def chased(world) -> int:
    return Notification.objects.filter(
        kind=Notification.Kind.TRANSFER_OVERDUE, recipient=world.dsl
    ).count()


def test_the_file_goes_inside_ypsi_and_the_clock_stops_at_acceptance(world, moving, time_machine):
    assert moving.to_school == "Meadowbank School"
    with pytest.raises(ValidationError, match="send the file inside ypsi"):
        transfers.record_sent(moving, world.dsl, at=MONDAY, how="Handed to the parent")
    transfers.send_in_app(moving, world.dsl)
    moving.refresh_from_db()
    assert moving.sent_content["pupil"]["first_name"] == "Riley"
    assert [t.pk for t in transfers.incoming(world.other_dsl)] == [moving.pk]
    assert list(transfers.incoming(world.dsl)) == []
    with pytest.raises(PermissionDenied):
        transfers.accept_transfer(moving, world.dsl)
    time_machine.move_to(MONDAY + 2 * DAY, tick=False)
    received = transfers.accept_transfer(moving, world.other_dsl)
    moving.refresh_from_db()
    assert received.school == world.other_school and received.transfer == moving
    assert received.pupil.school == world.other_school
    assert moving.receipt_at == MONDAY + 2 * DAY
    assert moving.receipt_from.endswith("DSL at Meadowbank School")
    assert moving.sent_how == "Inside ypsi, to the DSLs of Meadowbank School"
    for days in range(8, 16):
        time_machine.move_to(MONDAY + days * DAY, tick=False)
        create_reminders()
    assert chased(world) == 0, "accepted: the 5-day clock stopped"


def test_not_accepted_it_is_chased_past_the_deadline(world, moving, time_machine):
    transfers.send_in_app(moving, world.dsl)
    time_machine.move_to(
        datetime.datetime.combine(moving.deadline, datetime.time(10), datetime.UTC) + DAY,
        tick=False,
    )
    create_reminders()
    assert chased(world) == 1


def test_the_receiving_school_records_that_its_dsl_and_senco_know(world, moving, time_machine):
    transfers.send_in_app(moving, world.dsl)
    received = transfers.accept_transfer(moving, world.other_dsl)
    with pytest.raises(ValidationError, match="SENCO"):
        transfers.record_told(
            received, world.other_dsl, dsl_told_on=MONDAY.date(), senco_told_on=None, senco=""
        )
    transfers.record_told(
        received,
        world.other_dsl,
        dsl_told_on=MONDAY.date(),
        senco_told_on=MONDAY.date(),
        senco="Ms Senco",
    )
    received.refresh_from_db()
    assert (received.dsl_told_on, received.senco_told_on) == (MONDAY.date(), MONDAY.date())
    assert received.history.first().history_change_reason == "DSL and SENCO told"
    assert moving.history.filter(history_change_reason="File sent inside ypsi").exists()


def test_the_transfer_form_offers_the_other_schools_on_ypsi(client, world):
    pupil = PupilFactory(school=world.school)
    client.force_login(world.dsl)
    page = client.get(reverse("transfer_add", args=[world.school.pk, pupil.pk])).text
    assert "Meadowbank School" in page and "Faraway School" in page
    assert "Hillside Academy</option>" not in page
    response = client.post(
        reverse("transfer_add", args=[world.school.pk, pupil.pk]),
        {
            "receiving_school": world.other_school.pk,
            "moved_on_day": "16",
            "moved_on_month": "11",
            "moved_on_year": "2026",
            "shared_before": "Phoned their DSL",
        },
        follow=True,
    )
    assert "Send inside ypsi" in response.text and "Record it as sent" not in response.text
    transfer = pupil.transfers.get()
    assert (transfer.receiving_school, transfer.shared_before) == (
        world.other_school,
        "Phoned their DSL",
    )


def test_the_told_form_sent_empty_names_each_box(client, world, moving):
    transfers.send_in_app(moving, world.dsl)
    received = transfers.accept_transfer(moving, world.other_dsl)
    client.force_login(world.other_dsl)
    response = client.post(
        reverse("received_told", args=[world.other_school.pk, received.pk]), {"senco": ""}
    )
    assert response.status_code == 400
    assert "This field is required" not in response.text
    assert "Enter the SENCO" in response.text
    assert set(response.context["form"].errors) == {"dsl_told_on", "senco", "senco_told_on"}
    received.refresh_from_db()
    assert received.senco_told_on is None
