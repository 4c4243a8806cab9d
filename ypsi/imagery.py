"""What imagery looks like in a file, in text and in JSON: the one check every door asks (R22).

A sender chooses a file's name and declared type, and can wrap an image: junk before it, a ZIP,
a Word document, a PDF or a gzip around it, or the image written out as text (base64, hex, a
`data:` URI) in a form field or an imported file. So the check reads content, never labels: the
bytes, what they unpack to, and what text decodes to.

A container too large, too deep or too damaged to look through completely is refused as if it
held imagery: the check fails closed. Nothing legitimate is refused that way, as ypsi takes no
file but a CSV or a JSON file.

Every model is checked before it is saved (`refuse_imagery_on_save`, connected in
`ypsi/apps.py`), so no service, admin page, import or command stores what a form let through.
"""

import binascii
import bz2
import functools
import io
import lzma
import re
import struct
import tarfile
import zipfile
import zlib

import puremagic
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save

IMAGERY_WARNING = (
    "This is an image or a video, so it has not been saved. Never copy, print or share the "
    "imagery; this is illegal. ypsi never stores imagery: record what you were told about it "
    "instead."
)

SCAN_BYTES = 4096  # how far into a file an image or a container is looked for first
SNIFF_BYTES = 8192  # what puremagic reads
DECODED_SCAN_BYTES = 64  # decoded text is random-looking: an image is looked for near its start
MIN_RUN = 64  # shorter runs of base64 or hex (HEX_RUN: 32 pairs) are words and hashes
DECODE_CHARS = 1024  # a long run is decoded this far to sniff; whole only if it is a container
UNPACK_BYTES = 32 * 1024 * 1024  # all one check may unpack, so a zip bomb costs no more
MAX_MEMBERS = 1000  # members of an archive, streams of a PDF
MAX_DEPTH = 4  # containers within containers, and text within them

# The brands of ISO media files that hold a picture or a video: major or compatible, any one
# names the file. HEIF and MIAF (ISO/IEC 23008-12): HEVC, AVC, JPEG, JPEG 2000, VVC and EVC
# stills and sequences; AVIF; Canon raw; JPEG 2000; then MP4, QuickTime, 3GP and other video.
ISO_BRANDS = (
    rb"hei[cfmsx]|hev[cmsx]|mif[123]|msf1|miaf|Mi(?:HA|HB|HE|AC|Cm|Pr)|avi[fos]|avc[is]"
    rb"|jpeg|jpgs|j2ki|j2is|vvi[cs]|evb[is]|evm[is]|1pic|crx |jp2 |jpx |mjp2",
    rb"isom|iso[2-9]|mp4[12v]|mp71|mmp4|avc1|qt  |3g[0-9a-z]{2}|M4V[ HP]|MSNV|f4[vp] |dash"
    rb"|XAVC|cmf[c2s]|msdh|msix",
)

# Signatures no typed text holds (each needs bytes no keyboard types), so they are looked for
# anywhere in a file, past any junk, and in text that smuggles the bytes as characters (JSON's
# "\u00ff\u00d8...").
SIGNATURES = re.compile(
    rb"\xff\xd8\xff[\xc0-\xfe]"  # JPEG
    rb"|[\x89\x8a\x8b](?:PNG|MNG|JNG)\r\n\x1a\n"
    rb"|GIF8[79]a[\s\S](?:[\x00-\x08]|[\s\S]{2}[\x00-\x08])"  # a width or height under 2304
    rb"|BM[\s\S]{4}\x00\x00\x00\x00[\s\S]{4}[\x0c\x28\x34\x38\x40\x6c\x7c]\x00\x00\x00"  # BMP
    rb"|II[*+]\x00|MM\x00[*+]"  # TIFF, and the camera raw formats built on it
    rb"|RIFF[\s\S]{4}(?:WEBP|AVI |AVIX|ACON)"
    rb"|\x00\x00\x00\x0c(?:jP  |JXL )\r\n\x87\n|\xff\x4f\xff\x51\x00"  # JPEG 2000, JPEG XL
    rb"|8BPS\x00[\x01\x02]"  # Photoshop
    rb"|AT&TFORM[\s\S]{4}DJV"
    # ISO media (HEIF, AVIF, MP4, QuickTime, 3GP...) by its first box, whatever its brands (ypsi
    # takes no such file), and by a known brand where that box's size has been altered.
    rb"|\x00\x00[\s\S]{2}ftyp"
    rb"|ftyp(?:[\s\S]{8}(?:[\s\S]{4}){0,30})?(?:" + b"|".join(ISO_BRANDS) + rb")"
    rb"|\x1a\x45\xdf\xa3[\s\S]{0,64}?\x42\x82[\x80-\x88](?:webm|matroska)"
    rb"|\x00\x00\x01[\xba\xb3]"  # MPEG
    rb"|\x30\x26\xb2\x75\x8e\x66\xcf\x11"  # ASF: WMV
    rb"|FLV\x01[\x01\x04\x05]"
    rb"|OggS[\s\S]{0,64}?\x80theora"
)
# And two that only mean something at the very start.
START_SIGNATURES = re.compile(
    rb"\x00\x00[\x01\x02]\x00[\x01-\xff]\x00"  # icon, cursor
    rb"|\x00[\s\S]{3}(?:moov|mdat|wide|free|skip|pnot)"  # QuickTime before ftyp
)
SIGNATURE_REACH = 128  # how far past its start a signature may read (Matroska, Ogg)
# Archives ypsi cannot open (RAR, 7-Zip, CAB, old Office files): what is inside is unknown.
UNOPENABLE = re.compile(
    rb"Rar!\x1a\x07|7z\xbc\xaf\x27\x1c|MSCF\x00\x00\x00\x00|\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
)
COMPRESSED = re.compile(rb"(\x1f\x8b\x08)|(BZh[1-9]1AY&SY)|(\xfd7zXZ\x00)")
# Office, OpenDocument and EPUB files keep their pictures as members like word/media/image1.png.
MEDIA_MEMBER = re.compile(
    r"(?:^|/)(?:media|Pictures|Thumbnails)/|\.(?:jpe?g|jfif|png|gif|webp|bmp|tiff?|hei[cf]|avif"
    r"|emf|wmf|svg|psd|mp4|m4v|mov|3gp|webm|mkv|avi|wmv|flv|mpe?g)$",
    re.IGNORECASE,
)
PDF_IMAGE = re.compile(
    rb"/Subtype\s*/Image\b|/(?:DCTDecode|JPXDecode|JBIG2Decode|CCITTFaxDecode)\b"  # XObject
    rb"|\bBI\s*/(?:W|H|Width|Height|BPC|BitsPerComponent|CS|ColorSpace|IM|ImageMask)\b"  # inline
)
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
PDF_FILTER = re.compile(rb"/(\w+Decode|Fl|AHx|A85|LZW|RL)\b")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")  # /Im#61ge is /Image

DATA_URI = re.compile(r"data\s*:\s*(?:image|video)\s*/", re.IGNORECASE)
# A run of base64 (standard or URL-safe), perhaps broken over lines as MIME and PEM write it.
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]+)*")
URL_SAFE = str.maketrans("-_", "+/")
# Hex, perhaps in pairs spaced or broken over lines as a hex dump or an RTF picture writes it.
HEX_RUN = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?:[\s:,-]{0,2}[0-9A-Fa-f]{2}){31,}")
NOT_HEX = re.compile(r"[^0-9A-Fa-f]")
# Control characters no typed text has: bytes written out as characters.
BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Every signature has a byte no keyboard types, or one of these words; looking for those first
# is much faster than looking for a signature.
UNTYPED = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f-\x9f\xff]")
SIGNATURE_WORDS = (b"RIFF", b"ftyp", b"AT&T")

UNREADABLE = (
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    OSError,  # bzip2's damaged stream
    EOFError,
    RuntimeError,  # an encrypted ZIP member
    NotImplementedError,  # a ZIP compression method Python lacks
    ValueError,
    struct.error,  # a ZIP member's local header cut short
)


class _CannotLook(Exception):
    """The content is too large, too deep or too damaged to look through completely."""


class _Look:
    """One look at one input. The unpacking budget and the depth are shared by everything it
    opens, so an archive of archives cannot multiply the work."""

    def __init__(self):
        self.room = UNPACK_BYTES
        self.depth = 0

    def take(self, data: bytes) -> bytes:
        self.room -= len(data)
        if self.room < 0:
            raise _CannotLook
        return data

    def deeper(self, check, *args) -> bool:
        if self.depth >= MAX_DEPTH:
            raise _CannotLook
        self.depth += 1
        try:
            return check(*args)
        finally:
            self.depth -= 1

    def file(self, data: bytes, reach: int | None = None) -> bool:
        """Whether data is or holds an image. One may start anywhere in a file, past any junk;
        `reach` limits that for decoded text, whose random-looking bytes would match a short
        signature somewhere. A container's own bytes are random-looking too: it is looked
        through, member by member, and only what lies outside its members is searched as is."""
        head = data[: SCAN_BYTES if reach is None else reach]
        if _signature_near_start(data, len(head)) or _puremagic_says_imagery(data[:SNIFF_BYTES]):
            return True
        if (look_inside := self.container(data, head)) is not None:
            return self.deeper(look_inside, data)
        if reach is None and _may_hold_signature(data) and SIGNATURES.search(data):
            return True
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return self.text(text)

    def container(self, data: bytes, head: bytes):
        """How to look inside data, or None if it is not a container."""
        if UNOPENABLE.search(head):
            raise _CannotLook
        if b"PK\x03\x04" in head or b"PK\x05\x06" in data[-65558:]:
            return self.zip
        if data[257:262] == b"ustar":
            return self.tar
        if b"%PDF-" in head[:1024]:
            return self.pdf
        if compressed := COMPRESSED.search(head):
            return functools.partial(self.unpacked, compressed)
        return None

    def text(self, text: str) -> bool:
        if DATA_URI.search(text):
            return True
        if len(text) < MIN_RUN and text.isprintable():
            return False  # too short to spell an image, and no byte in it is binary
        # Text holds bytes as characters one each (JSON's "\u0089"), or as a file read as
        # Windows-1252 ("\u2030" for 0x89): both are looked at as the bytes they were.
        raw = text.encode("latin-1", "ignore")
        for as_bytes in (raw, text.encode("cp1252", "ignore")):
            if _may_hold_signature(as_bytes) and SIGNATURES.search(as_bytes):
                return True
        if BINARY.search(text) or "%PDF-" in text:
            look_inside = self.container(raw, raw[:SCAN_BYTES])
            if look_inside is not None and self.deeper(look_inside, raw):
                return True
        for run in BASE64_RUN.finditer(text):
            chars = "".join(run[0].split()).translate(URL_SAFE)
            if len(chars) >= MIN_RUN and self.deeper(self.encoded, chars, _base64, 4):
                return True
        for run in HEX_RUN.finditer(text):
            chars = NOT_HEX.sub("", run[0])
            if len(chars) >= MIN_RUN and self.deeper(self.encoded, chars, _hex, 2):
                return True
        return False

    def encoded(self, chars: str, decode, unit: int) -> bool:
        """Decode a run at each alignment (text may be stuck to its start). A container is
        decoded whole, as its images may be anywhere in it; anything else only its start."""
        for offset in range(unit):
            head = decode(chars[offset : offset + DECODE_CHARS])
            if _is_container(head):
                return self.file(self.take(decode(chars[offset:])))
            if self.file(head, reach=DECODED_SCAN_BYTES):
                return True
        return False

    def zip(self, data: bytes) -> bool:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if len(members) > MAX_MEMBERS:
                    raise _CannotLook
                if _signature_outside(data, [_zip_span(data, m) for m in members]):
                    return True
                for member in members:
                    if MEDIA_MEMBER.search(member.filename):
                        return True
                    if not member.is_dir():
                        with archive.open(member) as f:
                            if self.file(self.take(f.read(self.room + 1))):
                                return True
        except UNREADABLE as e:
            raise _CannotLook from e
        return False

    def tar(self, data: bytes) -> bool:
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
                spans = []
                for count, member in enumerate(archive):
                    if count >= MAX_MEMBERS:
                        raise _CannotLook
                    spans.append((member.offset_data, member.offset_data + member.size))
                    if MEDIA_MEMBER.search(member.name):
                        return True
                    content = archive.extractfile(member)
                    if content and self.file(self.take(content.read(self.room + 1))):
                        return True
        except UNREADABLE as e:
            raise _CannotLook from e
        return _signature_outside(data, spans)

    def pdf(self, data: bytes) -> bool:
        """An image in a PDF is an image XObject, an inline image in a page's content, or an
        embedded file; all but the first sit in streams, which are unpacked and looked at."""
        names = _unescape_names(data)
        if PDF_IMAGE.search(names):
            return True
        if b"/Encrypt" in names:
            raise _CannotLook
        spans = []
        for count, stream in enumerate(PDF_STREAM.finditer(data)):
            if count >= MAX_MEMBERS:
                raise _CannotLook
            end = data.find(b"endstream", stream.end())
            spans.append((stream.end(), end if end >= 0 else len(data)))
            content = data[stream.end() : end if end >= 0 else len(data)]
            dictionary = data[data.rfind(b"obj", 0, stream.start()) : stream.start()]
            filters = set(PDF_FILTER.findall(_unescape_names(dictionary)))
            if filters - {b"FlateDecode", b"Fl"}:
                raise _CannotLook  # only Flate is unpacked here; image filters were found above
            if filters:
                try:
                    content = zlib.decompressobj().decompress(content, self.room + 1)
                except zlib.error as e:
                    raise _CannotLook from e
            if PDF_IMAGE.search(self.take(content)) or self.file(content):
                return True
        return _signature_outside(data, spans)  # after %%EOF, say

    def unpacked(self, compressed: re.Match, data: bytes) -> bool:
        gzip, _bzip2, xz = compressed.groups()
        if gzip:
            unpacker = zlib.decompressobj(wbits=31)
        elif xz:
            unpacker = lzma.LZMADecompressor()
        else:
            unpacker = bz2.BZ2Decompressor()
        try:
            content = unpacker.decompress(data[compressed.start() :], self.room + 1)
        except UNREADABLE as e:
            raise _CannotLook from e
        if self.file(self.take(content)):
            return True
        # Whatever follows the first compressed stream (a second gzip member) is a file too.
        rest = unpacker.unused_data
        return bool(rest) and self.deeper(self.file, rest)


def _signature_near_start(data: bytes, scan: int) -> bool:
    if START_SIGNATURES.match(data):
        return True
    found = SIGNATURES.search(data, 0, scan + SIGNATURE_REACH)
    return found is not None and found.start() < scan


def _signature_outside(data: bytes, spans: list[tuple[int, int]]) -> bool:
    """Whether a signature is in what a container's members (start, end) leave: before the
    first, between them, after the last."""
    parts, at = [], 0
    for start, end in sorted(spans):
        parts.append(data[at:start])
        at = max(at, end)
    parts.append(data[at:])
    return SIGNATURES.search(b"".join(parts)) is not None


def _zip_span(data: bytes, member: zipfile.ZipInfo) -> tuple[int, int]:
    """Where a ZIP member's stored bytes are: after its local header's name and extra field."""
    name, extra = struct.unpack("<2H", data[member.header_offset + 26 : member.header_offset + 30])
    start = member.header_offset + 30 + name + extra
    return start, start + member.compress_size


def _may_hold_signature(data: bytes) -> bool:
    return UNTYPED.search(data) is not None or any(word in data for word in SIGNATURE_WORDS)


def _puremagic_says_imagery(head: bytes) -> bool:
    """puremagic knows the long tail of formats (camera raw, DjVu, SVG...). Its signatures of a
    byte or two, or of 4 bytes away from the start, match ordinary text ("sex,free_school_meals"
    reads as QuickTime), so only longer ones are trusted."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return False
    return any(
        m.mime_type.startswith(("image/", "video/"))
        and len(m.byte_match) >= (4 if m.offset == 0 else 6)
        for m in matches
    )


def _is_container(head: bytes) -> bool:
    return (
        head.startswith((b"PK\x03\x04", b"%PDF-"))
        or COMPRESSED.match(head) is not None
        or head[257:262] == b"ustar"
    )


def _unescape_names(pdf: bytes) -> bytes:
    return PDF_NAME_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), pdf)


def _base64(chars: str) -> bytes:
    return binascii.a2b_base64(chars[: len(chars) // 4 * 4])


def _hex(chars: str) -> bytes:
    return bytes.fromhex(chars[: len(chars) // 2 * 2])


def is_imagery(data: bytes) -> bool:
    """Whether a file is, holds or spells out an image or a video."""
    try:
        return _Look().file(data)
    except _CannotLook:
        return True


def text_holds_imagery(text: str) -> bool:
    try:
        return _Look().text(text)
    except _CannotLook:
        return True


def imagery_path(value, path: str = "") -> str | None:
    """Where in a JSON value, keys included, an image or a video is: `incidents[0].reason`."""
    if isinstance(value, str):
        return (path or "the value") if text_holds_imagery(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if text_holds_imagery(str(key)):
                return f"a key of {path or 'the file'}"
            if found := imagery_path(item, f"{path}.{key}" if path else str(key)):
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := imagery_path(item, f"{path}[{i}]"):
                return found
    return None


def refuse_imagery(data: bytes) -> None:
    if is_imagery(data):
        raise ValidationError(IMAGERY_WARNING, code="imagery")


def refuse_imagery_in_text(value) -> None:
    """The one validator of text: a form's, a cell of an imported file, a text or JSON field of
    any model (its keys included)."""
    if imagery_path(value) is not None:
        raise ValidationError(IMAGERY_WARNING, code="imagery")


@functools.cache
def _text_fields(model) -> tuple:
    return tuple(
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    )


def guard(model) -> None:
    """Refuse imagery in every text and JSON field of a model, before anything sends it to the
    database: before every save (`refuse_imagery_on_save`), and, for a field a model form looks
    up as it checks uniqueness (the admin's), as the form is cleaned, before that query."""
    pre_save.connect(refuse_imagery_on_save, sender=model)
    unique = {name for names in model._meta.unique_together for name in names}
    unique |= {
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        for name in constraint.fields
    }
    for field in _text_fields(model):
        if (
            field.unique or field.name in unique
        ) and refuse_imagery_in_text not in field.validators:
            # Added to the validators Django runs, not to the field's definition, so no
            # migration records it. A form shows the refusal on the field.
            field.validators.append(refuse_imagery_in_text)


def refuse_imagery_on_save(sender, instance, update_fields=None, **kwargs):
    """Every save of every model passes here, whichever door it came through. The refusal is
    a ValidationError, which the callers of services already show as the form's error."""
    for field in _text_fields(sender):
        if update_fields is None or field.name in update_fields:
            refuse_imagery_in_text(field.value_from_object(instance))
