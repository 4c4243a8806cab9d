"""The one gate every uploaded file passes: imagery is refused by its content (R22).

What imagery looks like is `ypsi.imagery`'s to know. A file can hide it anywhere (a picture in
a Word document, a JPEG in a gzip), so the gate keeps each upload whole, in memory, until the
check has looked through all of it, and only then hands it on. A refused file is dropped: no
other upload handler sees a byte of it, so nothing refused is written to a temporary file, let
alone the database, and nothing of it is logged.
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    SkipFile,
    StopFutureHandlers,
    StopUpload,
)
from django.shortcuts import render

from .imagery import IMAGERY_WARNING, is_imagery, refuse_imagery, refuse_imagery_in_text

# Every upload is held in memory to be checked; the only files ypsi takes are a CSV or a JSON.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TOO_LARGE_TO_CHECK = (
    "This file is too large to check for imagery, so it has not been saved: the limit is "
    f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB."
)


def read_text_upload(upload, max_bytes: int = 5 * 1024 * 1024) -> str:
    """Read an uploaded text file (a CSV) after the imagery check; refuse anything else."""
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is too large: the limit is {max_bytes // 1024 // 1024} MB."
        )
    data = upload.read()
    refuse_imagery(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError("This is not a text (CSV) file.") from None
    refuse_imagery_in_text(text)
    return text


class RefuseImageryUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: every upload, on any page or the admin, is checked here.

    This handler keeps the file itself, so the handlers after it (which would write a large
    file to a temporary one as it arrives) are never used. Imagery, or a file too large to
    check, is dropped, and the request is marked so that `RefuseImageryMiddleware` answers.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_UPLOAD_BYTES:
            self.request.upload_refused = (TOO_LARGE_TO_CHECK, 413)
            raise SkipFile()  # the parser closes self.file, and what it held is gone
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if is_imagery(self.file.getvalue()):
            self.file.close()
            self.request.upload_refused = (IMAGERY_WARNING, 400)
            raise StopUpload()  # the rest of the request is read past, never kept
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class RefuseImageryMiddleware:
    """Answers a request that carried imagery with a 400 and the warning, whatever the view.

    A refusal by the check before saving (`ypsi.imagery.refuse_imagery_on_save`) that no view
    turned into a form's error (the admin's, say) is answered the same way: not as a 500, whose
    error report would carry what was posted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # parse now, through the upload handlers  # noqa: B018
            refused = getattr(request, "upload_refused", None)
            if refused:
                warning, status = refused
                return render(request, "imagery_refused.html", {"warning": warning}, status=status)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError) and getattr(exception, "code", "") == "imagery":
            return render(
                request, "imagery_refused.html", {"warning": IMAGERY_WARNING}, status=400
            )
        return None
