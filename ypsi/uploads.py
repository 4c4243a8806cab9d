"""The one gate every uploaded file passes: imagery is refused by its content (R22).

A file's name and declared type are the sender's to choose; its first bytes are not. Whatever
the form, an image or a video is refused with the guidance's warning.
"""

import puremagic
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render

IMAGERY_WARNING = (
    "This file is an image or a video, so it has not been saved. Never copy, print or share the "
    "imagery; this is illegal. ypsi never stores imagery: record what you were told about it "
    "instead."
)
SNIFF_BYTES = 8192


def sniff(head: bytes) -> list[str]:
    """The MIME types the file's first bytes match, most likely first."""
    try:
        return [m.mime_type for m in puremagic.magic_string(head) if m.mime_type]
    except puremagic.PureError:
        return []


def refuse_imagery(head: bytes) -> None:
    if any(mime.startswith(("image/", "video/")) for mime in sniff(head[:SNIFF_BYTES])):
        raise ValidationError(IMAGERY_WARNING, code="imagery")


def read_text_upload(upload, max_bytes: int = 5 * 1024 * 1024) -> str:
    """Read an uploaded text file (a CSV) after the imagery check; refuse anything else."""
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is too large: the limit is {max_bytes // 1024 // 1024} MB."
        )
    data = upload.read()
    refuse_imagery(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError("This is not a text (CSV) file.") from None


class RefuseImageryUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: every upload, on any page or the admin, is sniffed here.

    An image or a video is dropped before any other handler stores a byte of it, and the request
    is marked so that `RefuseImageryMiddleware` answers with the guidance's warning.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.checked = False

    def receive_data_chunk(self, raw_data, start):
        if not self.checked:
            self.checked = True
            if any(m.startswith(("image/", "video/")) for m in sniff(raw_data[:SNIFF_BYTES])):
                self.request.imagery_refused = True
                raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


class RefuseImageryMiddleware:
    """Answers a request that carried imagery with a 400 and the warning, whatever the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # parse now, through the upload handlers  # noqa: B018
            if getattr(request, "imagery_refused", False):
                return render(
                    request, "imagery_refused.html", {"warning": IMAGERY_WARNING}, status=400
                )
        return self.get_response(request)
