"""R28, R31: a young person's file, its transfer within 5 school days, and import elsewhere."""

import datetime
import json
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil
from incidents.models import Notification
from records import transfers
from records.chasing import create_reminders
from records.models import AccessLog, ReceivedFile

pytestmark = pytest.mark.django_db


def riley(managed):
    return managed.people.get(pupil__isnull=False).pupil


def test_the_file_holds_every_incident_of_the_young_person(world, managed):
    data = transfers.young_person_file(riley(managed))
    assert data["format"] == "ypsi.young-person-file" and data["version"] == 1
    assert data["pupil"]["first_name"] == "Riley"
    [incident] = data["incidents"]
    assert incident["reference"] == managed.reference
    assert incident["roles"] == ["pictured", "sender"]
    assert incident["decisions"][0]["kind"] == "Manage in school"


def test_the_transfer_deadline_is_5_school_days_and_the_dsl_is_chased_until_receipt(
    world, managed, time_machine
):
    pupil = riley(managed)
    transfer = transfers.record_transfer(
        pupil, world.dsl, to_school="Riverbank High", moved_on=datetime.date(2026, 11, 20)
    )  # a Friday
    assert transfer.deadline == datetime.date(2026, 11, 27)
    time_machine.move_to(datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC), tick=False)
    create_reminders()
    chased = Notification.objects.filter(kind="transfer_overdue")
    assert {n.recipient.username for n in chased} == {"hil-dsl", "hil-deputy_dsl"}
    assert chased.first().link == reverse("pupil_file", args=[world.school.pk, pupil.pk])
    with pytest.raises(ValidationError, match="sent before its receipt"):
        transfers.record_receipt(transfer, world.dsl, at=timezone.now(), from_whom="DSL")
    transfers.record_sent(transfer, world.dsl, at=timezone.now(), how="Secure transfer service")
    transfers.record_receipt(transfer, world.dsl, at=timezone.now(), from_whom="Their DSL")
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), tick=False)
    before = chased.count()
    create_reminders()
    assert chased.count() == before


def test_the_json_exported_at_one_school_imports_at_another(client, world, managed):
    pupil = riley(managed)
    client.force_login(world.dsl)
    exported = client.get(reverse("pupil_file_json", args=[world.school.pk, pupil.pk]))
    assert AccessLog.objects.filter(incident=managed, what="export").exists()
    client.force_login(world.other_dsl)
    upload = SimpleUploadedFile("file.json", exported.content, content_type="application/json")
    response = client.post(reverse("import_file", args=[world.other_school.pk]), {"file": upload})
    assert response.status_code == 302
    received = ReceivedFile.objects.get()
    new_pupil = Pupil.objects.get(school=world.other_school)
    assert received.pupil == new_pupil and new_pupil.first_name == "Riley"
    page = client.get(reverse("pupil_file", args=[world.other_school.pk, new_pupil.pk])).text
    assert managed.reference in page and "Consensual, both 15" in page


def test_a_file_that_is_not_a_ypsi_file_is_refused(world):
    with pytest.raises(ValidationError, match="not a ypsi young person"):
        transfers.import_file(world.school, world.dsl, {"format": "other"})
    with pytest.raises(ValidationError, match="incomplete or damaged"):
        transfers.import_file(
            world.school,
            world.dsl,
            {"format": "ypsi.young-person-file", "version": 1, "pupil": {}},
        )


def test_another_school_cannot_read_or_export_the_file(client, world, managed):
    pupil = riley(managed)
    client.force_login(world.other_dsl)
    for name in ("pupil_file", "pupil_file_json", "pupil_file_pdf", "transfer_add"):
        assert client.get(reverse(name, args=[world.school.pk, pupil.pk])).status_code == 404, name
    client.force_login(world.administrator)
    assert client.get(reverse("pupil_file", args=[world.school.pk, pupil.pk])).status_code == 404


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_the_file_as_a_pdf(client, world, managed, tmp_path):
    client.force_login(world.dsl)
    response = client.get(reverse("pupil_file_pdf", args=[world.school.pk, riley(managed).pk]))
    path = tmp_path / "file.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Child protection file: Riley Roster" in text and managed.reference in text
    assert "OFFICIAL-SENSITIVE" in text


def test_transfers_and_their_timeliness_are_in_the_inspection_report(client, world, managed):
    pupil = riley(managed)
    moved = timezone.localdate() - datetime.timedelta(days=3)
    transfers.record_transfer(pupil, world.dsl, to_school="Riverbank High", moved_on=moved)
    client.force_login(world.headteacher)
    page = client.get(reverse("inspection_report")).text
    assert "Riverbank High" in page and "not confirmed" in page
    json.dumps(transfers.young_person_file(pupil))  # the file is plain JSON


# docs/young-person-file.md is the schema another school's software is written against: the
# importer must take exactly what it documents.
DOC = (settings.BASE_DIR / "docs" / "young-person-file.md").read_text()
ROW = re.compile(r"^\| `([^`]+)` \|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|$", re.MULTILINE)


def schema_rows(spec, path=""):
    """Every key SCHEMA names, as the documentation writes it: `incidents[].reason`."""
    for key, item in spec.items():
        here = f"{path}.{key}" if path else key
        yield here, item
        if isinstance(item, dict):
            yield from schema_rows(item, here)
        elif isinstance(item, transfers.Items) and isinstance(item.of, dict):
            yield from schema_rows(item.of, here + "[]")


def documented(spec) -> tuple[str, str]:
    """What the documentation must say of a value: a word of its kind, and its limit."""
    if isinstance(spec, transfers.Items):
        return "list", f"{spec.most:,} entries"
    if isinstance(spec, transfers.Text):
        return ("or `null`" if spec.null else ""), f"{spec.longest:,} characters"
    if isinstance(spec, dict):
        return "named values", ""
    return {bool: "true or false", int: "whole number"}[spec], ""


def test_the_documented_table_is_the_schema_the_importer_enforces():
    rows = {path: (value, limit) for path, value, limit in ROW.findall(DOC)}
    schema = dict(schema_rows(transfers.SCHEMA))
    assert set(rows) == set(schema)
    for path, spec in schema.items():
        value, limit = rows[path]
        kind, longest = documented(spec)
        assert kind in value and limit == longest, path
        if isinstance(spec, transfers.Text) and not spec.null:
            assert "or `null`" not in value, path
        choices = getattr(getattr(spec, "of", spec), "choices", ())
        assert all(f"`{c}`" in value for c in choices), path
    required = {p for p, (value, _) in rows.items() if "required" in value}
    assert required == {"format", "version", *transfers.REQUIRED}


def test_the_documented_example_imports_and_shows_every_key(world):
    example = re.search(r"```json\n(.*?)```", DOC, re.DOTALL)[1]
    data = json.loads(re.sub(r"\s+//[^\n]*", "", example))
    transfers.check_file(data)

    def keys(value, path=""):
        if isinstance(value, dict):
            for key, item in value.items():
                here = f"{path}.{key}" if path else key
                yield here
                yield from keys(item, here)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from keys(value[0], path + "[]")

    assert set(keys(data)) == set(dict(schema_rows(transfers.SCHEMA)))
    received = transfers.import_file(world.other_school, world.other_dsl, data)
    assert received.pupil.first_name == "Riley" and received.content == data


def test_the_exported_file_passes_the_documented_schema(world, managed):
    transfers.check_file(transfers.young_person_file(riley(managed)))
