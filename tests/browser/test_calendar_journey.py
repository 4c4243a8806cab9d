"""Issue 20 in the browser: the school administrator enters the term dates, and the DSL's
deletion deadline is counted across the half-term between them, and says so.

"Today" is Friday 23 October 2026, the last day before half-term (time-machine, ticking, so the
live server and the page see the same day). The cookies are kept for the browser's session, as
in production, so Chromium's own clock does not expire them.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

D = datetime.date


def fill_date(form, label, day: datetime.date):
    group = form.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def enter_term(page, name, first, last):
    form = page.locator("#term-form")
    form.get_by_label("Name of the term").fill(name)
    fill_date(form, "First day of the term", first)
    fill_date(form, "Last day of the term", last)
    form.get_by_role("button", name="Save the term").click()
    expect(page.get_by_text(f"{name} has been entered.")).to_be_visible()


def test_an_administrator_enters_term_dates_and_the_dsl_sees_a_deadline_across_half_term(
    page, live_server, login, world, managed, settings, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 10, 23, 10, tzinfo=ZoneInfo("Europe/London")))
    settings.CSRF_COOKIE_AGE = None

    login(world.administrator)
    page.get_by_role("link", name=f"Term dates and closures: {world.school}").click()
    expect(page.locator("#terms")).to_contain_text("No term dates are entered")
    enter_term(page, "Autumn term 1", D(2026, 9, 3), D(2026, 10, 23))
    enter_term(page, "Autumn term 2", D(2026, 11, 2), D(2026, 12, 18))
    expect(page.locator("#terms")).to_contain_text("Autumn term 1")
    expect(page.locator("#terms")).to_contain_text("Autumn term 2")

    login(world.dsl)
    page.goto(f"{live_server.url}{managed.get_absolute_url()}")
    page.get_by_role("link", name="Ask a young person to delete it").click()
    page.get_by_label("Young person", exact=True).select_option(label="Riley Roster")
    page.get_by_label("Asked to delete it from every device").check()
    page.get_by_label("Told that possessing the imagery is illegal").check()
    page.get_by_label("Told that refusing to delete it means the police").check()
    page.get_by_label("Deadline in school days").fill("3")
    page.get_by_role("button", name="Save").click()

    # Not Wednesday 28 October, in the holiday: Monday 2 November is the 1st school day after it.
    deletions = page.locator("#deletions")
    expect(deletions).to_contain_text("deadline 4 Nov 2026")
    expect(deletions).to_contain_text(
        "3 school days from 23 October 2026, skipping the half-term holiday (26 to 30 October "
        "2026): the 3rd school day of Autumn term 2."
    )
    expect(deletions).not_to_contain_text("provisional", ignore_case=True)
