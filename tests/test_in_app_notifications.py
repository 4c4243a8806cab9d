"""In-app notifications (issue 12 item 4): the same events as the emails, plus a decision
awaiting sign-off and one sent back, listed with an unread count in the header; an email names
the school and the reference, never the case."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents import services
from incidents.models import Notification

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review

Kind = Notification.Kind


@pytest.fixture
def reviewed(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15, roles=["pictured"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    complete_review(incident, world.dsl)
    return incident


def unread_in_header(client) -> str:
    page = client.get(reverse("dashboard")).text
    return page.split('id="notifications-link">')[1].split("</a>")[0]


def test_it_tells_the_headteacher_by_email_and_in_the_app_when_a_decision_awaits_sign_off(
    client, world, reviewed, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_manage_in_school(reviewed, world.dsl, reason="Consensual, both 15")
    note = Notification.objects.get(kind=Kind.AWAITING_SIGN_OFF)
    assert note.recipient == world.headteacher
    assert note.sent_at is not None, "emailed at once, not only when overdue"
    (email,) = [m for m in mail.outbox if world.headteacher.email in m.to]
    assert reviewed.reference in email.subject and "Hillside Academy" in email.subject
    assert f"{reviewed.reference} at Hillside Academy" in email.body
    assert "Consensual" not in email.body + email.subject, "no case detail by email"
    assert "Pictured" not in email.body

    client.force_login(world.headteacher)
    assert "1" in unread_in_header(client) and "unread" in unread_in_header(client)
    page = client.get(reverse("notification_list")).text
    assert "A decision is awaiting your sign-off" in page
    assert reviewed.reference in page and "Unread" in page
    # Opening it reads it and goes to the incident.
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.url == reverse("incident_detail", args=[reviewed.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert "unread" not in unread_in_header(client)


def test_it_tells_the_dsl_a_decision_was_sent_back(
    client, world, reviewed, django_capture_on_commit_callbacks
):
    decision = services.decide_manage_in_school(reviewed, world.dsl, reason="Consensual")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_off(decision, world.headteacher, comment="Tell the parents", send_back=True)
    note = Notification.objects.get(kind=Kind.SENT_BACK)
    assert note.recipient == world.dsl
    (email,) = [m for m in mail.outbox if m.to == [world.dsl.email]]
    assert "sent back" in email.body and "Tell the parents" not in email.body
    client.force_login(world.dsl)
    assert (
        "A decision you made was sent back to you" in client.get(reverse("notification_list")).text
    )
    # Opening the incident it is about reads it too.
    client.get(reverse("incident_detail", args=[reviewed.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_new_concern_email_says_it_once_with_the_reference(client, world):
    client.force_login(world.staff)
    incident = IncidentFactory(school=world.school)
    mail.outbox.clear()
    Notification.objects.create(recipient=world.dsl, incident=incident, kind=Kind.NEW_CONCERN)
    services.send_pending_notifications()
    (email,) = mail.outbox
    assert email.body.count("needs your attention") == 1
    assert f"A new concern needs your attention: {incident.reference} at Hillside Academy" in (
        email.body
    )
    html = email.alternatives[0][0]
    assert html.count("needs your attention") == 1


def test_a_notification_is_its_recipients_alone(client, world, reviewed):
    services.decide_manage_in_school(reviewed, world.dsl, reason="Consensual")
    note = Notification.objects.get(kind=Kind.AWAITING_SIGN_OFF)
    client.force_login(world.dsl)
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    assert "awaiting your sign-off" not in client.get(reverse("notification_list")).text
    note.refresh_from_db()
    assert note.read_at is None


def test_the_header_links_to_the_dashboard_incidents_and_reports_for_each_role(client, world):
    client.force_login(world.dsl)
    header = client.get(reverse("dashboard")).text.split("</header>")[0]
    for name in ("dashboard", "incident_list", "my_reports", "notification_list"):
        assert f'href="{reverse(name)}"' in header
    client.force_login(world.staff)
    header = client.get(reverse("dashboard")).text.split("</header>")[0]
    assert f'href="{reverse("incident_list")}"' not in header
    assert f'href="{reverse("my_reports")}"' in header
