"""Issue 11: the sign-in a DSL goes through, in the browser, each page checked with axe-core.

An authenticator app set up and used (codes worked out as the app would), a security key added
through Chromium's virtual authenticator and used to sign in, and a lockout.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def code(secret: str) -> str:
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def confirm_password(page):
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


def test_a_dsl_sets_up_an_authenticator_app_and_then_signs_in_with_it(
    page, live_server, world, required, axe
):
    sign_in(page, live_server, world.dsl)
    # The role needs a second factor: allauth asks for the password again, then the app.
    axe("confirm access")
    confirm_password(page)
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    axe("activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(code(secret))
    page.get_by_role("button", name="Activate").click()
    # Then the recovery codes, for a lost phone.
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    axe("recovery codes")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Hello,")).to_be_visible()

    sign_in(page, live_server, world.dsl)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    axe("second factor")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    page.get_by_label("Code").fill(code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Hello,")).to_be_visible()


def test_a_headteacher_adds_a_security_key_and_signs_in_with_it(
    page, live_server, world, required, axe
):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, live_server, world.headteacher)
    confirm_password(page)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    axe("add a security key")
    page.get_by_label("Name", exact=True).fill("Office key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    sign_in(page, live_server, world.headteacher)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="Hello,")).to_be_visible()


def test_six_wrong_passwords_pause_the_account_with_a_plain_message(page, live_server, world, axe):
    for _ in range(6):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(world.dsl.username)
        page.get_by_label("Password").fill("a wrong guess")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in is paused for this account")).to_be_visible()
    axe("locked out")


def test_a_page_with_typing_warns_before_the_idle_sign_out_and_then_signs_out(
    page, live_server, world, settings
):
    settings.SESSION_IDLE_MINUTES = 2  # the warning comes at once: two minutes before the end
    sign_in(page, live_server, world.staff)
    page.goto(f"{live_server.url}/report/")
    expect(page.get_by_role("alert")).to_contain_text("You will be signed out in 2 minutes")
    settings.SESSION_IDLE_MINUTES = 0
    time.sleep(1.1)
    page.goto(f"{live_server.url}/")
    expect(
        page.get_by_text("You were signed out after 0 minutes without activity")
    ).to_be_visible()
