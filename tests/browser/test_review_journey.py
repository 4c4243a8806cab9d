"""The decision procedure in the browser: made to refer by a derived criterion; managed and signed off."""

import pytest
from playwright.sync_api import expect

from incidents.models import Stage

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def answer_all_criteria_no(page):
    for c in "12345":
        page.locator(f"#id_criteria-c{c}_answer_1").check()  # "No"
        page.locator(f"#id_criteria-c{c}_note").fill(f"Discussed at the meeting ({c})")


def record_scope(page):
    form = page.locator("#facts")
    form.get_by_label("A young person creates and shares imagery of themselves").check()
    form.get_by_label("Photo").check()
    form.get_by_role("group", name="Is it real").get_by_label("Real").check()
    form.locator("#id_facts-sexual_acts_1").check()  # No
    form.get_by_role("button", name="Save scope and imagery").click()
    expect(page.get_by_text("Saved to the record.")).to_be_visible()


def test_a_derived_adult_makes_the_dsl_refer(page, live_server, login, world):
    incident = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(
        incident=incident, name="Jo Pictured", age=15, roles=["pictured", "sender"]
    )
    factories.InvolvedPersonFactory(
        incident=incident, name="Recipient online", age=None, roles=["recipient"]
    )
    login(world.dsl)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.get_by_role("link", name="Start the initial review").click()
    record_scope(page)

    # The recipient's age is found out: 37. Correcting the fact is the only way it changes.
    page.get_by_role("link", name="correct Recipient online").click()
    page.get_by_label("Or their age, if known").fill("37")
    page.get_by_label("Your reason").fill("Police checked the account")
    page.get_by_role("button", name="Save").click()

    form = page.locator("#criteria-form")
    expect(form.locator("#derived-1")).to_contain_text(
        "Involves an adult: Recipient online (received it), aged 37"
    )
    answer_all_criteria_no(page)
    form.get_by_role("button", name="Save the criteria").click()
    expect(page.locator("#criterion-1")).to_contain_text("Yes")

    page.get_by_role("link", name="make the decision").click()
    expect(page.locator("#must-refer")).to_contain_text("1. The incident involves an adult")
    expect(page.locator("#manage")).to_have_count(0)
    refer = page.locator("#refer")
    refer.get_by_label("Police (101)").check()
    refer.get_by_label("Why (and, for an escalation, what has changed)").fill(
        "Adult recipient, aged 37"
    )
    refer.get_by_role("button", name="Record the referral").click()
    expect(page.locator("#stage")).to_contain_text("Referred")
    incident.refresh_from_db()
    assert incident.stage == Stage.REFERRED


def test_the_dsl_manages_in_school_and_the_headteacher_signs_off(page, live_server, login, world):
    incident = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(
        incident=incident, name="Sam Pictured", age=15, roles=["pictured", "sender"]
    )
    factories.InvolvedPersonFactory(
        incident=incident, name="Alex Partner", age=15, roles=["recipient"]
    )
    login(world.dsl)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/review/")
    record_scope(page)
    answer_all_criteria_no(page)
    page.locator("#criteria-form").get_by_role("button", name="Save the criteria").click()
    expect(page.get_by_text("Saved to the record.")).to_be_visible()

    page.goto(f"{live_server.url}/incidents/{incident.pk}/decide/")
    manage = page.locator("#manage")
    manage.get_by_label("Why are you confident").fill(
        "Both 15, in a relationship; image deleted; parents told."
    )
    manage.get_by_role("button", name="Decide to manage in school").click()
    expect(page.locator("#stage")).to_contain_text("awaiting sign-off")

    login(world.headteacher)
    page.locator("#to-sign").get_by_role("link", name=incident.reference).click()
    expect(
        page.get_by_text("Both 15, in a relationship; image deleted; parents told.")
    ).to_be_visible()
    page.get_by_label("Your reason, or what the DSL should do if you send it back").fill(
        "Proportionate. Agreed."
    )
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".sign-off")).to_contain_text("Headteacher")
    expect(page.locator(".sign-off")).to_contain_text("Proportionate. Agreed.")
    expect(page.locator("#stage")).not_to_contain_text("awaiting sign-off")
