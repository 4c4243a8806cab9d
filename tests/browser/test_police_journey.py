"""Issue 13 item 2 in the browser: the police tell the school; the incident starts referred
("police already involved") and is closed without the DSL choosing refer or manage."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, Stage

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_police_initiated_incident_is_closed_without_a_manual_decision(
    page, live_server, login, world
):
    factories.PupilFactory(school=world.school, first_name="Morgan", last_name="Synthetic")
    login(world.staff)
    page.get_by_role("link", name="Report a concern").first.click()
    page.get_by_label("The police").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Who received the disclosure?").fill("School office")
    page.get_by_label("What were you told?").fill("PC Jones rang about an image of Morgan.")
    page.get_by_label("Search the roster: name or UPN").fill("morgan")
    page.get_by_role("button", name="Find pupils").click()
    page.get_by_label("Morgan Synthetic").check()
    page.get_by_label("Pictured in the imagery").check()
    page.get_by_role("button", name="Send to the safeguarding team").click()
    reference = page.locator("#reference").inner_text()

    login(world.dsl)
    # On the dashboard it is both referred and missing its crime reference: two links.
    page.get_by_role("link", name=reference).first.click()
    expect(page.locator("#stage")).to_contain_text("Referred")
    expect(page.get_by_text("Referred: police already involved")).to_be_visible()
    expect(page.get_by_role("link", name="Decide: refer or manage in school")).to_have_count(0)

    page.get_by_role("link", name="Parents and carers").click()
    page.get_by_label("Young person", exact=True).select_option(label="Morgan Synthetic")
    page.get_by_label("Informed", exact=True).check()
    page.get_by_label("By whom").fill("DSL")
    page.get_by_label("Who was told (name and relationship)").fill("Mother")
    page.get_by_label("How", exact=True).select_option(label="By phone")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Close the incident").click()
    expect(page.get_by_text("No decision is recorded")).to_have_count(0)
    page.get_by_label("Outcome summary").fill("Police led; parents informed; closed.")
    page.get_by_role("button", name="Close the incident").click()
    expect(page.locator("#stage")).to_contain_text("Closed")
    incident = Incident.objects.get(reference=reference)
    assert incident.stage == Stage.CLOSED
    assert incident.decisions.get().reason.startswith("Referred: police already involved")


def test_a_deletion_asked_for_before_a_police_referral_is_frozen_on_the_page(
    page, live_server, login, world, managed, axe
):
    """R16 (issue 13): asked to delete while managed in school; then the police are told. The
    request is on hold on the incident page, not offered for confirming, and a confirmation
    sent anyway is refused with why."""
    import datetime

    from django.utils import timezone

    from incidents import services as incidents
    from records import services as records
    from records.models import DeletionRequest

    pupil = managed.people.filter(pupil__isnull=False).get()
    deletion = records.request_deletion(
        managed,
        world.dsl,
        young_person=pupil,
        asked_at=timezone.now() - datetime.timedelta(hours=2),
        deadline=timezone.localdate(),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    login(world.dsl)
    page.goto(f"{live_server.url}{managed.get_absolute_url()}")
    expect(page.locator("#deletions").get_by_role("link", name="Confirm")).to_be_visible()

    incidents.decide_refer(
        managed,
        world.deputy_dsl,
        agency="police_101",
        made_at=timezone.now() - datetime.timedelta(minutes=5),
        reason="The other young person is 19.",
    )
    page.reload()
    deletions = page.locator("#deletions")
    expect(deletions).to_contain_text("on hold: the police are involved")
    expect(deletions.get_by_role("link", name="Confirm")).to_have_count(0)
    axe("incident page with a deletion on hold")

    page.goto(f"{live_server.url}/incidents/{managed.pk}/deletions/{deletion.pk}/confirm/")
    page.get_by_label("How it was confirmed").fill("Shown each app")
    page.get_by_label("Who witnessed it").fill("Head of year")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Tell the young person not to delete it")).to_be_visible()
    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.PENDING
