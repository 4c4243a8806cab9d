"""Issue 20 in the browser: the school administrator enters the term dates, and the DSL's
deletion deadline is counted across the half-term between them, and says so."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from records.schooldays import deadline_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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
    page, live_server, login, world, managed
):
    # Today is the last day of a term, and a week's half-term follows: whatever day the test runs.
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    login(world.administrator)
    page.get_by_role("link", name=f"Term dates and closures: {world.school}").click()
    expect(page.locator("#terms")).to_contain_text("No term dates are entered")
    enter_term(page, "Term A", today - 40 * day, today)
    enter_term(page, "Term B", today + 10 * day, today + 70 * day)
    expect(page.locator("#terms")).to_contain_text("Term A")
    expect(page.locator("#terms")).to_contain_text("Term B")

    login(world.dsl)
    page.goto(f"{live_server.url}{managed.get_absolute_url()}")
    page.get_by_role("link", name="Ask a young person to delete it").click()
    page.get_by_label("Young person", exact=True).select_option(label="Riley Roster")
    page.get_by_label("Asked to delete it from every device").check()
    page.get_by_label("Told that possessing the imagery is illegal").check()
    page.get_by_label("Told that refusing to delete it means the police").check()
    page.get_by_label("Deadline in school days").fill("3")
    page.get_by_role("button", name="Save").click()

    world.school.refresh_from_db()  # its calendar was made by the administrator's first term
    expected = deadline_for(world.school, today, 3)
    assert expected.date > today + 10 * day  # counted in Term B, after the holiday
    deletions = page.locator("#deletions")
    expect(deletions).to_contain_text(f"deadline {expected.date:%-d %b %Y}")
    expect(deletions).to_contain_text(f"3 school days from {today:%-d %B %Y}, skipping ")
    expect(deletions).to_contain_text(expected.note)
