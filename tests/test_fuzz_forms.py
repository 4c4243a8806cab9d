"""Every form of every page, fuzzed (issue 10): whatever is typed, never a server error, and a
refused form shows again with everything typed in it.

The fields are read from the page itself (as a browser would), so a new form is fuzzed as soon
as its URL is in the permission matrix.
"""

import html
import uuid
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_permissions import MATRIX
from .test_permissions import case as case  # the fixture the matrix's URLs need

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.fuzz]


@pytest.fixture(autouse=True)
def many_reports_allowed():
    """Hundreds of examples report from one account: volume is test_report_volume's concern."""
    with override_settings(REPORTS_NOTICE_PER_HOUR=10**6, REPORTS_CEILING_PER_HOUR=10**6):
        yield


UPLOADS = {"import_file", "pupil_import"}  # files: the imagery and CSV tests cover them
FORM_PAGES = [
    (name, args, "headteacher" if name in ("incident_sign_off", "delegation_add") else "dsl")
    for name, args, allowed, _ in MATRIX
    if name not in UPLOADS and ({"dsl", "headteacher"} & allowed)
]


class Forms(HTMLParser):
    """The page's POST forms, each as {name: (kind, choices, value)}."""

    def __init__(self):
        super().__init__()
        self.forms, self.fields, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "logout" not in (a.get("action") or ""):
            self.fields = {}
            self.forms.append(self.fields)
        if self.fields is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            field = self.fields.setdefault(a["name"], [kind, [], a.get("value", "")])
            if kind in ("radio", "checkbox"):
                field[1].append(a.get("value", "on"))
        elif tag == "textarea":
            self.fields[a["name"]] = ["textarea", [], ""]
        elif tag == "select":
            self.select = a["name"]
            self.fields[a["name"]] = ["select", [], ""]
        elif tag == "option" and self.select:
            self.fields[self.select][1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        if tag == "select":
            self.select = None


def page_forms(client, url) -> list[dict]:
    response = client.get(url)
    if not response["Content-Type"].startswith("text/html"):
        return []  # a PDF or a JSON file: nothing to type into
    parser = Forms()
    parser.feed(response.content.decode())
    return [f for f in parser.forms if f]


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
JUNK = st.one_of(
    TEXT,
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", " ", "31", "2", "1900", "99999", "25:61", "12:00", "-1", "1e9", "NaN"]),
)


def value_for(kind: str, choices: list) -> st.SearchStrategy:
    if choices:
        return st.one_of(st.sampled_from(choices), JUNK)
    return JUNK


@pytest.mark.parametrize("name, args, who", FORM_PAGES, ids=[p[0] for p in FORM_PAGES])
def test_no_form_gives_a_server_error_and_a_refusal_keeps_the_typing(
    client, case, name, args, who
):
    client.force_login(getattr(case, who))
    url = reverse(name, args=args(case))
    forms = page_forms(client, url)
    if not forms:
        pytest.skip(f"{name} has no form")

    def filled(fields):
        typed = {n: f for n, f in fields.items() if f[0] != "hidden"}
        hidden = {n: f[2] for n, f in fields.items() if f[0] == "hidden"}
        values = st.fixed_dictionaries({n: value_for(f[0], f[1]) for n, f in typed.items()})
        return values.map(lambda v: (typed, hidden, v))

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.sampled_from(forms).flatmap(filled))
    def post(form):
        typed, hidden, values = form
        data = {**hidden, **values, "form_token": str(uuid.uuid4())}
        response = client.post(url, data)
        assert response.status_code < 500, (name, data)
        if response.status_code == 400:
            page = response.content.decode()
            for field_name, value in values.items():
                if typed[field_name][0] in ("text", "textarea") and value.strip():
                    assert html.escape(value.strip()) in page or html.escape(value) in page, (
                        name,
                        field_name,
                        value,
                    )

    post()
