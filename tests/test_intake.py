"""R1, R2, R4, R25, R34: any member of staff reports; the DSL and deputies hear at once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Notification, Stage
from incidents.services import Person, notifications

from .factories import PupilFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def report(world, reporter=None, **overrides):
    fields = {
        "reporter": reporter or world.staff,
        "school": world.school,
        "disclosure_source": "friend",
        "discloser": "A friend in Year 9",
        "disclosed_at": timezone.now() - datetime.timedelta(hours=2),
        "received_by": "Form tutor",
        "account": "She said a photo of Jordan Synthetic was going round the group chat.",
        "people": [Person(roles=["pictured"], name="Jordan Synthetic", age=14)],
    }
    return services.report_concern(**(fields | overrides))


def test_it_records_the_disclosure_and_the_people(world):
    pupil = PupilFactory(school=world.school, first_name="Robin")
    incident = report(
        world,
        people=[
            Person(roles=["pictured", "sender"], pupil=pupil),
            Person(roles=["recipient"], name="Unknown adult online", age_band="18_plus"),
        ],
    )
    assert incident.reference == f"HIL-{timezone.localdate().year}-0001"
    assert incident.stage == Stage.REPORTED
    people = list(incident.people.all())
    assert people[0].pupil == pupil and people[0].roles == ["pictured", "sender"]
    assert people[1].display_name == "Unknown adult online"
    record = incident.history.get()
    assert record.history_user == world.staff
    assert record.history_change_reason == "Concern reported"


def test_it_numbers_each_schools_incidents_separately(world):
    report(world)
    second = report(world)
    other = report(world, reporter=world.other_staff, school=world.other_school, people=[])
    assert second.reference.endswith("-0002")
    assert other.reference.startswith("MEA-") and other.reference.endswith("-0001")


def test_it_refuses_a_pupil_from_another_schools_roll(world):
    stranger = PupilFactory(school=world.other_school)
    with pytest.raises(ValidationError, match="not on this school's roll"):
        report(world, people=[Person(roles=["pictured"], pupil=stranger)])
    assert not Incident.objects.exists()


def test_it_refuses_a_person_without_a_part_or_a_name(world):
    with pytest.raises(ValidationError, match="what part"):
        report(world, people=[Person(roles=[], name="Someone")])
    with pytest.raises(ValidationError, match="name or a description"):
        report(world, people=[Person(roles=["sharer"])])


def test_it_refuses_a_report_from_someone_with_no_role_at_the_school(world):
    with pytest.raises(PermissionDenied):
        report(world, reporter=world.other_staff)
    with pytest.raises(PermissionDenied):
        report(world, reporter=world.trust_lead)


def test_it_refuses_a_disclosure_in_the_future(world):
    with pytest.raises(ValidationError, match="future"):
        report(world, disclosed_at=timezone.now() + datetime.timedelta(days=1))


def test_it_emails_every_dsl_and_deputy_of_the_school_and_no_one_else(
    world, django_capture_on_commit_callbacks
):
    second_deputy = UserFactory()
    world.school.memberships.create(user=second_deputy, role="deputy_dsl")
    with django_capture_on_commit_callbacks(execute=True):
        report(world)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.dsl.email, world.deputy_dsl.email, second_deputy.email])


def test_the_email_carries_no_detail_of_the_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(world)
    message = mail.outbox[0]
    text = message.subject + message.body + message.alternatives[0][0]
    for detail in ("Jordan", "Synthetic", "group chat", "friend"):
        assert detail not in text
    # Issue 12: the school and the reference, so the DSL knows which case, and nothing more.
    assert f"{incident.reference} at Hillside Academy" in message.body
    assert f"/incidents/{incident.pk}/" in message.body
    assert "needs your attention" in message.subject


def test_a_notification_is_sent_once_however_often_the_sweep_runs(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(world)
    assert len(mail.outbox) == 2
    assert services.send_pending_notifications() == 0
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_by_the_sweep(world, monkeypatch):
    report(world)  # on_commit callbacks not run: as if the broker was down
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2

    def broken(note):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(notifications, "deliver", broken)
    assert services.send_pending_notifications() == 0
    monkeypatch.undo()
    from incidents.tasks import sweep

    done = sweep.delay().get()
    assert done.pop("notifications") == 2
    assert set(done.values()) == {0}, "every app's sweep ran and found nothing to do"
    assert len(mail.outbox) == 2


def test_a_notification_claimed_by_a_dead_worker_is_sent_after_the_claim_expires(
    world, time_machine, settings
):
    time_machine.move_to(timezone.now(), tick=False)
    report(world)
    Notification.objects.update(claimed_at=timezone.now())
    assert services.send_pending_notifications() == 0
    time_machine.shift(datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 1))
    assert services.send_pending_notifications() == 2


# The pages


def form_data(**overrides):
    today = timezone.localdate() - datetime.timedelta(days=1)  # in the past at any hour
    data = {
        "school": "",
        "disclosure_source": "young_person",
        "discloser": "The young person",
        "disclosed_on_day": str(today.day),
        "disclosed_on_month": str(today.month),
        "disclosed_on_year": str(today.year),
        "disclosed_time": "00:05",
        "received_by": "Mr Tutor",
        "account": "He said his photo had been sent to older boys.",
        "devices_and_platforms": "Snapchat",
        "spread": "few",
        "person-TOTAL_FORMS": "1",
        "person-INITIAL_FORMS": "0",
        "person-MIN_NUM_FORMS": "0",
        "person-MAX_NUM_FORMS": "40",
        "person-0-name": "Kai Invented",
        "person-0-age": "14",
        "person-0-age_band": "unknown",
        "person-0-sex": "male",
        "person-0-roles": ["pictured", "maker"],
    }
    return data | overrides


def test_staff_report_in_the_browser_and_see_only_a_receipt(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("report_concern"), form_data())
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report_receipt", args=[incident.reference])
    receipt = client.get(response.url)
    assert incident.reference in receipt.text
    assert "Kai Invented" not in receipt.text and "older boys" not in receipt.text
    assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 404
    mine = client.get(reverse("my_reports"))
    assert incident.reference in mine.text and "older boys" not in mine.text


def test_the_dsl_sees_everything_that_was_reported(client, world):
    client.force_login(world.staff)
    client.post(reverse("report_concern"), form_data())
    incident = Incident.objects.get()
    client.force_login(world.dsl)
    dashboard = client.get(reverse("dashboard"))
    assert incident.reference in dashboard.text
    page = client.get(reverse("incident_detail", args=[incident.pk]))
    for shown in (
        "He said his photo had been sent to older boys.",
        "Kai Invented",
        "Snapchat",
        "Mr Tutor",
        "The young person themselves",
        "Pictured in the imagery, Made the imagery",
        "Shared with a few people",
    ):
        assert shown in page.text


def test_a_form_with_errors_keeps_everything_typed(client, world):
    client.force_login(world.staff)
    data = form_data(disclosed_on_day="31", disclosed_on_month="2", **{"person-0-roles": []})
    response = client.post(reverse("report_concern"), data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Enter a real date" in response.text
    assert "Select their part in what happened." in response.text
    assert "He said his photo had been sent to older boys." in response.text
    assert 'value="Kai Invented"' in response.text
    assert 'value="31"' in response.text
    assert not Incident.objects.exists()


def test_add_another_person_keeps_what_was_typed(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("report_concern"), form_data(add_person="1"))
    assert response.status_code == 200
    assert 'name="person-1-name"' in response.text
    assert 'value="Kai Invented"' in response.text
    assert "There is a problem" not in response.text
    assert not Incident.objects.exists()


def test_a_roster_pupil_can_be_chosen_but_not_another_schools(client, world):
    ours = PupilFactory(school=world.school, first_name="Rosa")
    theirs = PupilFactory(school=world.other_school, first_name="Otto")
    client.force_login(world.staff)
    for name, found in (("Rosa", True), ("Otto", False)):
        data = form_data(find_pupils="1", **{"person-0-pupil_query": name})
        page = client.post(reverse("report_concern"), data)
        assert (f"<bdi>{name} " in page.text) is found
    response = client.post(
        reverse("report_concern"), form_data(**{"person-0-pupil": str(theirs.pk)})
    )
    assert response.status_code == 400 and not Incident.objects.exists()
    response = client.post(
        reverse("report_concern"),
        form_data(**{"person-0-pupil": str(ours.pk), "person-0-name": ""}),
    )
    assert response.status_code == 302
    assert Incident.objects.get().people.get().pupil == ours


def test_someone_at_two_schools_chooses_which_school_first(client, world):
    world.other_school.memberships.create(user=world.staff, role="staff")
    client.force_login(world.staff)
    page = client.get(reverse("report_concern"))
    assert "Which school" in page.text
    response = client.post(reverse("report_concern"), form_data(school=str(world.other_school.pk)))
    assert response.status_code == 302
    assert Incident.objects.get().school == world.other_school


def test_a_school_with_no_trust_still_works(client, db):
    school = SchoolFactory(trust=None, code="SOLO")
    from .factories import member

    staff = member(school, "staff")
    incident = services.report_concern(
        reporter=staff,
        school=school,
        disclosure_source="staff",
        disclosed_at=timezone.now(),
        received_by="Me",
        account="Found on a school tablet.",
    )
    assert incident.reference.startswith("SOLO-")
