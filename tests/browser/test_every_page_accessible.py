"""Issue 12 item 6: every page of the permission matrix, as every role that may open it, at a
laptop's width and a phone's, passes axe-core (WCAG 2.2 A and AA and best practice) with
nothing found, breaks no Content-Security-Policy rule and never scrolls sideways on a phone.

Everything found on every page is reported together, so one run shows all there is to fix.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from incidents.models import Notification

from ..test_permissions import MATRIX, PERSONAS, case  # noqa: F401 (case: the fixture)
from .conftest import axe_findings

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# What the policy (script-src 'self', style-src 'self') would refuse, in the page as sent.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\sstyle=\"|<style")
SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def pages_for(persona, client, case):  # noqa: F811 (the fixture's value, by its name)
    """The HTML pages of the matrix this persona may open: each asked for once by Django's test
    client, to be sure it is a 200 and a page (not a PDF or a JSON download)."""
    if persona == "anonymous":
        return [reverse("login")], []
    wrong, urls = [], []
    for name, args, allowed, _ in MATRIX:
        if persona not in allowed:
            continue
        url = reverse(name, args=args(case))
        response = client.get(url)
        if response.status_code != 200:
            wrong.append(f"{persona} {name}: {response.status_code}, expected 200")
        elif response["Content-Type"].startswith("text/html"):
            if INLINE.search(response.text):
                wrong.append(f"{persona} {name}: inline script or style= in the page")
            urls.append(url)
    return urls, wrong


@pytest.mark.sweep
def test_every_page_for_every_role_passes_axe_at_both_widths(browser, live_server, client, case):  # noqa: F811
    found, refused = [], []  # refused: what the browser's console says the policy blocked
    for persona in PERSONAS:
        context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
        if persona != "anonymous":
            # A session made by Django's test client, handed to the browser: no sign-in page
            # for each of the twelve roles.
            client.force_login(getattr(case, persona))
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
        urls, wrong = pages_for(persona, client, case)
        found += wrong
        if persona == "dsl":
            # Unread (the list above marked the DSL's read): the header's count is checked on
            # the pages opened before the list.
            Notification.objects.create(
                recipient=case.dsl, incident=case.incident, kind="new_concern"
            )
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and refused.append(message.text)
            ),
        )
        for url in urls:
            page.set_viewport_size(LAPTOP)
            response = page.goto(url)
            if response.status != 200:
                found.append(f"{persona} {url}: {response.status} in the browser")
                continue
            if persona == "dsl" and url == reverse("dashboard"):
                expect(page.locator("#notifications-link .ypsi-count")).to_have_text("1 unread")
            found += [f"{persona} {url} at 1280: {f}" for f in axe_findings(page)]
            page.set_viewport_size(PHONE)
            found += [f"{persona} {url} at 390: {f}" for f in axe_findings(page)]
            if page.evaluate(SIDEWAYS):
                found.append(f"{persona} {url} at 390: the page scrolls sideways")
            found += [f"{persona} {url}: {text}" for text in refused]
            refused.clear()
        context.close()
        client.logout()
    assert not found, f"{len(found)} found:\n" + "\n".join(found)


def test_a_form_sent_empty_passes_axe_and_each_summary_link_moves_to_its_box(
    browser,
    live_server,
    client,
    case,  # noqa: F811
):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    client.force_login(case.dsl)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(reverse("action_add", args=[case.incident.pk]))
    page.get_by_role("button", name="Add the action").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert axe_findings(page) == []
    # Named field by field, never Django's "This field is required."
    expect(summary.get_by_role("link", name="Enter what will be done.")).to_be_visible()
    expect(summary).not_to_contain_text("This field is required")
    for link in summary.get_by_role("link").all():
        link.click()
        target = link.get_attribute("href").removeprefix("#")
        assert page.evaluate("() => document.activeElement.id") == target
        # And the box says why it is in error, to a screen reader too.
        described = page.locator(f"#{target}").get_attribute("aria-describedby") or ""
        fieldset = page.locator(f"fieldset:has(#{target})").first
        if not described and fieldset.count():
            described = fieldset.get_attribute("aria-describedby") or ""
        assert f"{target.removesuffix('_0')}_error" in described.split(), target
    context.close()
