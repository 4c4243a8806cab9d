"""Issue 11 (6): single sign-on with the school's own accounts, against a real OpenID Connect
provider (panva's oidc-provider, from npm) on the loopback address: authorisation code flow
with PKCE. It signs in only someone ypsi already has, and only for the domains it is set up for.
"""

import contextlib
import pathlib
import shutil
import socket
import subprocess

import pytest
from allauth.socialaccount.models import SocialApp
from playwright.sync_api import expect

from accounts.models import SecurityEvent

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "tests" / "sso" / "oidc_provider.mjs"
SECRET = "a-client-secret-for-the-test-provider-only"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def oidc_provider(redirect_uri: str):
    if not (ROOT / "node_modules" / "oidc-provider").exists() or not shutil.which("node"):
        pytest.fail("oidc-provider is installed by bin/test (npm ci): run bin/test once")
    port = free_port()
    proc = subprocess.Popen(
        ["node", str(PROVIDER), str(port), redirect_uri, "ypsi", SECRET],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def school_provider(live_server, world, settings):
    redirect = f"{live_server.url}/accounts/oidc/hillside/login/callback/"
    with oidc_provider(redirect) as issuer:
        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        settings.CONTENT_SECURITY_POLICY = {
            "DIRECTIVES": directives | {"form-action": [*directives["form-action"], issuer]}
        }
        SocialApp.objects.create(
            provider="openid_connect",
            provider_id="hillside",
            name="Hillside Academy (Microsoft)",
            client_id="ypsi",
            secret=SECRET,
            settings={
                "server_url": issuer,
                "token_auth_method": "client_secret_basic",
                "domains": ["example.invalid"],
            },
        )
        yield issuer


def through_the_provider(page, live_server, email: str, login_as: str | None = None):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with your school's Microsoft or Google account").click()
    page.get_by_label("Your school email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Sign In Via")).to_be_visible()
    page.get_by_role("button", name="Continue").click()  # allauth: on to the provider
    page.locator("input[name=login]").fill(login_as or email)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent


def test_a_dsl_signs_in_with_the_schools_own_account(
    page, live_server, world, school_provider, axe
):
    through_the_provider(page, live_server, world.dsl.email)
    expect(page.get_by_role("heading", name="Hello,")).to_be_visible()
    axe("dashboard after single sign-on")
    assert SecurityEvent.objects.filter(user=world.dsl, kind="signed_in").exists()


def test_someone_the_provider_knows_but_ypsi_does_not_is_not_signed_in(
    page, live_server, world, school_provider
):
    through_the_provider(page, live_server, "stranger@example.invalid")
    expect(
        page.get_by_role("heading", name="There is no ypsi account for you yet")
    ).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in to ypsi")).to_be_visible()


def test_an_address_outside_the_providers_domains_is_refused(
    page, live_server, world, school_provider
):
    world.dsl.email = "hil-dsl@elsewhere.invalid"
    world.dsl.save()
    # Routed by the typed address to Hillside's provider, which then vouches for another domain.
    through_the_provider(page, live_server, "hil-deputy_dsl@example.invalid", world.dsl.email)
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()


def test_an_unknown_domain_is_told_to_use_a_password(page, live_server, world, school_provider):
    page.goto(f"{live_server.url}/login/school-account/")
    page.get_by_label("Your school email address").fill("someone@other-school.invalid")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("does not sign in to ypsi with its own accounts")).to_have_count(2)
