"""Issue 12 item 6: every form of the permission matrix, sent with nothing filled in, says what
is missing field by field (GOV.UK's "Enter ..." / "Select ..."), links each error in the summary
to the box itself, and points aria-describedby only at what is on the page, so a screen reader
reads the hint and the error with the box.
"""

import collections
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from ypsi.forms import what_is_missing

from .test_permissions import MATRIX, case  # noqa: F401 (case: the fixture)

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}
REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")


class Page(HTMLParser):
    """The ids on a page (with their tag), the ids its aria attributes name, and where the
    error summary's links go with what they say."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.references, self.summary = {}, [], []
        self._in_summary = False
        self._href = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        for name in REFERENCES:
            self.references += [(name, ref) for ref in (attrs.get(name) or "").split()]
        if "govuk-error-summary__list" in (attrs.get("class") or ""):
            self._in_summary = True
        if self._in_summary and tag == "a":
            self._href = (attrs.get("href") or "").removeprefix("#")

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary = False

    def handle_data(self, data):
        if self._href is not None and data.strip():
            self.summary.append((self._href, data.strip()))
            self._href = None


@pytest.mark.parametrize("persona", ["dsl", "headteacher", "administrator", "staff"])
def test_every_form_sent_empty_names_each_missing_field_and_links_to_its_box(
    client,
    case,  # noqa: F811 (the fixture)
    persona,
):
    client.force_login(getattr(case, persona))
    wrong, forms_seen = [], 0
    for name, args, allowed, _ in MATRIX:
        if persona not in allowed:
            continue
        url = reverse(name, args=args(case))
        for method, response in (
            ("shown", client.get(url)),
            # A field nobody fills: the form is bound, so every required field is empty.
            ("sent empty", client.post(url, {"nothing": ""})),
        ):
            if not response["Content-Type"].startswith("text/html") or response.status_code >= 401:
                continue
            page = Page(response.text)
            wrong += [
                f"{name} {method}: {attr} names #{ref}, which is not on the page"
                for attr, ref in page.references
                if ref not in page.ids
            ]
            if page.summary:
                forms_seen += 1
            wrong += [
                f"{name} {method}: the summary's '{text}' goes to a {page.ids.get(href)}, "
                f"not a box (#{href})"
                for href, text in page.summary
                if page.ids.get(href) not in CONTROLS
            ]
            said = collections.Counter(text for _, text in page.summary)
            wrong += [
                f"{name} {method}: '{text}' said {times} times"
                for text, times in said.items()
                if times > 1 or re.search(r"This field is required", text)
            ]
    assert forms_seen, "no form was sent"
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "field, label, message",
    [
        (forms.CharField(), "What will be done", "Enter what will be done."),
        (forms.ChoiceField(), "Owner", "Select owner."),
        (forms.FileField(), "The file (optional)", "Select the file."),
        (forms.CharField(), "UPN", "Enter UPN."),
        (forms.CharField(), "Who has seen or shared it?", "Enter who has seen or shared it."),
        (forms.DateField(), "When was it confiscated?", "Answer “When was it confiscated?”"),
        (forms.ChoiceField(), "Is it real?", "Answer “Is it real?”"),
    ],
)
def test_an_empty_field_s_message_says_what_to_do_with_that_field(field, label, message):
    assert what_is_missing(field, label) == message
