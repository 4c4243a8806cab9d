"""Issue 10 (5): the database goes away while a concern is being sent; nothing typed is lost.

The page says nothing was saved and shows what was typed; once the database is back, "Try
again" sends it and it is recorded once, however often it is sent.
"""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from playwright.sync_api import expect

from incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ACCOUNT = "She said the photo was sent round Year 10 on Friday.\nShe is frightened."


def test_the_database_goes_away_mid_report_and_the_report_is_sent_once_it_is_back(
    page, live_server, login, world, monkeypatch
):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    page.get_by_label("The young person themselves").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Who received the disclosure?").fill("Ms Tutor")
    page.get_by_label("What were you told?").fill(ACCOUNT)
    page.locator("#id_person-0-name").fill("Invented Pupil")
    page.get_by_label("Pictured in the imagery").check()

    def refuse(self):
        raise OperationalError("connection to server failed: Connection refused")

    # The live server runs in this process: every connection it opens now is refused.
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_text("Nothing you sent has been saved.")).to_be_visible()
    expect(page.get_by_text("She is frightened.")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()

    page.get_by_role("button", name="Try again").click()  # still down: still kept
    expect(page.get_by_text("Nothing you sent has been saved.")).to_be_visible()
    expect(page.get_by_text("She is frightened.")).to_be_visible()

    monkeypatch.undo()
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name="Concern received")).to_be_visible()
    incident = Incident.objects.get()
    # As any browser sends a textarea: its line breaks as CRLF, no more, no fewer.
    assert incident.account == ACCOUNT.replace("\n", "\r\n")
    assert incident.people.get().name == "Invented Pupil"

    # Back to the outage page and "Try again" once more: the same report, not a second one.
    page.go_back()
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Your report was already sent. It was recorded once.")).to_be_visible()
    assert Incident.objects.count() == 1
