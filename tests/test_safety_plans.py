"""R43: where the pictured child and one who made or shared the imagery attend the same school,
a safety plan is asked for, its reviews are chased, and it is on the dashboard while open."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Notification
from incidents.tasks import sweep

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def both_here(world, time_machine):
    """Sam (pictured) and Alex (sent it on) are both on Hillside's roll; Kim, who received it, is
    too; Jo, who shared it as well, is at Meadowbank."""
    time_machine.move_to(MONDAY, tick=False)
    return pair_at(world)


def pair_at(world):
    incident = IncidentFactory(school=world.school)

    def pupil(first, roles, school=world.school):
        p = PupilFactory(school=school, first_name=first, last_name="Synthetic")
        return InvolvedPersonFactory(incident=incident, pupil=p, name="", roles=roles)

    incident.sam = pupil("Sam", ["pictured", "sender"])
    incident.alex = pupil("Alex", ["sharer"])
    incident.kim = pupil("Kim", ["recipient"])
    incident.jo = pupil("Jo", ["sharer"], school=world.other_school)
    return incident


def plan_for(incident, user, **kw):
    return services.record_safety_plan(
        incident,
        user,
        **{
            "pictured": incident.sam,
            "other": incident.alex,
            "arrangements": "Different form groups; separate lunch sittings",
            "who_knows": "DSL, heads of year, form tutors",
            "support_pictured": "Weekly check-in with the school counsellor",
            "support_other": "Education on consent with the PSHE lead",
            "review_on": timezone.localdate() + 7 * DAY,
        }
        | kw,
    )


def test_it_asks_for_a_plan_only_for_the_pictured_child_and_a_sharer_both_in_this_school(
    world, both_here
):
    needed = services.safety_plans_needed(both_here)
    assert [(a.display_name, b.display_name) for a, b in needed] == [
        ("Sam Synthetic", "Alex Synthetic")
    ]
    with pytest.raises(ValidationError, match="both pupils at this school"):
        plan_for(both_here, world.dsl, other=both_here.kim)
    plan = plan_for(both_here, world.dsl)
    assert services.safety_plans_needed(both_here) == []
    assert plan.history.count() == 1
    with pytest.raises(ValidationError, match="already have a safety plan"):
        plan_for(both_here, world.dsl)


def test_a_case_is_not_closed_while_a_plan_is_needed_or_open(world, both_here):
    blockers = services.closing_blockers(both_here)
    assert any("Record a safety plan for Sam Synthetic and Alex Synthetic" in b for b in blockers)
    plan = plan_for(both_here, world.dsl)
    assert any("is open: review it" in b for b in services.closing_blockers(both_here))
    services.review_safety_plan(
        plan, world.dsl, reviewed_at=timezone.now(), note="Alex has left the school", end=True
    )
    assert not any("afety plan" in b for b in services.closing_blockers(both_here))


def test_its_reviews_are_chased_once_per_interval_until_reviewed(
    world, both_here, time_machine, settings
):
    settings.CHASE_INTERVAL_DAYS = 1
    plan = plan_for(both_here, world.dsl, review_on=timezone.localdate() + DAY)

    def chased(role="dsl"):
        return Notification.objects.filter(
            kind=Notification.Kind.SAFETY_PLAN_REVIEW, recipient=getattr(world, role)
        ).count()

    time_machine.move_to(MONDAY + DAY, tick=False)
    sweep()
    assert chased() == 0, "due today, not yet late"
    time_machine.move_to(MONDAY + 2 * DAY, tick=False)
    sweep()
    sweep()
    assert (chased(), chased("deputy_dsl"), chased("headteacher")) == (1, 1, 0)
    time_machine.move_to(MONDAY + 3 * DAY, tick=False)
    sweep()
    assert chased() == 2
    services.review_safety_plan(
        plan,
        world.dsl,
        reviewed_at=timezone.now(),
        note="Working; keep separate lunches",
        next_review_on=timezone.localdate() + 14 * DAY,
    )
    time_machine.move_to(MONDAY + 10 * DAY, tick=False)
    sweep()
    assert chased() == 2


def test_an_open_plan_is_on_the_dashboard_and_on_the_page(client, world, both_here):
    client.force_login(world.dsl)
    page = client.get(both_here.get_absolute_url()).text
    assert "both attend this school: record a safety plan" in page
    review_on = timezone.localdate() + 7 * DAY
    response = client.post(
        reverse("safety_plan_add", args=[both_here.pk]),
        {
            "pair": f"{both_here.sam.pk}-{both_here.alex.pk}",
            "arrangements": "Different form groups",
            "who_knows": "DSL and heads of year",
            "support_pictured": "Counsellor",
            "support_other": "PSHE lead",
            "review_on_day": review_on.day,
            "review_on_month": review_on.month,
            "review_on_year": review_on.year,
        },
    )
    assert response.status_code == 302, response.text
    dashboard = client.get(reverse("dashboard")).text
    assert "Safety plans in place" in dashboard
    assert f"review by {review_on:%-d %b %Y}" in dashboard
    client.force_login(world.other_dsl)
    assert "Safety plans in place" not in client.get(reverse("dashboard")).text


def test_the_dashboard_lists_the_first_plans_to_review_and_how_many_there_are(
    client, world, both_here, settings
):
    settings.DASHBOARD_PANEL_ROWS = 2
    plans = {
        days: plan_for(incident, world.dsl, review_on=timezone.localdate() + days * DAY)
        for days, incident in ((9, both_here), (3, pair_at(world)), (5, pair_at(world)))
    }
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    listed = page.split('id="open-safety-plans"')[1].split("</ul>")[0]
    first = plans[3]
    link = reverse("incident_detail", args=[first.incident_id]) + f"#safety-plan-{first.pk}"
    assert f'href="{link}">{first.incident.reference}</a>' in listed
    assert [d in listed for d in ("19 Nov 2026", "21 Nov 2026", "25 Nov 2026")] == [
        True,
        True,
        False,
    ]
    assert "2 of 3 are shown, the first to review first." in page
