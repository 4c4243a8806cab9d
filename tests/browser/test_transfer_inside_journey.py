"""A transfer inside ypsi in the browser (R42): Hillside's DSL records the move with what was
shared before it and sends the file; Meadowbank's DSL finds it on the dashboard, accepts it and
records that the DSL and SENCO were told; Hillside sees who accepted it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fill_date(page, label, day: datetime.date):
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_file_goes_from_one_school_to_the_other_inside_ypsi(
    page, live_server, login, axe, world
):
    riley = factories.PupilFactory(school=world.school, first_name="Riley", last_name="Mover")
    incident = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(incident=incident, pupil=riley, name="")
    today = timezone.localdate()

    login(world.dsl)
    page.goto(f"{live_server.url}/schools/{world.school.pk}/pupils/{riley.pk}/file/")
    page.get_by_role("link", name="Record a transfer").click()
    axe("the transfer form")
    page.get_by_label("The new school, if it uses ypsi", exact=True).select_option(
        label="Meadowbank School"
    )
    fill_date(page, "The date of the move", today)
    page.get_by_label("Information shared before the move").fill(
        "Told Meadowbank's DSL by phone of the open safety plan"
    )
    page.get_by_role("button", name="Record the transfer").click()
    transfers = page.locator("#transfers")
    expect(transfers).to_contain_text("To Meadowbank School")
    expect(transfers).to_contain_text("Shared before the move: Told Meadowbank's DSL")
    expect(transfers.get_by_role("link", name="Record it as sent")).to_have_count(0)
    transfers.get_by_role("link", name="Send inside ypsi").click()
    axe("the send page")
    page.get_by_label("Send the file as it stands now").check()
    page.get_by_role("button", name="Send the file").click()
    expect(transfers).to_contain_text("waiting for their DSL to accept it")

    login(world.other_dsl)
    expect(page.locator("#incoming-panel")).to_contain_text("Riley Mover")
    axe("the dashboard with an incoming file")
    page.get_by_role("link", name="Incoming child protection files").click()
    axe("the incoming files")
    page.locator("#incoming-files").get_by_role("link", name="Accept Riley Mover's file").click()
    axe("the accept page")
    page.get_by_label("Accept this file into our school's records").check()
    page.get_by_role("button", name="Accept the file").click()
    axe("the DSL and SENCO told form")
    fill_date(page, "When the DSL was told", today)
    page.get_by_label("The SENCO's name").fill("Sam Senco")
    fill_date(page, "When the SENCO was told", today)
    page.get_by_role("button", name="Save").click()
    received = page.locator(".received")
    expect(received).to_contain_text("From Hillside Academy, accepted inside ypsi")
    expect(received.locator(".told")).to_contain_text("the SENCO, Sam Senco, on")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#incoming-panel")).to_have_count(0)

    login(world.dsl)
    page.goto(f"{live_server.url}/schools/{world.school.pk}/pupils/{riley.pk}/file/")
    expect(transfers).to_contain_text("accepted")
    expect(transfers).to_contain_text("DSL at Meadowbank School")
