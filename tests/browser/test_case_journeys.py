"""Whole cases in the browser: managed in school from report to close; a police referral with a
device handed over."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident, Stage
from referrals.models import CustodyEvent

from .. import factories
from .test_review_journey import complete_every_part

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fill_when(page, label, time="09:00"):
    """Yesterday at `time`: in the past whatever time the test runs."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    group.get_by_label("Time", exact=True).fill(time)


def report(page, live_server, login, world, pupil):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    page.get_by_label("The young person themselves").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("2")
    when.get_by_label("Month").fill("11")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Who received the disclosure?").fill("Mr Tutor")
    page.get_by_label("What were you told?").fill(
        "She sent a photo to her boyfriend and is worried."
    )
    page.get_by_label("Search the roster: name or UPN").fill(pupil.last_name)
    page.get_by_role("button", name="Find pupils").click()
    page.get_by_label(str(pupil)).check()
    page.get_by_label("Pictured in the imagery").check()
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", name="Concern received")).to_be_visible()
    return Incident.objects.get()


def test_a_case_managed_in_school_from_report_to_close(page, live_server, login, world):
    pupil = factories.PupilFactory(school=world.school, first_name="Robin", last_name="Synthetic")
    incident = report(page, live_server, login, world, pupil)

    login(world.dsl)
    complete_every_part(page, live_server, incident)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/decide/")
    page.locator("#manage").get_by_label("Why are you confident").fill(
        "Consensual; no wider concerns."
    )
    page.get_by_role("button", name="Decide to manage in school").click()

    login(world.headteacher)
    page.locator("#to-sign").get_by_role("link", name=incident.reference).click()
    page.get_by_label("Your reason, or what the DSL should do if you send it back").fill("Agreed.")
    page.get_by_role("button", name="Sign off").click()

    login(world.dsl)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.get_by_role("link", name="Risk assessment").click()
    page.locator("#id_young_person").select_option(label="Robin Synthetic")
    page.get_by_label("Why was the imagery shared?").fill("Within a relationship")
    page.get_by_label("Overall assessment").fill("Low risk; managed with support.")
    page.get_by_role("button", name="Save the assessment").click()

    page.get_by_role("link", name="Record a conversation").click()
    page.get_by_label("Young person", exact=True).select_option(label="Robin Synthetic")
    page.get_by_label("Who held the conversation").fill("The DSL")
    page.get_by_label("What the imagery contains, as the young person described it").fill(
        "A topless photo, as described"
    )
    page.get_by_label("Who has seen or shared it").fill("Only the boyfriend")
    page.get_by_label("How further sharing will be prevented").fill(
        "He deleted it with the DSL present"
    )
    page.get_by_role("button", name="Save").click()

    # Closing now is refused, with what is missing.
    page.get_by_role("link", name="Close the incident").click()
    expect(page.locator("#blockers")).to_contain_text("Parents or carers of Robin Synthetic")

    page.goto(f"{live_server.url}/incidents/{incident.pk}/parents/add/")
    page.get_by_label("Young person", exact=True).select_option(label="Robin Synthetic")
    page.get_by_label("Informed", exact=True).check()
    page.get_by_label("By whom").fill("The DSL")
    page.get_by_label("Who was told (name and relationship)").fill("Her mother")
    page.get_by_label("How", exact=True).select_option(
        label="The young person was supported to tell them"
    )
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Education").check()
    page.get_by_label("What will be done").fill("Session on consent and sharing")
    page.get_by_label("Owner").select_option(label=str(world.deputy_dsl))
    due = page.get_by_role("group", name="Due by")
    due.get_by_label("Day").fill("30")
    due.get_by_label("Month").fill("11")
    due.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Add the action").click()
    page.get_by_role("link", name="Mark done").click()
    page.get_by_label("Outcome").fill("Delivered to the tutor group")
    page.get_by_role("button", name="Mark as done").click()

    page.get_by_role("link", name="Close the incident").click()
    expect(page.locator("#blockers")).to_have_count(0)
    page.get_by_label("Outcome summary").fill("Managed in school; support and education given.")
    page.get_by_role("button", name="Close the incident").click()
    expect(page.locator("#stage")).to_contain_text("Closed")

    page.get_by_role("link", name="Chronology").click()
    chronology = page.locator("#chronology")
    for text in (
        "Concern reported",
        "Decision: manage in school",
        "Signed off (Headteacher)",
        "Conversation with Robin Synthetic",
        "Parents informed: Robin Synthetic",
        "Action done: Session on consent and sharing",
        "Closed: Managed in school",
    ):
        expect(chronology).to_contain_text(text)
    incident.refresh_from_db()
    assert incident.stage == Stage.CLOSED


def test_a_police_referral_with_a_device_handed_over(page, live_server, login, world):
    incident = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(
        incident=incident, name="Pupil Pictured", age=14, roles=["pictured"]
    )
    factories.InvolvedPersonFactory(
        incident=incident, name="Adult Sender", age=31, roles=["sender"]
    )
    login(world.dsl)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/decide/")
    refer = page.locator("#refer")
    refer.get_by_label("Police (101)").check()
    refer.get_by_label("Why (and, for an escalation, what has changed)").fill(
        "An adult sent the imagery"
    )
    refer.get_by_role("button", name="Record the referral").click()
    expect(page.locator(".referral")).to_contain_text("crime reference number missing")
    expect(page.locator("#evidence")).to_contain_text("Evidence is preserved")

    page.get_by_role("link", name="Record a device confiscated").click()
    page.get_by_label("The device").fill("Black phone in a blue case")
    page.get_by_label("Whose device it is").fill("Pupil Pictured")
    page.get_by_label("Taken from").fill("Pupil Pictured")
    page.get_by_label("Why").fill("It holds the messages from the adult")
    fill_when(page, "When was it confiscated?", "08:00")
    page.get_by_role("button", name="Save").click()

    def step(kind, time, **fields):
        page.get_by_role("link", name="Record the next step").click()
        page.get_by_label(kind, exact=True).check()
        fill_when(page, "When", time)
        for label, value in fields.items():
            page.get_by_label(label).fill(value)
        page.get_by_role("button", name="Save").click()

    # Out of order is refused, and what was typed stays.
    page.get_by_role("link", name="Record the next step").click()
    page.get_by_label("Handed to the police", exact=True).check()
    page.get_by_label("Police officer's name").fill("PC Example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot have a gap")).to_be_visible()
    expect(page.get_by_label("Police officer's name")).to_have_value("PC Example")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")

    step("Turned off", "08:01")
    step("Locked away", "08:05", **{"Where it is locked away": "Headteacher's safe"})
    step(
        "Handed to the police",
        "09:00",
        **{
            "Police officer's name": "PC Example",
            "Police officer's number": "4321",
            "Police reference": "CR/555/26",
        },
    )
    chain = page.locator(".device")
    for text in (
        "Confiscated",
        "Turned off",
        "Locked away",
        "Headteacher's safe",
        "Handed to the police",
        "PC Example (no. 4321)",
    ):
        expect(chain).to_contain_text(text)

    page.get_by_role("link", name="Add the reference or response").click()
    page.get_by_label("Crime or case reference number").fill("CR/555/26")
    page.get_by_label("Why are you changing this?").fill("Given by the officer at collection")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".referral")).not_to_contain_text("crime reference number missing")
    assert CustodyEvent.objects.count() == 4
