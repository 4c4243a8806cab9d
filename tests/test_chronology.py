"""Everything recorded is in the record (issue 12 item 3): the meeting, who attended and what it
established on the incident page, in the history and in the PDF; the chronology complete, each
thing once."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.chronology import chronology
from incidents.rules import Consideration
from records.models import DeletionRequest, SearchRecord, ViewingRecord

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review


def ago(**kw):
    return timezone.now() - datetime.timedelta(**kw)


@pytest.fixture
def met(world):
    """An incident whose initial review meeting is recorded, with two staff and a visitor."""
    incident = IncidentFactory(school=world.school, disclosed_at=ago(hours=5))
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15, roles=["pictured"])
    services.record_meeting(
        incident,
        world.dsl,
        held_at=ago(hours=2),
        attendees=[world.dsl, world.deputy_dsl],
        other_attendees="Sam Visitor, school nurse",
        considerations={
            Consideration.IMMEDIATE_RISK: "No immediate risk: both at home tonight.",
            Consideration.PARENTS: "Parents to be told tomorrow morning.",
        },
    )
    return incident


def test_it_shows_the_meeting_attendees_and_considerations_on_the_incident_page(
    client, world, met
):
    client.force_login(world.headteacher)
    page = client.get(reverse("incident_detail", args=[met.pk])).text
    section = page.split('id="meeting"')[1].split("</dl>\n{% ")[0]
    for expected in (
        world.dsl.get_full_name(),
        world.deputy_dsl.get_full_name(),
        "Sam Visitor, school nurse",
        "No immediate risk: both at home tonight.",
        "Parents to be told tomorrow morning.",
    ):
        assert expected in section
    # All nine are listed, the ones not discussed said so.
    for label in Consideration.labels:
        assert label.split(" (")[0].replace("'", "&#x27;") in section
    assert section.count("Nothing recorded") == 7


def test_it_shows_who_attended_and_what_was_established_in_the_history(client, world, met):
    client.force_login(world.dsl)
    page = client.get(reverse("incident_history", args=[met.pk])).text
    assert "Recorded the initial review" in page
    assert world.deputy_dsl.get_full_name() in page
    assert "Sam Visitor, school nurse" in page
    assert "No immediate risk: both at home tonight." in page
    assert "Whether there is an immediate risk to a young person or young people" in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_it_puts_the_meeting_in_the_pdf(client, world, met, tmp_path):
    client.force_login(world.dsl)
    response = client.get(reverse("incident_pdf", args=[met.pk]))
    (tmp_path / "record.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "record.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = " ".join(text.split())
    assert "The initial review meeting" in text
    assert world.deputy_dsl.get_full_name() in text
    assert "Sam Visitor, school nurse" in text
    assert "Parents to be told tomorrow morning." in text


def test_it_tells_everything_recorded_once_in_the_chronology(client, world, met):
    person = met.people.get()
    viewing = ViewingRecord.objects.create(
        incident=met,
        reason="unavoidable",
        viewed_at=ago(hours=1, minutes=50),
        viewer=world.dsl,
        staff_present=world.deputy_dsl,
        place="DSL office",
        why="It was shown to staff",
        what_followed="Reported",
        same_sex=True,
        recorded_by=world.dsl,
        viewer_confirmed_at=ago(hours=1, minutes=45),
        present_confirmed_at=ago(hours=1, minutes=40),
    )
    DeletionRequest.objects.create(
        incident=met,
        young_person=person,
        asked_at=ago(hours=1, minutes=30),
        asked_by=world.dsl,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=timezone.localdate() + datetime.timedelta(days=2),
        status=DeletionRequest.Status.CONFIRMED,
        confirmed_at=ago(hours=1, minutes=20),
        confirmed_how="Shown the empty album",
        witnessed_by="Form tutor",
    )
    SearchRecord.objects.create(
        incident=met,
        young_person=person,
        searched_at=ago(hours=1, minutes=10),
        place="Office",
        searched_by=world.deputy_dsl,
        authorised_by=world.headteacher,
        authorised_at=ago(hours=1, minutes=15),
        present="DSL",
        sought="The image",
        found="Nothing",
        followed="Returned",
        recorded_by=world.deputy_dsl,
    )
    first = services.decide_refer(
        met, world.dsl, agency="csc", made_at=timezone.now(), reason="Social care must know"
    )
    services.add_action(
        met,
        world.dsl,
        kind="support",
        description="Check in with the pupil",
        owner=world.deputy_dsl,
        due=timezone.localdate() + datetime.timedelta(days=1),
    )
    events = chronology(met)
    what = [e.what for e in events]
    assert what.index("Concern disclosed") == 0, "the disclosure comes first, at its own time"
    assert events[0].at == met.disclosed_at
    for expected in (
        "Initial review meeting held",
        "Viewing record confirmed",
        "Viewing record confirmed by the member of staff present",
        "Pictured asked to delete the imagery",
        "Deletion confirmed: Pictured",
        "Device searched: Pictured",
        "Action added: Check in with the pupil",
    ):
        assert what.count(expected) == 1, expected
    assert len([w for w in what if w.startswith("Imagery viewed")]) == 1
    assert what.count("Decision: refer") == 1, "the decision is listed once"
    assert not [w for w in what if w.startswith("Referred:")], "not again as a change of stage"
    assert first.reason in [e.detail for e in events if e.what == "Decision: refer"]
    meeting = next(e for e in events if e.what == "Initial review meeting held")
    assert world.deputy_dsl.get_full_name() in meeting.detail
    assert viewing.place in [e.detail for e in events]
    client.force_login(world.dsl)
    page = client.get(reverse("incident_chronology", args=[met.pk])).text
    assert "Action added: Check in with the pupil" in page


def test_a_decision_sent_back_is_told_once(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15, roles=["pictured"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    complete_review(incident, world.dsl)
    decision = services.decide_manage_in_school(incident, world.dsl, reason="Consensual")
    services.sign_off(
        decision, world.headteacher, comment="Tell the parents first", send_back=True
    )
    events = chronology(incident)
    what = [e.what for e in events]
    assert what.count("Decision: manage in school") == 1
    assert what.count("Sent back (Headteacher)") == 1
    told = [e for e in events if "Tell the parents first" in f"{e.what} {e.detail}"]
    assert len(told) == 1, [e.what for e in told]
