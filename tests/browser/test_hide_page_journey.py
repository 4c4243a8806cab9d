"""R44 and R39 in the browser: the staff guidance on the report page; "Hide this page" blanks the
screen at once (or Shift three times) and keeps what was typed; the information sharing form."""

import re

import pytest
from playwright.sync_api import expect

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_report_page_guides_staff_and_hides_at_once_keeping_the_typing(
    page, live_server, login, axe, world
):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    guidance = page.locator("#staff-guidance")
    for words in (
        "Never view, copy, print, share, store or save the imagery",
        "Do not delete the imagery or ask the young person to delete it",
        "Do not question the young people involved about the imagery",
        "Do not tell other members of staff",
        "Do not say or do anything to blame",
        "Report it to your DSL immediately",
        "999",
    ):
        expect(guidance).to_contain_text(words)
    axe("the report page")
    told = page.get_by_label("What were you told?")
    told.fill("She said it was sent last night")

    page.get_by_role("button", name="Hide this page").click()
    expect(page.locator("#main-content")).to_be_hidden()
    expect(page.locator("header")).to_be_hidden()
    show = page.get_by_role("button", name="Show the page again")
    expect(show).to_be_focused()
    expect(page).to_have_title("ypsi")
    axe("the hidden page")
    show.click()
    expect(told).to_have_value("She said it was sent last night")
    expect(page).to_have_title(re.compile(r"^Report a concern"))

    told.focus()
    told.press("End")
    told.type(" ")
    for letter in "ABC":  # capitals typed with Shift never hide the page
        page.keyboard.press(f"Shift+{letter}")
    expect(page.locator("#main-content")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page.locator("#main-content")).to_be_hidden()
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page.locator("#main-content")).to_be_visible()
    expect(told).to_have_value("She said it was sent last night ABC")
    expect(told).to_be_focused()


def test_the_case_page_hides_and_the_sharing_form_records_a_decision(
    page, live_server, login, axe, world
):
    incident = factories.IncidentFactory(school=world.school)
    login(world.dsl)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.get_by_role("button", name="Hide this page").click()
    expect(page.locator("#main-content")).to_be_hidden()
    page.get_by_role("button", name="Show the page again").click()
    page.get_by_role("link", name="Record an information sharing decision").click()
    axe("the information sharing form")
    page.get_by_label("Shared", exact=True).check()
    page.get_by_label("Another school or college").check()
    page.get_by_label("Name and organisation").fill("DSL, Northfield High")
    page.get_by_label("What information").fill("That a concern was managed in school.")
    page.get_by_label("Why: the reasons for the decision").fill("She has moved to Northfield.")
    page.get_by_label("Consent was not sought", exact=True).check()
    page.get_by_label("Why consent was not sought").fill("The file moves with the pupil.")
    page.get_by_label("Public task").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#sharing-decisions")).to_contain_text("DSL, Northfield High")
    axe("the incident page with its sharing log")
