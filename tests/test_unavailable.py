"""Issue 10 item 5: when the database goes away, nothing is half-saved and nothing typed is lost."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from incidents import services
from incidents.models import Incident, InvolvedPerson, Notification

from .test_intake import form_data

pytestmark = pytest.mark.django_db

ACCOUNT = 'She said: "it\'s on <every> phone" & more.\nThen she left.'


class FormFields(HTMLParser):
    """What a browser would send from the page's form: inputs and textareas with a name."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") != "file":
            self.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.setdefault(name, []).append(value.removeprefix("\n"))
            self._textarea = None


def resent(page) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(page.text)
    return parser.fields


@pytest.fixture
def database_down(monkeypatch):
    """Call it to make every query fail as a refused connection does; undo() brings it back."""

    def refuse(self):
        raise OperationalError("connection to server failed: Connection refused")

    def go_down():
        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        return monkeypatch

    return go_down


def test_a_report_sent_while_the_database_is_down_is_kept_and_saved_once_it_is_back(
    client, world, database_down
):
    client.force_login(world.staff)
    outage = database_down()
    page = client.post(reverse("report_concern"), form_data(account=ACCOUNT))
    outage.undo()

    assert page.status_code == 503
    assert "Nothing you sent has been saved." in page.text
    assert "Try again" in page.text
    assert "it&#x27;s on &lt;every&gt; phone&quot; &amp; more." in page.text
    assert "Kai Invented" in page.text
    assert not Incident.objects.exists()

    again = resent(page)
    assert "csrfmiddlewaretoken" in again  # a fresh one
    assert again["account"] == [ACCOUNT]
    assert again["person-0-roles"] == ["pictured", "maker"]
    response = client.post(reverse("report_concern"), again)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.account == ACCOUNT
    assert incident.people.get().name == "Kai Invented"


def test_a_database_lost_half_way_through_a_report_leaves_no_half_record(
    client, world, monkeypatch
):
    execute = CursorWrapper.execute

    def lost_at_the_people(self, sql, params=None):
        if sql.startswith('INSERT INTO "incidents_involvedperson"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(self, sql, params)

    client.force_login(world.staff)
    monkeypatch.setattr(CursorWrapper, "execute", lost_at_the_people)
    page = client.post(reverse("report_concern"), form_data())
    monkeypatch.undo()

    assert page.status_code == 503
    assert "He said his photo had been sent to older boys." in page.text
    assert not Incident.objects.exists()
    assert not InvolvedPerson.objects.exists() and not Notification.objects.exists()


def test_a_page_asked_for_while_the_database_is_down_says_so(client, world, database_down):
    client.force_login(world.dsl)
    database_down()
    page = client.get(reverse("dashboard"))
    assert page.status_code == 503
    assert "Sorry, the service is unavailable" in page.text
    assert "Try again in a few minutes." in page.text
    assert '<form method="post" action' not in page.text


def test_a_password_is_never_written_back_into_the_page(client, world, database_down):
    database_down()
    page = client.post(reverse("login"), {"username": "hil-staff", "password": "s3cret-typed"})
    assert page.status_code == 503
    assert "s3cret-typed" not in page.text
    assert resent(page)["username"] == ["hil-staff"]


def test_a_chosen_file_is_asked_for_again(client, world, database_down):
    client.force_login(world.administrator)
    database_down()
    page = client.post(
        reverse("pupil_import", args=[world.school.pk]),
        {"file": SimpleUploadedFile("roster.csv", b"upn,surname\n", content_type="text/csv")},
    )
    assert page.status_code == 503
    assert "Files are not kept: choose roster.csv again" in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_a_bug_is_not_mistaken_for_an_outage(client, world, monkeypatch):
    def broken(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: incidents_incident.reference")

    monkeypatch.setattr(services, "report_concern", broken)
    client.raise_request_exception = False
    client.force_login(world.staff)
    page = client.post(reverse("report_concern"), form_data())
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    assert "Nothing you just sent has been saved." in page.text
    assert not Incident.objects.exists()
