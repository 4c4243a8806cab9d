# ruff: noqa: RUF001 (names as typed: Turkish dotless i, curly apostrophes)
"""Issue 21 items 1 and 2: every name prints in the PDFs, and headers read as typed.

A text check alone passes while a name prints as empty boxes (`pdftotext` reads the text layer,
not the glyphs), so these read the fonts the PDF embeds: each character a font shows is mapped
(its encoding CMap) to a glyph of the embedded font file, and glyph 0 is the box, `.notdef`.
"""

import io
import re
import shutil
import subprocess
import zlib

import pytest
import tinycss2
from django.template import Context, Template
from django.urls import reverse
from fontTools.ttLib import TTFont

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

NAMES = {
    "Bengali": "অরিন্দম রহমান",
    "Chinese": "王小明",
    "Urdu": "عائشہ خان",
    "Arabic": "محمد علي",
    "emoji": "Zoë ✨😀",
    "Polish": "Łucja Wiśniewska",
    "Irish": "Siobhán Ó Súilleabháin",
    "Turkish": "Şahin Yıldız",
    "Vietnamese": "Nguyễn Thị Hương",
    "Greek and Cyrillic": "Ελένη Анна",
}
OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object of the PDF by number, streams decompressed, object streams opened."""
    objects = {}
    for number, body in OBJECT.findall(pdf):
        if b"stream" in body:
            raw = body.split(b"stream", 1)[1].lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            data = zlib.decompressobj().decompress(raw) if b"/FlateDecode" in body else raw
            if b"/ObjStm" in body:
                first = int(re.search(rb"/First (\d+)", body).group(1))
                header = data[:first].split()
                numbers, offsets = header[::2], [int(o) for o in header[1::2]]
                for i, n in enumerate(numbers):
                    end = offsets[i + 1] if i + 1 < len(offsets) else len(data) - first
                    objects[int(n)] = data[first + offsets[i] : first + end]
                continue
            objects[int(number)] = body.split(b"stream", 1)[0] + b"stream" + data
        else:
            objects[int(number)] = body
    return objects


def _ref(obj: bytes, key: bytes) -> int | None:
    found = re.search(rb"/" + key + rb" (\d+) 0 R", obj)
    return int(found.group(1)) if found else None


def _stream(obj: bytes) -> str:
    return obj.split(b"stream", 1)[1].decode("latin-1")


def _pairs(cmap: str, block: str) -> list[tuple[str, str]]:
    pairs = []
    for section in re.findall(rf"begin{block}(.*?)end{block}", cmap, re.S):
        pairs += re.findall(r"<([0-9a-fA-F]+)>\s+(<[0-9a-fA-F]+>|\d+)", section)
    return pairs


def printed_and_boxes(pdf: bytes) -> tuple[set[str], set[str]]:
    """The characters the PDF prints with a real glyph, and those it prints as a box."""
    objects = _objects(pdf)
    printed, boxes = set(), set()
    for obj in objects.values():
        if b"/Subtype /Type0" not in obj and b"/Subtype/Type0" not in obj:
            continue
        to_unicode = {
            code.lower(): bytes.fromhex(text.strip("<>")).decode("utf-16-be")
            for code, text in _pairs(_stream(objects[_ref(obj, b"ToUnicode")]), "bfchar")
        }
        encoding = _ref(obj, b"Encoding")
        cids = (
            {c.lower(): int(cid) for c, cid in _pairs(_stream(objects[encoding]), "cidchar")}
            if encoding
            else {code: int(code, 16) for code in to_unicode}  # Identity-H
        )
        descendant = objects[int(re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", obj).group(1))]
        descriptor = objects[_ref(descendant, b"FontDescriptor")]
        font_file = _ref(descriptor, b"FontFile2") or _ref(descriptor, b"FontFile3")
        font = TTFont(io.BytesIO(objects[font_file].split(b"stream", 1)[1]), fontNumber=0)
        glyph_order = font.getGlyphOrder()
        for code, text in to_unicode.items():
            gid = cids.get(code, 0)
            shown = gid != 0 and gid < len(glyph_order) and glyph_order[gid] != ".notdef"
            (printed if shown else boxes).update(text)
    return printed, boxes


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def managed(world):
    """A reported incident at Hillside (the PDF of any stage has the people and the header)."""
    return IncidentFactory(school=world.school)


def _assert_every_name_prints(pdf: bytes, names):
    printed, boxes = printed_and_boxes(pdf)
    assert not boxes, f"printed as boxes: {sorted(boxes)}"
    for name in names:
        missing = {c for c in name if not c.isspace()} - printed
        assert not missing, f"{name}: no glyph for {sorted(missing)}"


def test_it_prints_a_name_in_every_script_of_englands_pupils_in_the_incident_pdf(
    client, world, managed
):
    for name in NAMES.values():
        InvolvedPersonFactory(incident=managed, name=name, roles=["recipient"])
    client.force_login(world.dsl)
    response = client.get(reverse("incident_pdf", args=[managed.pk]))
    _assert_every_name_prints(response.content, NAMES.values())


def test_it_would_see_a_name_printed_as_boxes(client, world, managed):
    """The check above can fail: a character no installed font has prints as a box."""
    InvolvedPersonFactory(incident=managed, name="Private \ue000 use", roles=["recipient"])
    client.force_login(world.dsl)
    printed, boxes = printed_and_boxes(
        client.get(reverse("incident_pdf", args=[managed.pk])).content
    )
    assert "\ue000" in boxes
    assert "P" in printed


def test_it_prints_a_bengali_and_a_chinese_pupil_on_their_child_protection_file(client, world):
    pupil = PupilFactory(school=world.school, first_name="অরিন্দম", last_name="王")
    client.force_login(world.dsl)
    response = client.get(reverse("pupil_file_pdf", args=[world.school.pk, pupil.pk]))
    assert response.status_code == 200
    _assert_every_name_prints(response.content, ["অরিন্দম", "王"])


def test_it_isolates_a_right_to_left_name_on_the_page_and_in_the_pdf(
    client, world, managed, monkeypatch
):
    """Without isolation the age after an Arabic name is drawn inside it ("15 محمد علي")."""
    import records.pdf

    rendered = []
    render = records.pdf.render_to_string
    monkeypatch.setattr(
        records.pdf,
        "render_to_string",
        lambda *a, **k: rendered.append(render(*a, **k)) or rendered[-1],
    )
    InvolvedPersonFactory(incident=managed, name="محمد علي", age=15, roles=["recipient"])
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[managed.pk])).content.decode()
    assert "<bdi>محمد علي</bdi>" in page
    client.get(reverse("incident_pdf", args=[managed.pk]))
    assert "<td><bdi>محمد علي</bdi></td>" in rendered[0]


TRICKY = [
    "St Mary's & St John's C-of-E",
    "O'Neill-Smith",
    'The "Quoted" School',
    "Back\\slash \\0027 Academy",
    "Curly ’ and </style> ends",
    "Ünïcödé 王 محمد",
]


@pytest.mark.parametrize("typed", TRICKY)
def test_a_css_string_reads_back_as_typed(typed):
    css = Template('{% load css_strings %}p { content: "{{ v|css_string }}" }').render(
        Context({"v": typed})
    )
    assert "</style>" not in css
    rule = tinycss2.parse_stylesheet(css)[0]
    strings = [t for t in rule.content if t.type == "string"]
    assert [s.value for s in strings] == [typed]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_it_prints_the_header_and_footer_as_typed(client, world, managed, tmp_path):
    world.school.name = "St Mary's & St John's C-of-E \"Quoted\" \\ Academy"
    world.school.save()
    world.dsl.first_name, world.dsl.last_name = "Siobhán", "O'Neill-Smith"
    world.dsl.save()
    client.force_login(world.dsl)
    text = pdf_text(client.get(reverse("incident_pdf", args=[managed.pk])).content, tmp_path)
    assert "St Mary's & St John's C-of-E \"Quoted\" \\ Academy · " + managed.reference in text
    assert "by Siobhán O'Neill-Smith" in text
    assert "u0027" not in text and "u0026" not in text
