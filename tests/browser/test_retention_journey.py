"""Retention in the browser (R32, R40): a record falls due, the DSL reviews it and proposes
disposal naming the rule, the headteacher agrees, and the record's content is withheld."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Stage
from records import retention

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def old_case(world):
    """Closed 30 years ago; its only young person, born in 1996, turned 25 in 2021."""
    long_ago = timezone.now() - datetime.timedelta(days=365 * 30)
    incident = factories.IncidentFactory(
        school=world.school, stage=Stage.CLOSED, disclosed_at=long_ago, closed_at=long_ago
    )
    factories.InvolvedPersonFactory(
        incident=incident,
        name="Jordan Oldcase",
        date_of_birth=datetime.date(1996, 3, 1),
        roles=["pictured"],
    )
    assert retention.list_due() == 1
    return incident


def test_a_record_due_is_reviewed_and_disposed_of_with_the_headteachers_agreement(
    page, live_server, login, world, old_case
):
    login(world.dsl)
    due = page.locator("#retention-due")
    expect(due).to_contain_text(old_case.reference)
    due.get_by_role("link", name=old_case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retention review")
    expect(page.get_by_label("Keep the record")).to_be_checked()  # the default
    page.get_by_label("Propose disposal").check()
    page.get_by_label("If disposed of: the rule applied").select_option(
        label=("IRMS: keep to the 25th birthday of the youngest young person, then review")
    )
    page.get_by_label("Reason").fill("IRMS: the youngest is over 25; no agency or claim.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#disposals")).to_contain_text("Proposed")

    login(world.headteacher)
    page.locator("#disposals-to-agree").get_by_role("link", name=old_case.reference).click()
    expect(page.locator("#main-content")).to_contain_text("IRMS: the youngest is over 25")
    page.get_by_label("Yes: dispose of the record").check()
    page.get_by_role("button", name="Record your decision").click()
    record = page.locator("#disposal-record")
    expect(record).to_contain_text("IRMS: keep to the 25th birthday")
    expect(record).to_contain_text(str(world.headteacher))
    expect(page.locator("#main-content")).not_to_contain_text("Jordan Oldcase")

    page.goto(f"{live_server.url}{old_case.get_absolute_url()}")
    expect(page.locator("#main-content")).to_contain_text("was disposed of")
    expect(page.locator("#main-content")).not_to_contain_text("Jordan Oldcase")
