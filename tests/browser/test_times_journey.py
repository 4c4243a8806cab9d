"""Issue 21 item 7 in the browser: the question of a time the clocks showed twice, and of an age
that does not fit the year group, are asked on the report page; both pass axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def last_clocks_back() -> datetime.date:
    """The last Sunday of October before today: the night 01:00 to 01:59 happened twice."""
    today = timezone.localdate()
    year = today.year if today > datetime.date(today.year, 10, 31) else today.year - 1
    day = datetime.date(year, 10, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def test_the_report_page_asks_before_or_after_and_whether_the_age_is_right(
    page, live_server, login, axe, world
):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    page.get_by_label("The young person themselves").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    day = last_clocks_back()
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))
    page.get_by_label("At what time? (optional)").fill("1.30am")
    page.get_by_label("What were you told?").fill("He said a photo was shared that night.")
    person = page.locator("#person-1")
    person.get_by_label("Or their name or a description").fill("Sam Typed")
    person.get_by_label("Day").fill("1")
    person.get_by_label("Month").fill("9")
    person.get_by_label("Year", exact=True).fill(str(day.year - 19))
    person.get_by_label("Year group, if known").fill("Year 8")
    person.get_by_label("Sent the imagery").check()
    page.get_by_role("button", name="Send to the safeguarding team").last.click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("happened twice")
    expect(page.locator(".govuk-error-summary")).to_contain_text("in Year 8, where pupils are")
    axe("the report page asking about the clocks and the age")
    page.get_by_label("After the clocks went back (GMT)").check()
    page.get_by_label("The date of birth is right").check()
    page.get_by_role("button", name="Send to the safeguarding team").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concern received")
    incident = Incident.objects.get()
    assert timezone.localtime(incident.disclosed_at).utcoffset() == datetime.timedelta(0)
