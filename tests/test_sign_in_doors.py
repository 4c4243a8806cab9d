"""Issue 17 (1, 2): one way in, with its lock; the admin is no second door.

Six wrong passwords for an account pause its sign-in, whichever web process answers (the count
is in the database); the admin signs in through the same page; in production the admin is not
mounted at all unless a setting asks for it.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from .test_platform import manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests/factories.py


def sign_in(client, username, password, path=None):
    return client.post(path or reverse("login"), {"login": username, "password": password})


def test_six_wrong_passwords_pause_the_account_even_for_the_right_one(client, world):
    for _ in range(5):
        response = sign_in(client, "hil-dsl", "a wrong guess")
        assert response.status_code == 200
        assert "The username and/or password you specified are not correct." in response.text
    response = sign_in(client, "hil-dsl", "a wrong guess")
    assert response.status_code == 429
    assert "Sign-in is paused for this account" in response.text

    response = sign_in(client, "hil-dsl", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The security log: every failure, with the account and the address, in the shared store.
    assert AccessFailureLog.objects.filter(username="hil-dsl").count() == 7
    assert AccessAttempt.objects.get(username="hil-dsl").failures_since_start >= 6


def test_the_pause_is_per_account_so_colleagues_behind_one_address_still_sign_in(client, world):
    for _ in range(6):
        sign_in(client, "hil-dsl", "a wrong guess")
    response = sign_in(client, "hil-deputy_dsl", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.deputy_dsl.pk)


def test_a_right_password_before_the_limit_starts_the_count_again(client, world):
    for _ in range(5):
        sign_in(client, "hil-dsl", "a wrong guess")
    assert sign_in(client, "hil-dsl", PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        assert sign_in(client, "hil-dsl", "a wrong guess").status_code == 200
    assert sign_in(client, "hil-dsl", PASSWORD).status_code == 302


def test_the_admin_signs_in_through_the_sites_own_page(client, world):
    world.administrator.is_staff = True
    world.administrator.is_superuser = True
    world.administrator.save()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") + "?next=%2Fadmin%2F"
    assert "Sign in to ypsi" in response.text

    # A password posted to the admin's own login is never checked there.
    response = sign_in(client, "hil-administrator", PASSWORD, path="/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session

    for _ in range(6):
        sign_in(client, "hil-administrator", "a wrong guess")
    assert sign_in(client, "hil-administrator", PASSWORD).status_code == 429


def test_a_signed_in_user_who_is_not_staff_is_refused_by_the_admin_not_looped(client, world):
    client.force_login(world.dsl)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2


PRODUCTION = {"DEBUG": "False", "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "ypsi.example.org"}
RESOLVE_ADMIN = (
    "from django.urls import Resolver404, resolve\n"
    "try:\n    resolve('/admin/'); print('mounted')\n"
    "except Resolver404:\n    print('absent')"
)


@pytest.mark.parametrize(("asked", "expected"), [(None, "absent"), ("true", "mounted")])
def test_in_production_the_admin_is_mounted_only_when_asked_for(tmp_path, asked, expected):
    env = {**PRODUCTION, "DATA_DIR": str(tmp_path)}
    if asked:
        env["ADMIN_ENABLED"] = asked
    result = manage("shell", "--verbosity=0", "-c", RESOLVE_ADMIN, **env)
    assert result.stdout.split() == [expected], result.stderr
