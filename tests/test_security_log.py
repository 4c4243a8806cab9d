"""Issue 11 (3, 8): every failed sign-in, lockout, second factor and password change is in a
security log that the headteacher and the trust's lead read for their schools, and no one else."""

from importlib import import_module
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from accounts.models import SecurityEvent

from .test_permissions import case as case  # the fixture the matrix's URLs need
from .test_second_factor import PASSWORD, enrol, sign_in

pytestmark = pytest.mark.django_db


def wrong(client, username):
    client.post(reverse("login"), {"login": username, "password": "a wrong guess"})


def test_failed_sign_ins_a_lockout_and_a_sign_in_are_in_the_log(client, world):
    for _ in range(6):
        wrong(client, "hil-dsl")
    kinds = list(SecurityEvent.objects.filter(user=world.dsl).values_list("kind", flat=True))
    assert kinds.count("sign_in_failed") == 6
    assert "locked_out" in kinds
    assert SecurityEvent.objects.filter(user=world.dsl).first().address == "127.0.0.1"

    client.force_login(world.headteacher)
    page = client.get(reverse("security_log", args=[world.school.pk])).text
    assert page.count("Sign-in failed") == 6
    assert "Sign-in paused after too many failures" in page


def test_a_second_factor_and_a_password_change_are_recorded(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.MFA_REQUIRED = True
    sign_in(client, world.dsl)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(client)
    new = "a-new-long-passphrase-2026"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    kinds = set(SecurityEvent.objects.filter(user=world.dsl).values_list("kind", flat=True))
    assert {"signed_in", "factor_added", "password_changed"} <= kinds


def test_only_the_schools_headteacher_and_its_trust_lead_read_it(client, world):
    wrong(client, "hil-dsl")
    client.force_login(world.trust_lead)
    assert str(world.dsl) in client.get(reverse("security_log", args=[world.school.pk])).text
    client.force_login(world.other_headteacher)
    theirs = client.get(reverse("security_log", args=[world.other_school.pk])).text
    assert str(world.dsl) not in theirs
    assert client.get(reverse("security_log", args=[world.school.pk])).status_code == 404
    for who in ("dsl", "administrator", "staff"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("security_log", args=[world.school.pk])).status_code == 404


def test_a_refused_case_address_is_in_the_log_with_who_and_where_from(client, world):
    from .factories import IncidentFactory

    theirs = IncidentFactory(school=world.other_school)
    client.force_login(world.dsl)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    event = SecurityEvent.objects.get(kind="refused")
    assert event.user == world.dsl and event.address == "127.0.0.1"
    assert event.detail == f"404 GET {theirs.get_absolute_url()}"


def test_every_page_of_a_case_is_in_its_access_log(client, world, managed):
    from records.models import AccessLog

    client.force_login(world.dsl)
    for name in ("incident_review", "incident_decide", "incident_close", "incident_chronology"):
        before = AccessLog.objects.filter(incident=managed).count()
        client.get(reverse(name, args=[managed.pk]))
        assert AccessLog.objects.filter(incident=managed).count() == before + 1, name


def test_every_url_that_shows_an_incident_writes_its_access_log(client, case):
    """Issue 11 (8): each URL of the permission matrix that names an incident, opened by those
    who may, leaves a row in that incident's access log; so do the lists that show it."""
    from records.models import AccessLog

    from .test_permissions import MATRIX

    silent = []
    for name, args, allowed, _ in MATRIX:
        url = reverse(name, args=args(case))
        if not url.startswith(f"/incidents/{case.incident.pk}/") or "dsl" not in allowed:
            continue
        client.force_login(case.dsl)
        before = AccessLog.objects.filter(incident=case.incident).count()
        response = client.get(url)
        if response.status_code == 200 and (
            AccessLog.objects.filter(incident=case.incident).count() == before
        ):
            silent.append(name)
    for name in ("dashboard", "incident_list", "search"):
        before = AccessLog.objects.filter(incident=case.incident, what="list").count()
        client.get(reverse(name), {"q": case.incident.reference})
        if AccessLog.objects.filter(incident=case.incident, what="list").count() == before:
            silent.append(name)
    assert silent == [], silent


def test_the_log_comes_in_pages_newest_first_each_costing_what_the_first_does(client, world):
    """A school's log is one range of one index (issue 14): every page, the last included,
    takes the same queries, and no event is shown twice, missed, or from another school's."""
    import datetime
    import re

    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.security_log import record

    people = [world.dsl, world.headteacher, world.staff, world.trust_lead]
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)) as clock:
        for i in range(130):
            for user in [people[i % len(people)], world.other_staff]:
                record(SecurityEvent.Kind.SIGNED_IN, user=user)
            clock.shift(datetime.timedelta(minutes=1))
    client.force_login(world.headteacher)
    url = reverse("security_log", args=[world.school.pk])
    client.get(url)  # warm caches (content types, session)

    def events(html):
        return [int(pk) for pk in re.findall(r'data-event="(\d+)"', html)]

    def link(html, rel):
        found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
        return url + found.group(1).replace("&amp;", "&") if found else None

    pages, costs, urls = [], [], [url]
    while urls:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(urls.pop()).text
        costs.append(len(queries))
        pages.append(events(html))
        if following := link(html, "next"):
            urls.append(following)
    shown = [pk for page in pages for pk in page]
    assert events(client.get(link(html, "prev")).text) == pages[-2]  # back from the last
    # What the school's people did, as a join of the events to them reads it.
    members = Q(user__memberships__school=world.school) | Q(user=world.trust_lead)
    ours = SecurityEvent.objects.filter(members).distinct().order_by("-at", "-pk")
    assert shown == list(ours.values_list("pk", flat=True))
    assert len(shown) > 130 and len(costs) == 3  # and their sign-ins and roles, 50 a page
    assert len(set(costs)) == 1, costs
    assert str(world.other_staff) not in html


def test_an_account_s_events_stay_in_the_school_s_log_after_its_role_there_ends(client, world):
    """Each event is kept in the log of the schools its account belonged to when it happened:
    a role removed since, its sign-ins and its removal stay in that school's log (read as a
    join of the events to the school's people now, they went with the role)."""
    from accounts.models import Membership

    wrong(client, "hil-dsl")
    Membership.objects.filter(user=world.dsl, school=world.school).delete()
    client.force_login(world.headteacher)
    page = client.get(reverse("security_log", args=[world.school.pk])).text
    assert "Sign-in failed" in page and "Role removed" in page and str(world.dsl) in page


def test_past_events_are_put_in_the_logs_of_their_people_s_schools_by_the_migration(world):
    """The migration that keeps each school's entries gives the events before it the schools
    of their people then: the DSL's at Hillside, the trust lead's at each of the trust's."""
    from django.apps import apps as live
    from django.db import connection

    from accounts.models import SecurityLogEntry
    from accounts.security_log import record

    record(SecurityEvent.Kind.SIGNED_IN, user=world.dsl)
    record(SecurityEvent.Kind.SIGNED_IN, user=world.trust_lead)
    expected = set(SecurityLogEntry.objects.values_list("school_id", "event_id"))
    SecurityLogEntry.objects.all().delete()
    migration = import_module("accounts.migrations.0012_security_log_of_school")
    # What it asks of the schema editor: to run its SQL (SQLite's will not open in a test).
    editor = SimpleNamespace(execute=lambda sql: connection.cursor().execute(sql))
    migration.entries_for_past_events(live, editor)
    assert set(SecurityLogEntry.objects.values_list("school_id", "event_id")) == expected
    trust_schools = set(world.school.trust.schools.values_list("pk", flat=True))
    lead_event = SecurityEvent.objects.filter(user=world.trust_lead).latest("pk")
    assert {s for s, e in expected if e == lead_event.pk} == trust_schools


def test_an_event_is_never_kept_out_of_the_schools_logs_it_belongs_to(world):
    """The event and its place in each school's log are written together or not at all: a
    refusal is recorded after the view's transaction, where half of it could otherwise stay."""
    from unittest import mock

    from django.db import DatabaseError

    from accounts.models import SecurityLogEntry
    from accounts.security_log import record

    failing = mock.patch.object(
        SecurityLogEntry.objects, "bulk_create", side_effect=DatabaseError("disk full")
    )
    with failing, pytest.raises(DatabaseError):
        record(SecurityEvent.Kind.REFUSED, user=world.dsl, detail="404 GET /incidents/1/")
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REFUSED).exists()
