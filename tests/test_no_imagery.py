"""R22: no page, form or admin page accepts an image or a video; by content, not name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Pupil
from ypsi.uploads import IMAGERY_WARNING, refuse_imagery

pytestmark = pytest.mark.django_db

# Each built in code: no image or video file is kept in the repository.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(300)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + bytes(300)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(300)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(300)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(300)

DISGUISED = [
    ("photo.pdf", JPEG, "application/pdf"),
    ("notes.docx", PNG, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("clip.mp4", MP4, "video/mp4"),
    ("IMG_0001.heic", HEIC, "image/heic"),
    ("roster.csv", GIF, "text/csv"),
]


@pytest.mark.parametrize("name,content,declared", DISGUISED, ids=[d[0] for d in DISGUISED])
def test_imagery_is_recognised_by_its_content(name, content, declared):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="this is illegal"):
        refuse_imagery(content)


def test_a_real_csv_and_a_pdf_are_not_mistaken_for_imagery():
    refuse_imagery(b"upn,surname,forename\n,Example,Ada\n")
    refuse_imagery(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


@pytest.mark.parametrize("name,content,declared", DISGUISED, ids=[d[0] for d in DISGUISED])
def test_the_roster_upload_refuses_imagery_whatever_its_name(
    client, world, name, content, declared
):
    client.force_login(world.dsl)
    response = client.post(
        reverse("pupil_import", args=[world.school.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=declared)},
    )
    assert response.status_code == 400
    assert IMAGERY_WARNING in response.content.decode()
    assert "Never copy, print or share the imagery; this is illegal." in response.content.decode()
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("url", ["/login/", "/report/", "/admin/accounts/school/add/"])
def test_pages_that_take_no_file_refuse_imagery_too(client, world, url):
    client.force_login(world.dsl)
    response = client.post(
        url, {"anything": SimpleUploadedFile("x.pdf", JPEG, content_type="application/pdf")}
    )
    assert response.status_code == 400
    assert "this is illegal" in response.content.decode()


def test_nothing_is_written_to_disk_for_a_refused_file(client, world, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # force the temporary-file handler for anything kept
    client.force_login(world.dsl)
    client.post(
        reverse("pupil_import", args=[world.school.pk]),
        {"file": SimpleUploadedFile("big.csv", JPEG + bytes(200_000), content_type="text/csv")},
    )
    assert list(tmp_path.iterdir()) == []
