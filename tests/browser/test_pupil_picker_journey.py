"""Issue 21 item 4 with JavaScript: a pupil is found as one types, chosen with the keyboard, and
another person is added without the page being sent (static/js/pupil-picker.js, add-person.js)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents.models import Incident

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(page):
    """The page's script errors and its loads of a new document, as they happen."""
    seen = {"errors": [], "loads": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on(
        "framenavigated",
        lambda frame: seen["loads"].append(frame.url) if frame == page.main_frame else None,
    )
    return seen


def test_staff_pick_pupils_with_the_keyboard_and_add_a_person_in_place(
    page, live_server, login, world, axe, watched
):
    lucja = factories.PupilFactory(
        school=world.school, first_name="Łucja", last_name="Wiśniewska", year_group="Year 9"
    )
    morgan = factories.PupilFactory(
        school=world.school, first_name="Morgan", last_name="Synthetic", year_group="Year 10"
    )
    factories.PupilFactory(school=world.other_school, first_name="Łucja", last_name="Nowak")
    login(world.staff)
    page.goto(live_server.url + reverse("report_concern"))
    page.get_by_label("The young person themselves").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Who received the disclosure?").fill("Ms Tutor")
    page.get_by_label("What were you told?").fill("A photo was shared in a group chat.")

    box = page.locator("#id_person-0-pupil_query")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("lucja", delay=30)
    found = page.get_by_role("listbox", name="Pupils found")
    expect(found).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(found.get_by_role("option")).to_have_text(["Łucja Wiśniewska, Year 9"])  # not Nowak
    expect(page.locator("#id_person-0-pupil_query-status")).to_have_text("1 result is available.")
    axe("the report page with the list of pupils open")

    box.press("ArrowDown")
    option = found.get_by_role("option", name="Łucja Wiśniewska, Year 9")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "id_person-0-pupil_query-listbox-0")
    box.press("ArrowUp")  # above the first: back to the box
    expect(box).not_to_have_attribute("aria-activedescendant", "id_person-0-pupil_query-listbox-0")
    box.press("Escape")
    expect(found).to_be_hidden()
    box.press("ArrowDown")  # opens the list again
    box.press("ArrowDown")
    box.press("Enter")  # chooses her; the report is not sent
    expect(found).to_be_hidden()
    expect(box).to_have_value("Łucja Wiśniewska")
    expect(page.locator("#id_person-0-pupil")).to_have_value(str(lucja.pk))
    expect(page.locator("#id_person-0-pupil-chosen")).to_have_text(
        "Pupil chosen: Łucja Wiśniewska, Year 9"
    )
    page.locator("#person-1").get_by_label("Pictured in the imagery").check()

    # Another person, without the page being sent: what was typed stays, the focus moves on.
    page.evaluate("window.ypsiSamePage = true")
    watched["loads"].clear()
    page.get_by_role("button", name="Add another person").click()
    second = page.locator("#person-2")
    expect(second.locator(":scope > legend")).to_have_text("Person 2")
    expect(page.locator("#id_person-1-pupil_query")).to_be_focused()
    expect(page.locator("#id_person-TOTAL_FORMS")).to_have_value("2")
    expect(page.locator("#add-person-status")).to_have_text("Person 2 added.")
    assert page.evaluate("window.ypsiSamePage") is True
    assert watched["loads"] == []
    expect(page.get_by_label("What were you told?")).to_have_value(
        "A photo was shared in a group chat."
    )

    page.keyboard.type("synth")  # the new person's box has the focus
    second_found = page.locator("#id_person-1-pupil_query-listbox")
    expect(second_found.get_by_role("option")).to_have_text(["Morgan Synthetic, Year 10"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_person-1-pupil")).to_have_value(str(morgan.pk))
    second.get_by_label("Received it").check()
    assert watched["loads"] == []

    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", name="Concern received")).to_be_visible()
    incident = Incident.objects.get()
    people = {p.pupil: sorted(p.roles) for p in incident.people.all()}
    assert people == {lucja: ["pictured"], morgan: ["recipient"]}
    assert watched["errors"] == []


def test_the_dsl_corrects_a_person_to_a_roster_pupil_found_as_they_type(
    page, live_server, login, world, axe, watched
):
    lucja = factories.PupilFactory(
        school=world.school, first_name="Łucja", last_name="Wiśniewska", year_group="Year 9"
    )
    incident = factories.IncidentFactory(school=world.school)
    someone = factories.InvolvedPersonFactory(
        incident=incident, name="A girl in Year 9", roles=["pictured"]
    )
    login(world.dsl)
    page.goto(live_server.url + reverse("person_edit", args=[incident.pk, someone.pk]))
    box = page.get_by_role("combobox", name="Search the roster: name or UPN")
    box.press_sequentially("wisn", delay=30)
    found = page.get_by_role("listbox", name="Pupils found")
    expect(found.get_by_role("option")).to_have_text(["Łucja Wiśniewska, Year 9"])
    axe("the person page with the list of pupils open")
    box.press("ArrowDown")
    box.press("Enter")
    # Chosen, and still a choice that can be undone, as the page shows a pupil on record.
    chosen = page.get_by_role("group", name="Pupil chosen")
    expect(chosen.get_by_label("Łucja Wiśniewska, Year 9")).to_be_checked()
    expect(chosen.get_by_label("Not a pupil here, or not known")).not_to_be_checked()
    axe("the person page with a pupil chosen")
    page.get_by_label("Or their name or a description").fill("")
    page.get_by_label("Your reason").fill("She is on the roll")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The person's details have been saved.")).to_be_visible()
    someone.refresh_from_db()
    assert someone.pupil == lucja
    assert watched["errors"] == []
