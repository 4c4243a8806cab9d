"""R39: every decision to share information, or not to, is recorded with what, with whom, why,
consent and the lawful basis; it is on the incident's page, in its PDF, chronology and history,
and counted in the inspection report."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents.chronology import chronology
from incidents.models import Stage
from records import inspection, sharing
from records.models import SharingDecision

from .factories import IncidentFactory

pytestmark = pytest.mark.django_db

SHARE = {
    "decision": "share",
    "decided_at": timezone.now() - datetime.timedelta(hours=2),
    "decided_by": "The DSL",
    "recipient_kind": "school",
    "recipient": "Ms Head, DSL at Northfield High",
    "what": "That a concern about sharing imagery was managed in school.",
    "why": "The pupil has moved; the new DSL needs it to keep her safe.",
    "consent": "not_sought",
    "consent_from": "",
    "consent_note": "KCSIE: the file moves with the pupil; consent is not the basis.",
    "lawful_basis": "public_task",
}


def test_it_records_a_decision_with_its_lawful_basis_and_history(world):
    incident = IncidentFactory(school=world.school)
    row = sharing.record_sharing(incident, world.dsl, **SHARE)
    assert row.history.get().history_change_reason == "Information sharing decision: shared"
    assert row.history.get().history_user == world.dsl


@pytest.mark.parametrize(
    "change, refusal",
    [
        ({"lawful_basis": ""}, "lawful basis"),
        ({"consent_note": ""}, "why consent was not sought"),
        ({"consent": "given", "consent_from": ""}, "whose consent"),
        ({"lawful_basis": "consent"}, "sought and given"),
        ({"why": " "}, "why"),
    ],
)
def test_it_refuses_a_decision_missing_what_the_advice_asks_for(world, change, refusal):
    incident = IncidentFactory(school=world.school)
    with pytest.raises(ValidationError, match=refusal):
        sharing.record_sharing(incident, world.dsl, **(SHARE | change))
    assert not SharingDecision.objects.exists()


def test_a_decision_not_to_share_needs_no_basis_and_keeps_none(world):
    incident = IncidentFactory(school=world.school)
    row = sharing.record_sharing(
        incident,
        world.dsl,
        **SHARE
        | {
            "decision": "not_share",
            "recipient_kind": "other_parent",
            "recipient": "The parent of the other young person",
            "lawful_basis": "public_task",
        },
    )
    assert row.lawful_basis == ""


def test_only_a_dsl_records_it_and_a_closed_case_still_takes_one(world):
    incident = IncidentFactory(school=world.school, stage=Stage.CLOSED)
    with pytest.raises(PermissionDenied):
        sharing.record_sharing(incident, world.headteacher, **SHARE)
    sharing.record_sharing(incident, world.dsl, **SHARE)
    assert incident.sharing_decisions.count() == 1


def test_it_is_in_the_chronology_the_page_and_the_inspection_report(world, client):
    incident = IncidentFactory(school=world.school)
    sharing.record_sharing(incident, world.dsl, **SHARE)
    sharing.record_sharing(
        incident, world.dsl, **SHARE | {"decision": "not_share", "recipient": "A platform"}
    )
    assert "Information shared with Ms Head, DSL at Northfield High" in [
        e.what for e in chronology(incident)
    ]
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[incident.pk])).text
    assert "Northfield High" in page and "Public task" in page
    assert reverse("sharing_add", args=[incident.pk]) in page
    report = inspection.report(
        type(incident).objects.filter(pk=incident.pk),
        timezone.localdate() - datetime.timedelta(days=1),
        timezone.localdate(),
    )
    assert {label: n for label, n, _ in report["sharing"]} == {"Shared": 1, "Not shared": 1}


def test_the_form_records_a_decision_and_keeps_the_typing_when_refused(world, client):
    incident = IncidentFactory(school=world.school)
    client.force_login(world.dsl)
    url = reverse("sharing_add", args=[incident.pk])
    when = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "decision": "share",
        "decided_at_day": when.day,
        "decided_at_month": when.month,
        "decided_at_year": when.year,
        "decided_at_time": when.strftime("%H:%M"),
        "decided_by": "The DSL",
        "recipient_kind": "agency",
        "recipient": "Children's social care front door",
        "what": "The concern and the young people's names.",
        "why": "A referral: the child may be at risk of harm.",
        "consent": "not_sought",
        "consent_note": "",
        "lawful_basis": "public_task",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "front door" in refused.text
    assert "Say why consent was not sought" in refused.text
    data["consent_note"] = "Seeking it would put the child at greater risk."
    assert client.post(url, data).status_code == 302
    assert incident.sharing_decisions.get().recipient == "Children's social care front door"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_it_is_in_the_incidents_pdf(world, client, tmp_path):
    incident = IncidentFactory(school=world.school)
    sharing.record_sharing(incident, world.dsl, **SHARE)
    client.force_login(world.dsl)
    path = tmp_path / "record.pdf"
    path.write_bytes(client.get(reverse("incident_pdf", args=[incident.pk])).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Information sharing" in text and "Northfield High" in text
    assert "Record an information sharing decision" not in text  # no links in the PDF
