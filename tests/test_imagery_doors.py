"""R22 through every door: no image or video is stored, however it is wrapped or written out.

Every image is made here (Pillow for the still formats, the opening boxes for HEIF and the video
formats): no image or video file is kept in the repository.
"""

import base64
import bz2
import datetime
import gzip
import io
import json
import logging
import lzma
import struct
import tarfile
import zipfile
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Pupil, Trust
from incidents import services
from incidents.models import Incident
from incidents.services import Person
from records import transfers
from records.models import ReceivedFile
from ypsi.imagery import IMAGERY_WARNING, is_imagery, text_holds_imagery
from ypsi.uploads import MAX_UPLOAD_BYTES

from .factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


# The media


def still(kind: str) -> bytes:
    image = Image.new("RGB", (16, 16))
    image.putdata([(x * 16, y * 16, (x * y) % 256) for y in range(16) for x in range(16)])
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def iso_media(brand: bytes, *compatible: bytes) -> bytes:
    """An ISO media file's opening: the ftyp box that names it, then data."""
    return box(b"ftyp", brand + bytes(4) + b"".join(compatible)) + box(b"mdat", bytes(256))


def ebml(doctype: bytes) -> bytes:
    header = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    header += b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + bytes(256)


MEDIA = {
    "jpeg": still("JPEG"),
    "png": still("PNG"),
    "gif": still("GIF"),
    "webp": still("WEBP"),
    "bmp": still("BMP"),
    "tiff": still("TIFF"),
    "avif": still("AVIF"),
    "heic": iso_media(b"heic", b"mif1", b"heic"),
    "heif-mif1": iso_media(b"mif1", b"mif1", b"heic"),
    "avif-sequence": iso_media(b"avis", b"avif", b"msf1"),
    "mp4": iso_media(b"isom", b"isom", b"iso2", b"mp41"),
    "mov": iso_media(b"qt  ", b"qt  "),
    "3gp": iso_media(b"3gp5", b"3gp5", b"isom"),
    "webm": ebml(b"webm"),
}


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx(media_name: str, content: bytes) -> bytes:
    return zipped(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document><w:body/></w:document>',
            media_name: content,
        }
    )


def pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, 1))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stream(dictionary: bytes, content: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(content), content)


PIXELS = bytes(range(256)) * 3  # 16 by 16, RGB: nothing a signature would find


def tar_gz(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        member = tarfile.TarInfo(name)
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def a_file(**extra) -> dict:
    """A young person's file as docs/young-person-file.md shows it."""
    decision = {"kind": "Manage in school", "made_at": None, "reason": "Consensual, both 15"}
    data = {
        "format": transfers.FORMAT,
        "version": transfers.VERSION,
        "generated_at": "2026-11-22T09:30:00+00:00",
        "from_school": "Hillside Academy",
        "pupil": {
            "upn": "",
            "first_name": "Riley",
            "last_name": "Roster",
            "date_of_birth": "2011-01-01",
            "sex": "female",
            "year_group": "Year 10",
            "sen_or_disability": False,
            "looked_after": False,
            "known_to_social_care": False,
        },
        "incidents": [
            {
                "reference": "HIL-2026-0001",
                "disclosed_at": "2026-11-02T09:00:00+00:00",
                "stage": "Closed",
                "roles": ["pictured", "sender"],
                "decisions": [decision | {"superseded": False}],
                "closure": "Managed in school; support in place.",
            }
        ],
    }
    return data | extra


REFUSED_FILES = {
    **{f"{kind}": content for kind, content in MEDIA.items()},
    **{f"{kind} after a junk byte": b"\x00" + content for kind, content in MEDIA.items()},
    "jpeg after a kilobyte of junk": b"x" * 1024 + MEDIA["jpeg"],
    "mov in a zip": zipped({"notes/holiday.bin": MEDIA["mov"]}),
    "jpeg in a zip in a zip": zipped({"inner.zip": zipped({"a.dat": MEDIA["jpeg"]})}),
    "docx with word/media/image1.png": docx("word/media/image1.png", MEDIA["png"]),
    "docx with a picture under another name": docx("word/embeddings/x.bin", MEDIA["heic"]),
    "xlsx with xl/media/image1.jpeg": docx("xl/media/image1.jpeg", b"not even a jpeg"),
    "odt with a picture": zipped({"content.xml": b"<office/>", "Pictures/1.gif": MEDIA["gif"]}),
    "pdf with an image xobject": pdf(
        stream(b"/Type /XObject /Subtype /Image /Width 16 /Height 16 /Filter /DCTDecode", b"x")
    ),
    "pdf with an escaped image name": pdf(
        stream(b"/Type /XObject /Subtype /Im#61ge /Width 16 /Height 16", PIXELS)
    ),
    "pdf with an inline image in compressed content": pdf(
        stream(
            b"/Filter /FlateDecode",
            zlib.compress(
                b"q 16 0 0 16 0 0 cm BI /W 16 /H 16 /CS /RGB /BPC 8 ID %s EI Q" % PIXELS
            ),
        )
    ),
    "pdf with an embedded png": pdf(
        stream(b"/Type /EmbeddedFile /Filter /FlateDecode", zlib.compress(MEDIA["png"]))
    ),
    "gzip of a jpeg": gzip.compress(MEDIA["jpeg"]),
    "gzip of an mp4": gzip.compress(MEDIA["mp4"]),
    "tar.gz with a png": tar_gz("holiday.png", MEDIA["png"]),
    "bzip2 of a webp": bz2.compress(MEDIA["webp"]),
    "xz of a tiff": lzma.compress(MEDIA["tiff"]),
    "csv with a base64 jpeg in a cell": (
        f"upn,surname,forename\n,Example,{b64(MEDIA['jpeg'])}\n".encode()
    ),
    "jpeg after 100 kilobytes of csv": b"upn,surname,forename\n" * 5000 + MEDIA["jpeg"],
    "png after 64 kilobytes of binary junk": bytes(range(256)) * 256 + MEDIA["png"],
    "iso media of an unknown brand, mif1 compatible": iso_media(b"zzzz", b"zzzz", b"mif1"),
    "hevx after its box size was spoiled": b"junk" + iso_media(b"hevx")[4:],
    "jpeg and a zip after 8 kilobytes of junk": b"x" * 8192
    + MEDIA["jpeg"]
    + zipped({"notes.txt": b"nothing here"}),
    "pdf with a jpeg after its end": pdf(b"(" + b"x" * 8000 + b")") + MEDIA["jpeg"],
    "gzip with a jpeg as its second member": gzip.compress(b"hello\n")
    + gzip.compress(MEDIA["jpeg"]),
    "pptx with ppt/media/image1.emf": docx("ppt/media/image1.emf", b"\x01\x00\x00\x00"),
    "quicktime without ftyp": b"\x00\x00\x00\x20moov" + bytes(256),
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect/></svg>',
    "a young person's file with a data uri under a key of its own": json.dumps(
        a_file(photo="data:image/jpeg;base64," + b64(MEDIA["jpeg"]))
    ).encode(),
}


def spaced_hex(data: bytes) -> str:
    return "\n".join(data[i : i + 16].hex(" ") for i in range(0, len(data), 16))


WRITTEN_OUT = {
    "base64": b64,
    "base64 in lines": lambda d: base64.encodebytes(d).decode(),
    "url-safe base64": lambda d: base64.urlsafe_b64encode(d).decode().rstrip("="),
    "hex": lambda d: d.hex(),
    "a data uri": lambda d: "data:image/png;base64," + b64(d),
}
REFUSED_TEXT = {
    **{
        f"{kind} as {how}": write(content)
        for kind, content in MEDIA.items()
        for how, write in WRITTEN_OUT.items()
    },
    "a hex dump": spaced_hex(MEDIA["jpeg"]),
    "base64 stuck to a word": "photo:abc" + b64(MEDIA["png"]),
    "base64 after a junk byte": b64(b"\x07" + MEDIA["gif"]),
    "a data uri in capitals and spaces": "DATA : Video / MP4 ;base64,AAAA",
    "a data uri in an html tag": '<img src="data:image/svg+xml,%3Csvg%3E">',
    "bytes as characters (json's \\u escapes)": MEDIA["jpeg"].decode("latin-1"),
    "bytes read as windows-1252": MEDIA["png"].decode("cp1252", "ignore"),
    "a base64 docx with a picture": b64(docx("word/media/image1.png", MEDIA["png"])),
}


def roster_upload(client, world, name: str, content: bytes):
    return client.post(
        reverse("pupil_import", args=[world.school.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def report_form(**overrides):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "disclosure_source": "young_person",
        "discloser": "The young person",
        "disclosed_on_day": str(yesterday.day),
        "disclosed_on_month": str(yesterday.month),
        "disclosed_on_year": str(yesterday.year),
        "disclosed_time": "10:00",
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
        "person-0-roles": ["pictured"],
    }
    return data | overrides


# Each door refuses


def test_the_tables_try_at_least_40_files_and_strings():
    assert len(REFUSED_FILES) >= 40 and len(REFUSED_TEXT) >= 40


# Every brand of HEIF (ISO/IEC 23008-12: HEVC, AVC, JPEG, JPEG 2000, VVC, EVC stills and
# sequences), MIAF and AVIF.
HEIF_BRANDS = (
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"heif",
    b"mif1", b"mif2", b"msf1", b"miaf", b"MiHA", b"MiHB", b"MiHE", b"MiAC", b"MiCm", b"MiPr",
    b"avif", b"avis", b"avio", b"avci", b"avcs", b"jpeg", b"jpgs", b"j2ki", b"j2is",
    b"vvic", b"vvis", b"evbi", b"evbs", b"evmi", b"evms", b"1pic",
)  # fmt: skip


@pytest.mark.parametrize("brand", HEIF_BRANDS, ids=[b.decode() for b in HEIF_BRANDS])
def test_it_knows_every_heif_and_avif_brand(brand):
    assert is_imagery(iso_media(brand, b"mif1"))
    assert is_imagery(b"\x07" * 1000 + iso_media(b"zzzz", b"zzzz", b"iso8", brand))
    # With the box's size spoiled, only the brand says what it is: major or compatible.
    assert is_imagery(b"junk" + iso_media(brand)[4:])
    assert is_imagery(b"junk" + iso_media(b"zzzz", b"zzzz", brand)[4:])
    assert not is_imagery(b"junk" + iso_media(b"zzzz", b"zzzz")[4:])


@pytest.mark.parametrize("content", REFUSED_FILES.values(), ids=REFUSED_FILES.keys())
def test_it_refuses_every_wrapping_at_the_upload_gate(client, world, content):
    assert is_imagery(content)
    client.force_login(world.dsl)
    response = roster_upload(client, world, "roster.csv", content)
    assert response.status_code == 400
    assert IMAGERY_WARNING in response.text
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("text", REFUSED_TEXT.values(), ids=REFUSED_TEXT.keys())
def test_it_refuses_imagery_written_as_text_in_any_field_of_any_record(db, text):
    assert text_holds_imagery(text)
    with pytest.raises(ValidationError, match="this is illegal"):
        IncidentFactory(account=text)
    with pytest.raises(ValidationError, match="this is illegal"):
        Trust.objects.create(name=text)
    assert not Incident.objects.exists()


JSON_PAYLOADS = {
    how: REFUSED_TEXT[how]
    for how in ("jpeg as a data uri", "heic as base64", "mp4 as hex", "png as base64 in lines")
}


@pytest.mark.parametrize("text", JSON_PAYLOADS.values(), ids=JSON_PAYLOADS.keys())
def test_it_refuses_imagery_anywhere_in_a_young_persons_file(world, text):
    with pytest.raises(ValidationError, match=r"holds photo, which a young person's file does"):
        transfers.import_file(world.school, world.dsl, a_file(photo=text))
    data = a_file()
    data["incidents"][0]["decisions"][0]["reason"] = text
    with pytest.raises(ValidationError, match=r"this is illegal.*incidents\[0\]\.decisions\[0\]"):
        transfers.import_file(world.school, world.dsl, data)
    assert not ReceivedFile.objects.exists() and not Pupil.objects.exists()


def test_an_image_in_a_young_persons_file_is_named_where_never_shown_back(world):
    large = "data:image/png;base64," + b64(MEDIA["png"] + bytes(30_000))
    with pytest.raises(ValidationError, match=r"this is illegal.*It is in pupil\.first_name") as e:
        transfers.import_file(
            world.school, world.dsl, a_file(pupil=a_file()["pupil"] | {"first_name": large})
        )
    assert b64(MEDIA["png"])[:16] not in str(e.value)
    for key in (large, b64(MEDIA["jpeg"])):
        with pytest.raises(ValidationError, match=r"this is illegal.*a key of the file") as e:
            transfers.import_file(world.school, world.dsl, a_file(**{key: "x"}))
        assert key[:16] not in str(e.value) and key[-16:] not in str(e.value)
    with pytest.raises(
        ValidationError, match="holds pupil.photo_of_" + "x" * 91 + "…, which"
    ) as e:
        transfers.import_file(
            world.school,
            world.dsl,
            a_file(pupil=a_file()["pupil"] | {"photo_of_" + "x" * 5000: "x"}),
        )
    assert not ReceivedFile.objects.exists() and not Pupil.objects.exists()


def test_every_model_of_every_app_is_checked_not_only_the_case_records(world):
    with pytest.raises(ValidationError, match="this is illegal"):
        Group.objects.create(name="data:image/gif;base64," + b64(MEDIA["gif"])[:100])
    world.staff.first_name = b64(MEDIA["jpeg"])[:140]
    with pytest.raises(ValidationError, match="this is illegal"):
        world.staff.save()
    assert not Group.objects.filter(name__startswith="data:").exists()


def test_the_report_form_shows_the_warning_and_stores_nothing(client, world):
    client.force_login(world.staff)
    account = "She showed me this: " + b64(MEDIA["jpeg"])
    response = client.post(reverse("report_concern"), report_form(account=account))
    assert response.status_code == 400
    assert IMAGERY_WARNING in response.text
    assert not Incident.objects.exists() and not Incident.history.exists()


def test_an_admin_page_shows_the_warning_on_the_field_not_a_500(client, world):
    """A unique name is checked as the form is cleaned, before the admin asks the database
    whether the name is taken: the value is never sent to it."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    name = "data:image/png;base64," + b64(MEDIA["png"])[:100]
    response = client.post("/admin/accounts/trust/add/", {"name": name})
    assert response.status_code == 200  # the form again, with the error on the field
    assert IMAGERY_WARNING in response.text and "errornote" in response.text
    assert not Trust.objects.filter(name=name).exists()


def test_a_refused_save_writes_no_history(world):
    incident = IncidentFactory(school=world.school, account="Told in the corridor.")
    before = incident.history.count()
    incident.account = b64(MEDIA["webp"])
    with pytest.raises(ValidationError):
        incident.save()
    assert incident.history.count() == before
    incident.refresh_from_db()
    assert incident.account == "Told in the corridor."
    written = incident.history.first()  # and the history, should anything write it directly
    written.account = b64(MEDIA["webp"])
    with pytest.raises(ValidationError):
        written.save()


def test_a_young_persons_file_with_unknown_keys_or_oversized_values_is_refused(world):
    with pytest.raises(ValidationError, match=r"holds pupil\.photo_url, which"):
        transfers.import_file(
            world.school, world.dsl, a_file(pupil=a_file()["pupil"] | {"photo_url": "x"})
        )
    long = a_file()
    long["incidents"][0]["closure"] = "x" * 20_001
    with pytest.raises(ValidationError, match=r"incidents\[0\]\.closure is longer than 20000"):
        transfers.import_file(world.school, world.dsl, long)
    wrong = a_file()
    wrong["incidents"][0]["roles"] = ["pictured", "photographer"]
    with pytest.raises(ValidationError, match=r"incidents\[0\]\.roles\[1\] is not one of"):
        transfers.import_file(world.school, world.dsl, wrong)
    with pytest.raises(ValidationError, match=r"pupil\.looked_after is not true or false"):
        transfers.import_file(
            world.school, world.dsl, a_file(pupil=a_file()["pupil"] | {"looked_after": "no"})
        )
    assert not ReceivedFile.objects.exists()


def test_an_unknown_key_in_an_uploaded_file_is_shown_on_the_page(client, world):
    client.force_login(world.dsl)
    content = json.dumps(a_file(notes="hello")).encode()
    response = client.post(
        reverse("import_file", args=[world.school.pk]),
        {"file": SimpleUploadedFile("file.json", content, content_type="application/json")},
    )
    assert response.status_code == 400
    assert "The file holds notes, which a young person&#x27;s file does not have" in response.text


def test_only_what_the_schema_names_is_kept_from_a_file(world):
    received = transfers.import_file(world.school, world.dsl, a_file())
    assert received.content == a_file()
    assert [h.content for h in received.history.all()] == [a_file()]
    assert received.pupil.first_name == "Riley"


def test_a_file_nested_beyond_reading_is_refused_not_a_500(client, world):
    client.force_login(world.dsl)
    content = b"[" * 100_000 + b"]" * 100_000
    response = client.post(
        reverse("import_file", args=[world.school.pk]),
        {"file": SimpleUploadedFile("file.json", content, content_type="application/json")},
    )
    assert response.status_code == 400
    assert "it is not JSON" in response.text
    assert not ReceivedFile.objects.exists()


def test_a_refused_upload_reaches_no_handler_that_writes_to_disk(
    client, world, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # anything passed on would go to a temporary file
    client.force_login(world.dsl)
    large = docx("word/media/image1.png", MEDIA["png"] + bytes(3_000_000))
    response = roster_upload(client, world, "notes.docx", large)
    assert response.status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_a_file_too_large_to_check_is_refused_unread(client, world):
    client.force_login(world.dsl)
    response = roster_upload(client, world, "big.csv", b"x" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413
    assert "too large to check" in response.text


# Legitimate input is accepted


ACCEPTED_TEXT = {
    "a long url": "The link was https://www.example.com/groups/1234567890/posts/"
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz?ref=share&x=1",
    "accents": "Zoë and Chloé told Mme Lefèvre at 9:30 in the café; Siân was upset. “Quoted”.",
    "a short base64-looking word": "The caption was aGVsbG8gd29ybGQ= and nothing else.",
    "a sha-256 hash": "Hash reported to the IWF: " + "9f86d081884c7d659a2feaa0c55ad015" * 2,
    "a list of names": "\n".join(["Alexandra", "Benedict", "Christopher", "Dominique"] * 8),
    "numbers": ", ".join(str(n) for n in range(10, 60)),
    "a year group": "P6 10 15 pupils saw it; GIF89a was mentioned.",
}


@pytest.mark.parametrize("text", ACCEPTED_TEXT.values(), ids=ACCEPTED_TEXT.keys())
def test_it_accepts_ordinary_writing(world, text):
    assert not text_holds_imagery(text)
    incident = services.report_concern(
        reporter=world.staff,
        school=world.school,
        disclosure_source="friend",
        disclosed_at=timezone.now() - datetime.timedelta(hours=1),
        received_by="Form tutor",
        account=text,
        people=[Person(roles=["pictured"], name="Jordan Synthetic", age=14)],
    )
    assert Incident.objects.get(pk=incident.pk).account == text


def test_it_accepts_a_real_csv_and_documents_without_pictures(client, world):
    client.force_login(world.dsl)
    csv = "upn,surname,forename,date_of_birth,sex,year_group\n,Lefèvre,Zoë,14/03/2012,F,Year 9\n"
    assert roster_upload(client, world, "roster.csv", csv.encode()).status_code == 302
    assert Pupil.objects.get().first_name == "Zoë"
    assert not is_imagery(docx("word/styles.xml", b"<w:styles/>"))
    assert not is_imagery(pdf(stream(b"/Filter /FlateDecode", zlib.compress(b"BT (Hi) Tj ET"))))
    assert not is_imagery(gzip.compress(csv.encode()))


# Nothing refused is anywhere


def signatures() -> list[bytes]:
    """What a stored image would leave: each test image's first bytes, and the signatures of
    JPEG, PNG, GIF, WebP and ISO media, raw, in base64 (at each alignment) and in hex."""
    raw = [content[:12] for content in MEDIA.values()]
    raw += [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"WEBPVP8", b"ftyp"]
    found = set()
    for sig in raw:
        found |= {sig, sig.hex().encode(), sig.hex().upper().encode()}
        for pad in range(3):
            encoded = base64.b64encode(bytes(pad) + sig)
            core = encoded[(pad * 8 + 5) // 6 : (pad + len(sig)) * 8 // 6]
            found |= {core, core.replace(b"+", b"-").replace(b"/", b"_")}
    return [s for s in found if len(s) >= 4]


def stored_text() -> list[tuple[str, bytes]]:
    """Every value of every column of every table, text or binary."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            names = ", ".join(connection.ops.quote_name(c.name) for c in columns)
            cursor.execute(f"SELECT {names} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str):
                        values.append((table, value.encode("utf-8", "surrogatepass")))
                        values.append((table, value.encode("latin-1", "ignore")))
                    elif isinstance(value, bytes | memoryview):
                        values.append((table, bytes(value)))
                    elif isinstance(value, dict | list):  # JSON, should a driver decode it
                        values.append((table, json.dumps(value, ensure_ascii=False).encode()))
    return values


def try_every_door(client, world):
    """Every file at both uploads; every string in a record, a young person's file (as a value,
    a key and an unknown key), the admin and the report form."""
    for content in REFUSED_FILES.values():
        assert roster_upload(client, world, "roster.csv", content).status_code == 400
        response = client.post(
            reverse("import_file", args=[world.school.pk]),
            {"file": SimpleUploadedFile("file.json", content, content_type="application/json")},
        )
        assert response.status_code == 400
    for text in REFUSED_TEXT.values():
        with pytest.raises(ValidationError):
            IncidentFactory(school=world.school, account=text)
        as_reason = a_file()
        as_reason["incidents"][0]["decisions"][0]["reason"] = text
        for data in (as_reason, a_file(photo=text), a_file(**{text: "x"})):
            with pytest.raises(ValidationError):
                transfers.import_file(world.school, world.dsl, data)
    for text in list(REFUSED_TEXT.values())[::7]:
        response = client.post(reverse("report_concern"), report_form(account=text))
        assert response.status_code == 400
        response = client.post("/admin/auth/group/add/", {"name": text[:150]})
        assert IMAGERY_WARNING in response.text


def test_nothing_refused_is_stored_logged_or_written_anywhere(
    client, world, settings, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    world.dsl.is_staff = world.dsl.is_superuser = True  # the admin is a door too
    world.dsl.save()
    client.force_login(world.dsl)
    with CaptureQueriesContext(connection) as queries:  # every statement sent, with its values
        try_every_door(client, world)

    patterns = signatures()
    sent = "\n".join(q["sql"] for q in queries.captured_queries).encode("utf-8", "surrogatepass")
    assert len(queries) > 0  # the statements are looked at, not none
    assert not [p for p in patterns if p in sent]
    stored = [table for table, value in stored_text() if any(p in value for p in patterns)]
    assert stored == []
    on_disk = [
        path
        for path in settings.DATA_DIR.rglob("*")
        if path.is_file()
        and settings.STATIC_ROOT not in path.parents  # ypsi's own assets, collected
        and any(p in path.read_bytes() for p in patterns)
    ]
    assert on_disk == []
    assert list(tmp_path.iterdir()) == []
    logged = "\n".join(
        r.getMessage() + (r.exc_text or "") + str(getattr(r, "request", ""))
        for r in caplog.records
    ).encode("utf-8", "surrogatepass")
    assert caplog.records  # the 400s were logged: the log is looked at, not empty
    assert not [p for p in patterns if p in logged]


def test_the_scan_would_find_an_image_that_got_in(world):
    """The test above proves nothing unless its scan finds what it looks for."""
    Incident.objects.filter(pk=IncidentFactory(school=world.school).pk).update(
        account=b64(MEDIA["heic"])
    )
    patterns = signatures()
    assert any(p in value for _, value in stored_text() for p in patterns)
