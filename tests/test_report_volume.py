"""Issue 17 (4): one account cannot flood the safeguarding queue, and no report is lost to it.

Past REPORTS_NOTICE_PER_HOUR reports from one account in an hour the school's DSLs are told
once, the reports are grouped under that notice and share its email, and the headteacher or
administrator can suspend the account from it. Only past the ceiling is a report asked to wait,
with everything typed kept.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, Notification, ReportFlood

from .factories import IncidentFactory
from .test_intake import form_data

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def limits(settings):
    settings.REPORTS_NOTICE_PER_HOUR = 3
    settings.REPORTS_CEILING_PER_HOUR = 8
    return settings


def report(client, **overrides):
    return client.post(reverse("report_concern"), form_data(**overrides))


def test_past_the_notice_the_dsls_are_told_once_and_the_reports_are_grouped(client, world, limits):
    client.force_login(world.staff)
    for _ in range(3):
        assert report(client).status_code == 302
    dsls = {world.dsl, world.deputy_dsl}
    assert Notification.objects.filter(kind=Kind.NEW_CONCERN).count() == 3 * len(dsls)

    for _ in range(4):
        assert report(client).status_code == 302
    # Seven reports: the four past the notice send no email of their own, the notice one each.
    assert Notification.objects.filter(kind=Kind.NEW_CONCERN).count() == 3 * len(dsls)
    told = Notification.objects.filter(kind=Kind.UNUSUAL_VOLUME)
    assert {n.recipient for n in told} == dsls
    flood = ReportFlood.objects.get()
    assert flood.reporter == world.staff
    assert flood.incidents.count() == 7  # the hour's earlier reports are grouped too

    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    assert f"An unusual number of reports from {world.staff.get_full_name()}" in page
    assert "7 awaiting review" in page
    for incident in Incident.objects.all():
        assert incident.reference in page
    awaiting = page.split('id="awaiting-review"')[1].split("</section>")[0]
    assert "7 reports from one account are listed under the notice" in awaiting
    assert not any(i.reference in awaiting for i in Incident.objects.all()), (
        "grouped reports are not listed again one by one"
    )
    assert "Suspend" not in page, "a DSL does not suspend accounts"


def test_the_headteacher_suspends_the_account_from_the_notice_in_one_step(client, world, limits):
    client.force_login(world.staff)
    for _ in range(4):
        report(client)
    flood = ReportFlood.objects.get()

    client.force_login(world.headteacher)
    page = client.get(reverse("dashboard")).text
    assert reverse("flood_suspend", args=[flood.pk]) in page
    response = client.post(reverse("flood_suspend", args=[flood.pk]))
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert not world.staff.is_active
    flood.refresh_from_db()
    recorded = flood.history.first()
    assert (recorded.history_user, recorded.history_change_reason) == (
        world.headteacher,
        "Account suspended: an unusual number of reports",
    )
    page = client.get(reverse("dashboard")).text
    assert f"suspended by {world.headteacher}" in page
    assert Incident.objects.filter(stage="reported").count() == 4, "the reports stay"

    client.force_login(world.staff)
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))


def test_the_administrator_sees_the_notice_to_act_on_but_no_reference(client, world, limits):
    client.force_login(world.staff)
    for _ in range(4):
        report(client)
    client.force_login(world.administrator)
    page = client.get(reverse("dashboard")).text
    assert "An unusual number of reports" in page
    assert "Suspend" in page
    assert not any(i.reference in page for i in Incident.objects.all())


def test_an_hour_without_reports_ends_the_notice(client, world, limits, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
    client.force_login(world.staff)
    for _ in range(4):
        report(client)
    time_machine.shift(datetime.timedelta(hours=1, minutes=1))
    client.force_login(world.staff)  # an hour idle ends a session
    report(client)
    latest = Incident.objects.order_by("-reported_at").first()
    assert latest.flood is None
    assert Notification.objects.filter(incident=latest, kind=Kind.NEW_CONCERN).exists()


def test_past_the_ceiling_a_report_waits_with_everything_typed_kept(
    client, world, limits, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
    client.force_login(world.staff)
    for _ in range(8):
        assert report(client).status_code == 302
    time_machine.shift(datetime.timedelta(minutes=20))

    typed = "Report number nine, typed with care."
    response = report(client, account=typed, form_token="t-nine")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 40 * 60 + 1
    assert "send it again in 40 minutes" in response.text
    assert "tell your designated safeguarding lead in person" in response.text
    assert typed in response.text
    assert Incident.objects.count() == 8

    time_machine.shift(datetime.timedelta(minutes=41))
    client.force_login(world.staff)  # forty minutes idle ends a session
    assert report(client, account=typed, form_token="t-nine").status_code == 302
    assert Incident.objects.filter(account=typed).count() == 1


def test_a_dsl_cannot_suspend_an_account(client, world, limits):
    client.force_login(world.staff)
    for _ in range(4):
        report(client)
    flood = ReportFlood.objects.get()
    client.force_login(world.dsl)
    assert client.post(reverse("flood_suspend", args=[flood.pk])).status_code == 404
    world.staff.refresh_from_db()
    assert world.staff.is_active


def test_a_report_under_the_notice_that_needs_a_referral_heads_the_overdue_group(
    client, world, limits
):
    """R37: one of many reports that needs a referral at once is not left under the notice."""
    client.force_login(world.staff)
    for _ in range(5):
        assert report(client).status_code == 302
    urgent = Incident.objects.order_by("pk").last()
    assert urgent.flood is not None
    Incident.objects.filter(pk=urgent.pk).update(referral_required_since=timezone.now())
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert urgent.reference in overdue
    assert "Referral required and not made" in overdue
    awaiting = page.split('id="awaiting-review"')[1].split("</section>")[0]
    assert "4 reports from one account are listed under the notice" in awaiting


def test_the_notice_lists_its_reports_in_the_same_queries_however_many(client, world):
    """Issue 14: what the notice shows of each report it lists (its link and when it was made)
    is read with the reports, not one report at a time."""
    flood = ReportFlood.objects.create(school=world.school, reporter=world.staff)
    client.force_login(world.dsl)

    def dashboard():
        client.get(reverse("dashboard"))  # the new reports' groups worked out and kept first
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("dashboard")).text
        return page, len(ctx.captured_queries)

    IncidentFactory.create_batch(2, school=world.school, flood=flood)
    _, few = dashboard()
    IncidentFactory.create_batch(6, school=world.school, flood=flood)
    page, many = dashboard()
    assert many == few
    for incident in Incident.objects.filter(flood=flood):
        reported = timezone.localtime(incident.reported_at).strftime("%-d %b %Y %H:%M")
        assert f"{incident.reference}</a>, {reported}" in page
