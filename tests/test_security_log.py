"""Issue 11 (3, 8): every failed sign-in, lockout, second factor and password change is in a
security log that the headteacher and the trust's lead read for their schools, and no one else."""

import pytest
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
