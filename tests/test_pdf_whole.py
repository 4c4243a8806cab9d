"""Issue 21 item 6: the PDF is the whole record.

Every label of the incident page's summary lists and tables is in the incident PDF with its
value; a long link wraps instead of running off the page; the young person's file says what the
incident PDF says, in the same words and dates.
"""

import datetime
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Spread
from incidents.rules import Answer

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test"
    ),
]

URL = "https://example.invalid/" + "a1b2c3d4e5" * 28 + "/end"  # 300 characters, no break


def pdf_text(content: bytes, tmp_path, *flags) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", *flags, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def page_labels(html: str) -> list[str]:
    """The labels of the page's summary lists and the headers of its tables."""
    cells = re.findall(r"<(dt|th)[^>]*>(.*?)</\1>", html, flags=re.S)
    labels = [flat(unescape(re.sub(r"<[^>]+>", "", inner))) for _tag, inner in cells]
    return [label for label in dict.fromkeys(labels) if label]


@pytest.fixture
def managed(world):
    """A reviewed incident with a roster pupil (sender, pictured) and a partner who received it.

    (Its own, not conftest's: only what the page and the PDF show is needed.)"""
    incident = IncidentFactory(school=world.school)
    pupil = PupilFactory(
        school=world.school,
        first_name="Riley",
        last_name="Roster",
        date_of_birth=datetime.date(2011, 1, 1),
    )
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="", roles=["pictured", "sender"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    services.record_facts(incident, world.dsl, "", incident_type="self", sexual_acts=Answer.NO)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def recorded(managed):
    """With what a report gives and the page shows."""
    managed.devices_and_platforms = "Snapchat on a school iPad"
    managed.spread = Spread.WIDELY
    managed.account = "She showed me a link: " + URL + " and said it was everywhere."
    managed.save()
    return managed


def test_every_label_and_value_of_the_incident_page_is_in_its_pdf(
    client, world, recorded, tmp_path
):
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[recorded.pk])).text
    labels = page_labels(page)
    assert {"Devices, apps, platforms", "How widely shared", "Sex", "Year"} <= set(labels)

    content = client.get(reverse("incident_pdf", args=[recorded.pk])).content
    # In the order drawn (-raw): a label wrapped in its column is not interleaved with its value.
    text = flat(pdf_text(content, tmp_path, "-raw"))
    missing = [label for label in labels if label not in text]
    assert missing == []
    for value in ("Snapchat on a school iPad", recorded.get_spread_display(), "Year 9", "Female"):
        assert value in text


def test_a_300_character_link_in_the_account_wraps_and_is_kept_whole(
    client, world, recorded, tmp_path
):
    client.force_login(world.dsl)
    content = client.get(reverse("incident_pdf", args=[recorded.pk])).content
    lines = pdf_text(content, tmp_path).splitlines()
    # Wrapped at the page's edge: on several lines, each within the page, none of it cut off.
    pieces = [line.strip() for line in lines if "a1b2c3d4e5" in line or "/end" in line]
    assert len(pieces) > 1
    assert URL in "".join("".join(lines).split())
    assert max(len(line) for line in pieces) < 200


def test_the_young_persons_file_uses_the_incident_pdfs_words_and_dates(
    client, world, managed, tmp_path
):
    pupil = managed.people.get(pupil__isnull=False).pupil
    client.force_login(world.dsl)
    url = reverse("pupil_file_pdf", args=[world.school.pk, pupil.pk])
    text = flat(pdf_text(client.get(url).content, tmp_path))
    incident_text = flat(
        pdf_text(client.get(reverse("incident_pdf", args=[managed.pk])).content, tmp_path)
    )
    disclosed = managed.disclosed_at.astimezone(datetime.UTC).astimezone()
    day = f"{disclosed.day} {disclosed:%B %Y}"
    assert "Pictured in the imagery, Sent the imagery" in text
    assert "Pictured in the imagery, Sent the imagery" in incident_text
    assert "pictured" not in text.replace("Pictured", "")
    assert day in text and day in incident_text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date anywhere


def test_the_young_persons_file_names_a_recipient_as_the_incident_pdf_does(
    client, world, tmp_path
):
    incident = IncidentFactory(school=world.school)
    pupil = PupilFactory(school=world.school, first_name="Noor", last_name="Received")
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="", roles=["recipient"])
    services.record_facts(incident, world.dsl, "", incident_type="self")
    client.force_login(world.dsl)
    url = reverse("pupil_file_pdf", args=[world.school.pk, pupil.pk])
    text = flat(pdf_text(client.get(url).content, tmp_path))
    assert "Part Received it" in text
    assert "recipient" not in text


def test_a_long_record_is_built_by_the_worker_with_progress(
    client, world, recorded, tmp_path, monkeypatch
):
    """Past WORKER_PAGES the request queues the PDF (eager in tests: built at once) and the
    user follows its progress, then downloads the same whole record."""
    from records import pdf
    from records.models import Export

    monkeypatch.setattr(pdf, "WORKER_PAGES", 1)
    client.force_login(world.dsl)
    response = client.get(reverse("incident_pdf", args=[recorded.pk]))
    export = Export.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("export_status", args=[export.pk])
    page = client.get(response.url).text
    assert f"Safeguarding record {recorded.reference}" in page and "Ready" in page
    download = client.get(reverse("export_download", args=[export.pk]))
    assert download["Content-Disposition"].endswith(f'{recorded.reference}.pdf"')
    assert "How widely shared" in flat(pdf_text(download.content, tmp_path, "-raw"))
    client.force_login(world.other_dsl)
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 404


def test_a_short_record_is_built_while_the_user_waits(client, world, recorded):
    client.force_login(world.dsl)
    response = client.get(reverse("incident_pdf", args=[recorded.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
