"""Issue 12 item 6: the PDFs are tagged, so a screen reader follows their headings and tables,
and stay PDF/A-3 for archiving (R28): PDF/A-3a, the level of PDF/A that is tagged."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from .test_inspection import params

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("pdfinfo"), reason="poppler-utils is installed by bin/test"
    ),
]


def pdfinfo(content: bytes, tmp_path, *flags) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdfinfo", *flags, str(path)], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    "which, tagged",
    [
        ("incident", ["H1", "H2", "Table", "TH", "L", "LI"]),
        ("young person's file", ["H1", "H2", "L", "LI"]),
        ("inspection report", ["H1", "Table", "TH", "L", "LI"]),
    ],
)
def test_each_pdf_is_tagged_with_its_headings_lists_and_tables_and_stays_pdf_a(
    client, world, managed, tmp_path, which, tagged
):
    client.force_login(world.dsl)
    pupil = managed.people.get(name="").pupil
    response = {
        "incident": lambda: client.get(reverse("incident_pdf", args=[managed.pk])),
        "young person's file": lambda: client.get(
            reverse("pupil_file_pdf", args=[world.school.pk, pupil.pk])
        ),
        "inspection report": lambda: client.get(
            reverse("inspection_report"), params(format="pdf")
        ),
    }[which]()
    assert response["Content-Type"] == "application/pdf"

    info = pdfinfo(response.content, tmp_path)
    assert "Tagged:          yes" in info
    meta = pdfinfo(response.content, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta
    # The structure a screen reader moves by: headings, lists, tables with their header cells.
    tree = pdfinfo(response.content, tmp_path, "-struct")
    assert tree.startswith("Document")
    elements = {line.split()[0] for line in tree.splitlines() if line.strip()}
    assert set(tagged) <= elements, tree[:2000]
