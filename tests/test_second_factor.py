"""Issue 11 (1, 2, 4): a second factor for the safeguarding roles, the password again for the
weightiest acts, and sessions that end when idle.

Real django-allauth flows through the pages, with TOTP codes worked out as an authenticator app
would.
"""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def code(secret: str) -> str:
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def sign_in(client, user):
    return client.post(reverse("login"), {"login": user.username, "password": PASSWORD})


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True
    return settings


def enrol(client) -> str:
    """allauth asks for the password once more before a second factor is added."""
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate"))
    client.post(asked.url, {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).text
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]{16,})"[^>]*id="authenticator_secret"', page)
    secret = secret.group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.mark.parametrize(
    "role", ["dsl", "deputy_dsl", "headteacher", "administrator", "trust_lead"]
)
def test_a_safeguarding_role_without_a_second_factor_sets_one_up_before_any_case(
    client, world, required, role
):
    user = getattr(world, role)
    incident = IncidentFactory(school=world.school)
    sign_in(client, user)
    for url in (reverse("dashboard"), incident.get_absolute_url(), reverse("incident_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"), follow=True).text
    assert "asks for a second factor as well as your password" in page


@pytest.mark.parametrize("it_role", ["is_staff", "is_superuser"])
def test_the_it_person_with_the_admin_s_keys_sets_up_a_second_factor_too(
    client, required, it_role
):
    """No school role, but the admin, where it is on, reaches every record: a password alone
    is not enough."""
    sign_in(client, UserFactory(**{it_role: True}))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_member_of_staff_who_only_reports_needs_no_second_factor(client, world, required):
    sign_in(client, world.staff)
    assert client.get(reverse("report_concern")).status_code == 200


def test_with_a_second_factor_set_up_each_page_checks_it_in_one_query(client, world, required):
    TOTP.activate(world.dsl, generate_totp_secret())
    client.force_login(world.dsl)
    page = reverse("my_reports")
    assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as checked:
        client.get(page)
    required.MFA_REQUIRED = False
    with CaptureQueriesContext(connection) as unchecked:
        client.get(page)
    assert len(checked) == len(unchecked) + 1


def test_without_a_second_factor_and_no_role_needing_one_each_page_checks_in_two_queries(
    client, world, required
):
    """Most of a school's users are staff who only report: whether they have a second factor,
    then whether a role of theirs needs one."""
    client.force_login(world.staff)
    page = reverse("my_reports")
    assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as checked:
        assert client.get(page).status_code == 200
    required.MFA_REQUIRED = False
    with CaptureQueriesContext(connection) as unchecked:
        client.get(page)
    assert len(checked) == len(unchecked) + 2


def test_in_the_demo_a_second_factor_is_offered_not_forced(client, world):
    sign_in(client, world.dsl)
    assert client.get(reverse("dashboard")).status_code == 200


def test_after_enrolment_sign_in_asks_for_the_code_and_a_wrong_one_is_refused(
    client, world, required
):
    sign_in(client, world.dsl)
    secret = enrol(client)
    assert Authenticator.objects.filter(user=world.dsl, type="totp").exists()
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()

    response = sign_in(client, world.dsl)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": code(secret)})
    assert right.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_recovery_codes_are_offered_once_a_second_factor_is_set_up(client, world, required):
    sign_in(client, world.dsl)
    enrol(client)
    page = client.get(reverse("mfa_view_recovery_codes")).text
    assert len(re.findall(r"\b[0-9a-f]{8}\b", page)) >= 10


def test_signing_off_asks_for_the_password_again_after_a_few_minutes(
    client, world, managed, settings, time_machine
):
    settings.REAUTHENTICATE_WEIGHTY_ACTS = True
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    time_machine.move_to("2026-11-10 09:00:00+00:00", tick=False)
    sign_in(client, world.headteacher)
    url = reverse("incident_sign_off", args=[managed.pk])
    assert client.get(url).status_code in (200, 302)  # looking is not weighty
    time_machine.shift(600)
    response = client.post(url, {"comment": "Agreed"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_an_export_asks_for_the_password_again_after_a_few_minutes(
    client, world, managed, settings, time_machine
):
    settings.REAUTHENTICATE_WEIGHTY_ACTS = True
    time_machine.move_to("2026-11-10 09:00:00+00:00", tick=False)
    sign_in(client, world.dsl)
    pdf = reverse("incident_pdf", args=[managed.pk])
    time_machine.shift(600)
    response = client.get(pdf)
    assert response.url.startswith(reverse("account_reauthenticate"))
    again = client.post(response.url, {"password": PASSWORD})
    assert again.status_code == 302
    assert client.get(pdf)["Content-Type"] == "application/pdf"


def test_a_session_ends_after_thirty_minutes_without_activity(client, world, time_machine):
    time_machine.move_to("2026-11-10 09:00:00+00:00", tick=False)
    sign_in(client, world.dsl)
    assert client.get(reverse("dashboard")).status_code == 200
    time_machine.shift(29 * 60)
    assert client.get(reverse("dashboard")).status_code == 200
    time_machine.shift(31 * 60)
    response = client.get(reverse("dashboard"))
    assert response.url.startswith(reverse("login"))
    page = client.get(response.url).text
    assert "signed out after 30 minutes without activity" in page
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session_on_the_server(client, world):
    from django.contrib.sessions.models import Session

    sign_in(client, world.dsl)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_pages_carry_the_security_headers(client, world):
    sign_in(client, world.dsl)
    response = client.get(reverse("dashboard"))
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_carry_a_strict_content_security_policy(client, world):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_no_template_a_browser_renders_has_inline_script_or_style():
    """The policy forbids them: one left in would be a page that silently breaks."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if not path.name.endswith("_pdf.html")
        and (
            re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", path.read_text())
            or re.search(r"\sstyle=\"|<style", path.read_text())
        )
    ]
    assert offenders == []


def test_a_password_reset_sends_a_link_and_never_says_whether_an_account_exists(client, world):
    from django.core import mail

    known = client.post(reverse("account_reset_password"), {"email": world.dsl.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert [m.to for m in mail.outbox] == [[world.dsl.email]]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert "Pictured" not in mail.outbox[0].body


def test_a_new_password_must_be_twelve_characters_and_not_common(client, world):
    sign_in(client, world.dsl)
    for weak in ("short-pw", "password1234"):
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": weak, "password2": weak},
        )
        assert response.status_code == 200, weak
    world.dsl.refresh_from_db()
    assert world.dsl.check_password(PASSWORD)
