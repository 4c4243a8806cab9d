"""Issue 14 in the browser: a dashboard group longer than its cap, its 'see all' list, and the
inspection report in pages. Each page passes axe."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import ReportFlood

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_long_group_shows_its_first_cases_and_links_to_all_of_them(
    page, live_server, login, axe, world, settings
):
    settings.DASHBOARD_CASES_PER_GROUP = 2
    now = timezone.now()
    waiting = [
        factories.IncidentFactory(
            school=world.school, reported_at=now - datetime.timedelta(hours=5 - i)
        )
        for i in range(3)
    ]
    flood = ReportFlood.objects.create(
        school=world.school, reporter=world.staff, started_at=now, last_report_at=now
    )
    for _ in range(3):
        factories.IncidentFactory(school=world.school, flood=flood)
    login(world.dsl)
    group = page.locator("#awaiting-review")
    expect(group.locator("tbody tr")).to_have_count(2)
    expect(group).not_to_contain_text(waiting[2].reference)
    page.get_by_text("The 3 reports awaiting review").click()  # the notice's list, opened
    axe("the dashboard with a group and a notice longer than the cap")
    group.get_by_role("link", name="See all 6").click()
    expect(page.get_by_label("What happens next")).to_have_value("awaiting-review")
    for incident in waiting:
        expect(page.locator("#incidents")).to_contain_text(incident.reference)
    axe("the incident list filtered to a dashboard group")


def test_the_inspection_report_pages_through_its_incidents(page, live_server, login, axe, world):
    factories.IncidentFactory.create_batch(52, school=world.school, reported_by=world.staff)
    login(world.dsl)
    page.goto(live_server.url + reverse("inspection_report"))
    expect(page.locator("#inspection tbody tr")).to_have_count(50)
    axe("the inspection report's first page")
    page.get_by_role("link", name="Next").first.click()
    expect(page.locator("#inspection tbody tr")).to_have_count(2)
    expect(page.get_by_text("52 incidents disclosed")).to_be_visible()
    axe("the inspection report's second page")
