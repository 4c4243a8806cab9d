"""The one gate every uploaded file passes: imagery is refused by its content (R22).

A file's name and declared type are the sender's to choose; its first bytes are not. Whatever
the form, an image or a video is refused with the guidance's warning.
"""

import puremagic
from django.core.exceptions import ValidationError

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
