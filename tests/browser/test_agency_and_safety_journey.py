"""R37, R38 and R43 in the browser: a referral required and not made heads the dashboard; the DSL
records social care's acknowledgement and an escalation, and sees how long a case has waited on
the agency; a safety plan asked for, recorded and reviewed. Every page passes axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.services import urgency

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_dsl_records_what_the_agency_sent_back_and_escalates(
    page, live_server, login, axe, world
):
    referred = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(incident=referred, name="Pictured", age=15)
    services.decide_refer(
        referred,
        world.dsl,
        agency="csc",
        made_at=timezone.now() - datetime.timedelta(hours=2),
        reason="Coercion",
    )
    urgent = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(incident=urgent, name="Child", age=15, roles=["pictured"])
    factories.InvolvedPersonFactory(incident=urgent, name="Adult", age=40, roles=["sender"])
    urgency.check(urgent.pk)

    login(world.dsl)
    overdue = page.locator("#overdue")
    expect(overdue.locator("tbody tr").first).to_contain_text(urgent.reference)
    expect(overdue).to_contain_text("Referral required and not made")
    expect(page.locator("#referred")).to_contain_text(
        "Waiting on Children's social care for its acknowledgement: referred 2 hours ago"
    )
    axe("the dashboard with a referral required and a case waiting on an agency")

    page.get_by_role("link", name=referred.reference).click()
    expect(page.locator(".referral-acknowledgement")).to_contain_text("Not yet: expected by")
    axe("the incident page with the referral's expected dates")
    page.get_by_role("link", name="Record the acknowledgement").click()
    axe("the acknowledgement form")
    page.get_by_label("Who acknowledged it (name and role)").fill("Duty social worker")
    page.get_by_role("button", name="Record the acknowledgement").click()
    expect(page.locator(".referral-acknowledgement")).to_contain_text("by Duty social worker")

    page.get_by_role("link", name="Escalate (professional disagreement)").click()
    axe("the escalation form")
    page.get_by_label("Escalated to (name and role)").fill("Team manager, Front Door")
    page.get_by_label("Why: the disagreement").fill("The sharing continues after no action")
    page.get_by_role("button", name="Record the escalation").click()
    escalations = page.locator(".referral-escalations")
    expect(escalations).to_contain_text("to Team manager, Front Door")
    page.get_by_role("link", name="Record the outcome").first.click()
    axe("the escalation outcome form")
    page.get_by_label("The outcome", exact=True).fill("Strategy meeting agreed")
    page.get_by_role("button", name="Record the outcome").click()
    expect(escalations).to_contain_text("Outcome: Strategy meeting agreed")
    axe("the incident page with the acknowledgement and the escalation")


def test_a_safety_plan_is_asked_for_recorded_reviewed_and_on_the_dashboard(
    page, live_server, login, axe, world
):
    incident = factories.IncidentFactory(school=world.school)
    for first, roles in (("Sam", ["pictured"]), ("Alex", ["sharer"])):
        pupil = factories.PupilFactory(
            school=world.school, first_name=first, last_name="Synthetic"
        )
        factories.InvolvedPersonFactory(incident=incident, pupil=pupil, name="", roles=roles)

    login(world.dsl)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.locator(".safety-plan-needed")).to_contain_text(
        "Sam Synthetic (pictured) and Alex Synthetic (made or shared the imagery) both attend"
    )
    axe("the incident page asking for a safety plan")
    page.get_by_role("link", name="Record a safety plan").click()
    axe("the safety plan form")
    page.get_by_label("Sam Synthetic (pictured) and Alex Synthetic").check()
    page.get_by_label("What is arranged to keep them apart").fill("Separate lunch sittings")
    page.get_by_label("Who knows about the plan").fill("DSL and heads of year")
    page.get_by_label("Support for the pictured young person").fill("Counsellor weekly")
    page.get_by_label("Support for the young person who made").fill("PSHE lead")
    review_on = timezone.localdate() + datetime.timedelta(days=14)
    when = page.get_by_role("group", name="When will the plan be reviewed?")
    when.get_by_label("Day").fill(str(review_on.day))
    when.get_by_label("Month").fill(str(review_on.month))
    when.get_by_label("Year").fill(str(review_on.year))
    page.get_by_role("button", name="Save the safety plan").click()
    plan = page.locator(".safety-plan")
    expect(plan).to_contain_text("Separate lunch sittings")
    expect(page.locator(".safety-plan-needed")).to_have_count(0)

    page.get_by_role("link", name="Review the safety plan for Sam Synthetic").click()
    axe("the safety plan review form")
    page.get_by_label("What was reviewed, and what changed").fill("Working well")
    nxt = page.get_by_role("group", name="Next review (unless the plan ends)")
    later = review_on + datetime.timedelta(days=14)
    nxt.get_by_label("Day").fill(str(later.day))
    nxt.get_by_label("Month").fill(str(later.month))
    nxt.get_by_label("Year").fill(str(later.year))
    page.get_by_role("button", name="Save the review").click()
    expect(plan).to_contain_text("Working well")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#open-safety-plans")).to_contain_text(
        f"Sam Synthetic and Alex Synthetic, review by {later:%-d %b %Y}"
    )
    axe("the dashboard with a safety plan in place")
