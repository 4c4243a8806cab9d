"""The DSL's incident list and dashboard: filters, pages, and what needs their action first.

Every list that grows comes in pages whose cost does not depend on the page (issue 14).
"""

import datetime
import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.permissions import has_school_perm, request_scope, scoped
from incidents.models import Action, Incident
from records.models import AccessLog
from referrals.models import Referral

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    return client.get(reverse("incident_list"), params).text


def test_it_filters_by_stage_school_overdue_and_young_person(client, world):
    reported = IncidentFactory(school=world.school)
    referred = IncidentFactory(school=world.school, stage="referred")
    theirs = IncidentFactory(school=world.other_school)
    pupil = PupilFactory(school=world.school, first_name="Quinn", last_name="Findable")
    InvolvedPersonFactory(incident=referred, pupil=pupil, name="")
    InvolvedPersonFactory(incident=reported, name="Someone Else")
    Action.objects.create(
        incident=reported,
        kind="support",
        description="x",
        owner=world.dsl,
        due=timezone.localdate() - datetime.timedelta(days=1),
    )
    Action.objects.create(
        incident=referred,
        kind="support",
        description="y",
        owner=world.dsl,
        due=timezone.localdate() + datetime.timedelta(days=1),
    )
    client.force_login(world.trust_lead)

    def refs(**params):
        page = listed(client, **params)
        return {i.reference for i in (reported, referred, theirs) if i.reference in page}

    assert refs() == {reported.reference, referred.reference, theirs.reference}
    assert refs(stage="referred") == {referred.reference}
    assert refs(school=world.other_school.pk) == {theirs.reference}
    assert refs(overdue="on") == {reported.reference}
    assert refs(person="quinn find") == {referred.reference}
    assert refs(person="else") == {reported.reference}


def test_the_school_filter_offers_the_trust_lead_their_schools_and_no_other(client, world):
    client.force_login(world.trust_lead)
    with CaptureQueriesContext(connection) as queries:
        page = listed(client)
    # Read once, however often the select goes through its choices while it renders.
    assert sum('FROM "accounts_school"' in q["sql"] for q in queries) == 1
    for school, offered in (
        (world.school, True),
        (world.other_school, True),
        (world.far_school, False),
    ):
        assert (f'<option value="{school.pk}">{school.name}</option>' in page) is offered
    client.force_login(world.dsl)  # a DSL of one school has no school to choose
    assert 'name="school"' not in listed(client)


def test_a_school_filter_cannot_reach_another_trusts_school(client, world):
    far = IncidentFactory(school=world.far_school)
    client.force_login(world.trust_lead)
    page = listed(client, school=world.far_school.pk)
    assert far.reference not in page


def test_the_dashboard_puts_overdue_actions_and_missing_crime_references_first(client, world):
    incident = IncidentFactory(school=world.school, stage="referred")
    Action.objects.create(
        incident=incident,
        kind="report_platform",
        description="Report to the app",
        owner=world.deputy_dsl,
        due=timezone.localdate() - datetime.timedelta(days=2),
    )
    Referral.objects.create(incident=incident, agency="police_101", made_by=world.dsl, reason="x")
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    assert page.index('id="overdue"') < page.index('id="awaiting-review"')
    assert "Report to the app" in page
    assert "Crime reference numbers to record" in page
    client.force_login(world.other_dsl)
    assert "Report to the app" not in client.get(reverse("dashboard")).text


def pages(client, url, **params):
    """Follow the Next links from the first page: the references on each page, in order."""
    found, response = [], client.get(url, params)
    while True:
        html = response.text
        found.append(re.findall(r">(T-\d{5})<", html))
        following = re.search(r'href="([^"]+)" rel="next"', html)
        if not following:
            return found, response
        response = client.get(url + following.group(1).replace("&amp;", "&"))


def test_the_list_comes_in_pages_newest_first_and_filters_stay_across_them(client, world):
    made = IncidentFactory.create_batch(120, school=world.school, reported_by=world.staff)
    referred = IncidentFactory.create_batch(
        60, school=world.school, reported_by=world.staff, stage="referred"
    )
    client.force_login(world.dsl)
    found, last = pages(client, reverse("incident_list"))
    assert [len(p) for p in found] == [50, 50, 50, 30]
    newest_first = [i.reference for i in reversed(made + referred)]
    assert [ref for page in found for ref in page] == newest_first
    assert 'rel="prev"' in last.text
    found, _ = pages(client, reverse("incident_list"), stage="referred")
    assert [len(p) for p in found] == [50, 10]
    assert {ref for page in found for ref in page} == {i.reference for i in referred}


def test_previous_goes_back_to_the_page_before(client, world):
    IncidentFactory.create_batch(70, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    first = client.get(reverse("incident_list")).text
    second = client.get(
        reverse("incident_list") + re.search(r'href="([^"]+)" rel="next"', first).group(1)
    ).text
    back = client.get(
        reverse("incident_list") + re.search(r'href="([^"]+)" rel="prev"', second).group(1)
    ).text
    assert re.findall(r">(T-\d{5})<", back) == re.findall(r">(T-\d{5})<", first)
    assert 'rel="prev"' not in back


def test_a_position_that_cannot_be_read_is_the_first_page(client, world):
    newest = IncidentFactory.create_batch(3, school=world.school, reported_by=world.staff)[-1]
    client.force_login(world.dsl)
    for junk in ("x", "WyJ4Il0", "bnVsbA", "%%%", "W251bGwsIG51bGxd"):
        response = client.get(reverse("incident_list"), {"after": junk})
        assert response.status_code == 200
        assert newest.reference in response.text


@pytest.mark.parametrize("who", ["dsl", "trust_lead"])
def test_the_last_page_costs_the_same_queries_as_the_first(client, world, who):
    IncidentFactory.create_batch(130, school=world.school, reported_by=world.staff)
    IncidentFactory.create_batch(30, school=world.other_school, reported_by=world.other_staff)
    client.force_login(getattr(world, who))
    client.get(reverse("incident_list"))  # warm caches (content types, session)
    costs, urls = [], [reverse("incident_list")]
    while urls:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(urls.pop()).text
        costs.append(len(queries))
        # The user's schools are looked up once, and the list is filtered by their ids.
        assert sum("guardian_groupobjectpermission" in q["sql"] for q in queries) == 1
        following = re.search(r'href="([^"]+)" rel="next"', html)
        if following:
            urls.append(reverse("incident_list") + following.group(1).replace("&amp;", "&"))
    assert len(costs) == (3 if who == "dsl" else 4)  # 130 of Hillside, 160 of the trust
    assert len(set(costs)) == 1, costs


def test_a_role_removed_is_honoured_at_once_outside_a_request(world):
    """A task holding the user object asks again: nothing of their schools is kept."""
    incident = IncidentFactory(school=world.school, reported_by=world.staff)
    assert scoped(Incident.objects.all(), world.dsl).get() == incident
    Membership.objects.filter(user=world.dsl).delete()
    assert not scoped(Incident.objects.all(), world.dsl).exists()
    assert not has_school_perm(world.dsl, "view_incidents", world.school)


def test_a_role_removed_during_a_request_is_honoured_for_the_rest_of_it(rf, world):
    incident = IncidentFactory(school=world.school, reported_by=world.staff)
    seen = []

    def view(request):
        seen.append(scoped(Incident.objects.all(), world.dsl).exists())
        Membership.objects.filter(user=world.dsl).delete()
        seen.append(scoped(Incident.objects.all(), world.dsl).exists())
        return HttpResponse()

    request_scope(view)(rf.get("/"))
    assert incident.pk and seen == [True, False]


def test_the_access_log_and_the_roster_come_in_pages(client, world):
    incident = IncidentFactory(school=world.school, reported_by=world.staff)
    AccessLog.objects.bulk_create(
        AccessLog(incident=incident, user=world.deputy_dsl, what="incident", in_team=True)
        for _ in range(60)
    )
    PupilFactory.create_batch(70, school=world.school)
    client.force_login(world.dsl)
    log = client.get(reverse("access_log", args=[incident.pk])).text
    assert log.count('<tr class="govuk-table__row"><td') == 50 and 'rel="next"' in log
    roster = client.get(reverse("pupil_list", args=[world.school.pk])).text
    assert "70 pupils" in roster and 'rel="next"' in roster
    second = client.get(
        reverse("pupil_list", args=[world.school.pk])
        + re.search(r'href="([^"]+)" rel="next"', roster).group(1)
    ).text
    names = sorted((p.last_name, p.first_name, p.pk) for p in world.school.pupils.all())
    last = names[-1]
    assert f"{last[0]}, {last[1]}" in second and 'rel="next"' not in second


def inspection_params(days_back=60, **kw):
    start, end = timezone.localdate() - datetime.timedelta(days=days_back), timezone.localdate()
    return {
        "start_day": start.day,
        "start_month": start.month,
        "start_year": start.year,
        "end_day": end.day,
        "end_month": end.month,
        "end_year": end.year,
    } | kw


def test_the_inspection_report_lists_its_incidents_in_pages_with_every_figure(client, world):
    IncidentFactory.create_batch(55, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    first = client.get(reverse("inspection_report"), inspection_params()).text
    assert "55 incidents disclosed" in first  # the summary counts them all
    assert len(re.findall(r">(T-\d{5})<br>", first)) == 50
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("inspection_report") + following).text
    assert "55 incidents disclosed" in second and "start_day=" in following
    assert len(re.findall(r">(T-\d{5})<br>", second)) == 5


def test_the_inspection_summary_counts_the_whole_period_whichever_page_is_shown(client, world):
    """Issue 14: the figures are counted by the database, not from the rows of the page."""
    disclosed = timezone.now() - datetime.timedelta(days=5)
    made = IncidentFactory.create_batch(
        52, school=world.school, reported_by=world.staff, disclosed_at=disclosed
    )
    # To referral: 1, 2, 4 and 8 hours; the median of an even count is the upper middle one.
    for incident, hours in zip(made[-4:], [1, 2, 4, 8], strict=True):
        Referral.objects.create(
            incident=incident,
            agency="police",
            made_by=world.dsl,
            reason="x",
            made_at=disclosed + datetime.timedelta(hours=hours),
        )
    Referral.objects.create(incident=made[0], agency="early_help", made_by=world.dsl, reason="x")
    client.force_login(world.dsl)
    first = client.get(reverse("inspection_report"), inspection_params()).text
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("inspection_report") + following).text
    for page in (first, second):
        assert "52 incidents disclosed" in page
        assert "to referral: <strong>4 h 0 min</strong>" in page
        outcomes = re.search(r'id="by-outcome".*?</table>', page, re.S).group(0)
        assert re.search(r"Referred</td>.*?\b4</td>", outcomes, re.S)  # Early Help is not
    assert len(re.findall(r">(T-\d{5})<br>", second)) == 2


def test_the_first_visits_report_pages_through_the_period_it_showed(client, world):
    """The first visit shows this academic year so far; its Next link is that period still."""
    IncidentFactory.create_batch(52, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    first = client.get(reverse("inspection_report")).text
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("inspection_report") + following)
    assert second.status_code == 200 and "52 incidents disclosed" in second.text
    assert len(re.findall(r">(T-\d{5})<br>", second.text)) == 2


def test_the_inspection_report_pages_its_transfers_apart_from_its_incidents(client, world):
    """The files transferred are a list of their own pages, in the order the pupils moved, read
    from the database a page at a time (they were built whole for every page); paging one list
    keeps the other's place (issue 14)."""
    from records.models import Transfer

    today = timezone.localdate()
    Transfer.objects.bulk_create(
        Transfer(
            pupil=pupil,
            to_school=f"School {i}",
            moved_on=today - datetime.timedelta(days=55 - i),
            deadline=today - datetime.timedelta(days=i),  # the later the move, the earlier due
            recorded_by=world.dsl,
        )
        for i, pupil in enumerate(PupilFactory.create_batch(55, school=world.school))
    )
    IncidentFactory.create_batch(52, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    url = reverse("inspection_report")

    def moved_to(html):
        return re.findall(r'<td class="govuk-table__cell">(School \d+)</td>', html)

    def link(html, label):
        nav = html.split(f'aria-label="{label}"')[1]
        return url + re.search(r'href="([^"]+)" rel="next"', nav).group(1).replace("&amp;", "&")

    first = client.get(url, inspection_params()).text
    assert moved_to(first) == [f"School {i}" for i in range(50)]
    with CaptureQueriesContext(connection) as on_first:
        client.get(url, inspection_params())
    both_next = link(
        client.get(link(first, "Pages of incidents")).text, "Pages of files transferred"
    )
    with CaptureQueriesContext(connection) as on_last:
        second = client.get(both_next)
    assert second.status_code == 200
    assert moved_to(second.text) == [f"School {i}" for i in range(50, 55)]
    # Still the incidents' second page: their two rows, not the first page's fifty.
    assert len(re.findall(r">(T-\d{5})<br>", second.text)) == 2
    assert len(on_last) == len(on_first)
    # A page of them read, not every one: the page costs the same however many there are.
    read = [q["sql"] for q in on_last.captured_queries if 'FROM "records_transfer"' in q["sql"]]
    assert len(read) == 1 and "LIMIT 51" in read[0]


def test_a_pdf_of_the_period_asked_for_is_built_at_once_when_the_period_is_small(
    client, world, settings
):
    """The worker is for large reports: many incidents in other years do not make this
    year's small report wait for one (issue 14: counted in the period, not all visible)."""
    from records.models import Export

    settings.EXPORT_SYNC_LIMIT = 3
    long_ago = timezone.now() - datetime.timedelta(days=400)
    IncidentFactory.create_batch(
        5, school=world.school, reported_by=world.staff, disclosed_at=long_ago
    )
    IncidentFactory(school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    response = client.get(reverse("inspection_report"), inspection_params(format="pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert not Export.objects.exists()
    response = client.get(reverse("inspection_report"), inspection_params(500, format="pdf"))
    assert response.status_code == 302 and Export.objects.count() == 1


@pytest.mark.parametrize("incidents", [3, 30])
def test_an_export_is_logged_against_each_incident_in_a_fixed_number_of_queries(
    world, incidents, django_assert_num_queries
):
    from records.services import log_exports

    made = [
        *IncidentFactory.create_batch(incidents, school=world.school, reported_by=world.staff),
        IncidentFactory(school=world.other_school, reported_by=world.other_staff),
    ]
    with django_assert_num_queries(2):  # the user's teams, the rows
        log_exports(world.dsl, made)
    flags = dict(AccessLog.objects.values_list("incident__school", "in_team").distinct())
    # Hillside's DSL is in Hillside's team; a look at Meadowbank's case is flagged.
    assert flags == {world.school.pk: True, world.other_school.pk: False}


def test_a_large_export_goes_to_a_worker_once_the_request_has_committed(
    client, world, settings, django_capture_on_commit_callbacks
):
    """Issue 14: a worker never looks for an export row the request has not yet committed."""
    from records.models import Export

    settings.EXPORT_SYNC_LIMIT = 1
    IncidentFactory.create_batch(2, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    with django_capture_on_commit_callbacks() as published:
        response = client.get(reverse("inspection_report"), inspection_params(format="pdf"))
        assert "Waiting to start" in client.get(response.url).text  # nothing sent yet
    assert len(published) == 1
    published[0]()  # the commit: the (eager) worker builds it
    assert "Ready" in client.get(response.url).text
    assert Export.objects.get().status == Export.Status.DONE


def test_with_the_broker_away_an_export_stays_queued_and_the_sweep_sends_it_again(
    client, world, settings, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from incidents.tasks import sweep
    from records import tasks
    from records.models import Export

    settings.EXPORT_SYNC_LIMIT = 1
    IncidentFactory.create_batch(2, school=world.school, reported_by=world.staff)
    client.force_login(world.dsl)
    real = tasks.build_inspection_export.delay

    def away(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_inspection_export, "delay", away)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("inspection_report"), inspection_params(format="pdf"))
    assert response.status_code == 302  # the person is not shown an error
    assert "Waiting to start" in client.get(response.url).text
    monkeypatch.setattr(tasks.build_inspection_export, "delay", real)
    sweep.delay()
    assert Export.objects.get().status == Export.Status.QUEUED  # not a minute old yet
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=2), tick=False)
    sweep.delay()
    assert "Ready" in client.get(response.url).text
