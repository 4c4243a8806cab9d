"""The first journey: a member of staff reports a concern; the DSL signs in and reads it."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_staff_report_a_concern_and_the_dsl_reads_it(page, live_server, login, world, axe):
    factories.PupilFactory(school=world.school, first_name="Morgan", last_name="Synthetic")
    login(world.staff)
    page.get_by_role("link", name="Report a concern").first.click()

    page.get_by_label("A friend of the young person").check()
    page.get_by_label("Who told you? (optional)").fill("A friend in Year 9")
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Who received the disclosure?").fill("Ms Tutor")
    # Submit with the account missing: the error is shown and nothing typed is lost.
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Who received the disclosure?")).to_have_value("Ms Tutor")

    page.get_by_label("What were you told?").fill("Morgan's photo was shared in a group chat.")
    page.get_by_label("Search the roster: name or UPN").fill("morgan")
    page.get_by_role("button", name="Find pupils").click()
    # The pupils found are radios for this person; everything typed is still there.
    expect(page.get_by_label("What were you told?")).to_have_value(
        "Morgan's photo was shared in a group chat."
    )
    axe("the report page with pupils found")
    page.get_by_label("Morgan Synthetic").check()
    page.get_by_label("Pictured in the imagery").check()
    page.get_by_role("button", name="Add another person").click()
    page.locator("#id_person-1-name").fill("Older boy, unknown school")
    page.locator("#id_person-1-age_band").select_option("18_plus")
    page.locator("#id_person-1-roles_4").check()  # Received it
    page.get_by_role("button", name="Send to the safeguarding team").click()

    expect(page.get_by_role("heading", name="Concern received")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    expect(page.get_by_text("group chat")).to_have_count(0)
    # The new concern reaches the DSL and the deputy. An adult is involved, so a referral is
    # required (R37): they are alerted of that at once too.
    subjects = {}
    for m in mail.outbox:
        subjects.setdefault(m.subject.split(" (")[0], []).append(m.to[0])
    assert {k: sorted(v) for k, v in subjects.items()} == {
        k: sorted([world.dsl.email, world.deputy_dsl.email]) for k in subjects
    }
    assert len(subjects) == 2

    login(world.dsl)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Incident {reference}")).to_be_visible()
    expect(page.get_by_text("Morgan's photo was shared in a group chat.")).to_be_visible()
    people = page.locator("#people")
    expect(people).to_contain_text("Morgan Synthetic")
    expect(people).to_contain_text("Older boy, unknown school")
    expect(people).to_contain_text("18 and over")
