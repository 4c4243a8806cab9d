"""A subject access request in the browser (R41): recorded by the DSL, previewed with every
other child withheld, approved by the headteacher, released as a redacted PDF."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def file(world):
    riley = factories.PupilFactory(school=world.school, first_name="Riley", last_name="Subject")
    casey = factories.PupilFactory(school=world.school, first_name="Casey", last_name="Otherchild")
    incident = factories.IncidentFactory(
        school=world.school,
        account="Casey Otherchild told her tutor.",
        closure_reason="Casey Otherchild and Riley were supported.",
    )
    factories.InvolvedPersonFactory(incident=incident, pupil=riley, name="", roles=["pictured"])
    factories.InvolvedPersonFactory(incident=incident, pupil=casey, name="", roles=["sharer"])
    return incident


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_a_request_is_answered_with_a_redacted_pdf_approved_by_the_headteacher(
    page, live_server, login, axe, world, file, tmp_path
):
    login(world.dsl)
    page.get_by_role("link", name="Subject access requests").click()
    axe("the list of requests")
    page.get_by_role("link", name="Record a subject access request").click()
    axe("the request form")
    page.get_by_label("The young person whose file is asked for").select_option(
        label="Riley Subject"
    )
    page.get_by_label("Who is asking").fill("Pat Subject")
    page.get_by_label("A parent or carer").check()
    page.get_by_label("How their identity, and their right to ask, were checked").fill(
        "Known to us"
    )
    page.get_by_role("button", name="Record the request").click()
    expect(page.locator("#sar-list")).to_contain_text("Pat Subject")
    page.locator("#sar-list").get_by_role("link", name="Riley Subject").click()

    response = page.locator("#main-content")
    expect(response).to_contain_text("[withheld: another young person]")
    expect(response).to_contain_text("and Riley were supported")
    expect(page.locator(".ypsi-sar-response")).not_to_contain_text("Casey")
    expect(page.locator("#sar-withheld")).to_contain_text("Third-party data")
    axe("the preview")
    page.get_by_role("link", name="Send for the headteacher's approval").click()
    page.get_by_label("I have read the preview").check()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator("#sar-status")).to_contain_text("Waiting for the headteacher's approval")

    login(world.headteacher)
    page.locator("#sar-to-approve").get_by_role("link").click()
    axe("the response waiting for approval")
    page.get_by_role("link", name="Approve or send back").click()
    page.get_by_label("Yes: it may be released").check()
    page.get_by_role("button", name="Record your decision").click()
    expect(page.locator("#sar-status")).to_contain_text("Approved by")

    login(world.dsl)
    page.locator("#sar-open").get_by_role("link").click()
    page.get_by_role("link", name="Record the release").click()
    axe("the release form")
    page.get_by_label("How it was sent securely").fill("Handed over in person")
    page.get_by_role("button", name="Record the release").click()
    expect(page.locator("#sar-released")).to_contain_text("Pat Subject")
    axe("the released request")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the redacted PDF").click()
    path = tmp_path / "response.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Riley Subject" in text and file.reference in text
    assert "Casey" not in text and "Otherchild" not in text
