"""Import a pupil roster from a CSV export of the school's MIS: all rows or none.

Column layout (header row required; names are not case-sensitive; order does not matter):

    upn, surname, forename, date_of_birth, sex, year_group, sen, looked_after, known_to_social_care

- `upn` may be empty. A row whose UPN matches a pupil already on the roster updates that pupil;
  without a UPN, a pupil with the same forename, surname and date of birth is updated.
- `date_of_birth`: DD/MM/YYYY (as MIS exports write it) or YYYY-MM-DD.
- `sex`: F, M, Female or Male.
- the three flags: Y/N, Yes/No, True/False, 1/0; empty means no.

The file may be saved from Excel as "CSV UTF-8", "CSV" (Windows-1252) or "Unicode Text" (UTF-16,
tab-separated), with Windows (CRLF), Unix (LF) or old Mac (CR) line endings. A file saved as "CSV"
on a Polish, Czech or Turkish Windows is in that country's code page: the importer is told which
(ENCODINGS), and a name with a character no name has ('£ucja', as Windows-1250's Ł reads in
1252) is refused with the spelling it would have in the code page that makes it a name. A column
ypsi does not know is refused rather than ignored: a mis-decoded first byte would otherwise hide
the UPN column unnoticed. Re-importing an unchanged roster changes nothing and says so.
"""

import codecs
import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ypsi.imagery import refuse_imagery, refuse_imagery_in_text

from .models import Pupil, School, Sex

COLUMNS = (
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "sex",
    "year_group",
    "sen",
    "looked_after",
    "known_to_social_care",
)
REQUIRED = ("surname", "forename", "date_of_birth", "sex", "year_group")
FLAGS = {
    "sen": "sen_or_disability",
    "looked_after": "looked_after",
    "known_to_social_care": "known_to_social_care",
}
YES = {"y", "yes", "true", "1"}
NO = {"", "n", "no", "false", "0"}
SEXES = {"f": Sex.FEMALE, "female": Sex.FEMALE, "m": Sex.MALE, "male": Sex.MALE}
MAX_BYTES = 5 * 1024 * 1024
# What Excel saves: "CSV UTF-8" and "Unicode Text" (UTF-16) begin with a byte order mark; plain
# "CSV" has none and is in the Windows code page, 1252 in England (Latin-1 and a few more).
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The code pages Excel's plain "CSV" is saved in on a Windows set up for another language.
ENCODINGS = {
    "cp1250": "Windows-1250: Central European (Polish, Czech, Slovak, Hungarian, Romanian)",
    "cp1251": "Windows-1251: Cyrillic (Russian, Ukrainian, Bulgarian)",
    "cp1253": "Windows-1253: Greek",
    "cp1254": "Windows-1254: Turkish",
    "cp1257": "Windows-1257: Baltic (Lithuanian, Latvian)",
    "cp1258": "Windows-1258: Vietnamese",
}
# Each roster column by the model field it fills, to name the column in a field's error.
FIELD_COLUMNS = {
    "upn": "upn",
    "last_name": "surname",
    "first_name": "forename",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "year_group": "year_group",
    "sen_or_disability": "sen",
    "looked_after": "looked_after",
    "known_to_social_care": "known_to_social_care",
}
NOT_TEXT = (
    "It is not valid text in any of the encodings Excel saves in. Save the file from Excel as "
    "CSV UTF-8 and import it again."
)


class RosterError(Exception):
    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0

    def __str__(self) -> str:
        parts = [f"{_pupils(self.created)} added", f"{self.updated:,} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        return "Roster imported: " + ", ".join(parts) + "."


def _pupils(n: int) -> str:
    return f"{n:,} pupil{'' if n == 1 else 's'}"


def read_upload(upload, encoding: str = "") -> str:
    """The uploaded file's text, after the imagery check (R22)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"The file is too large: the limit is {MAX_BYTES // 1024 // 1024} MB."
        )
    data = upload.read()
    refuse_imagery(data)
    text = decode(data, encoding)
    refuse_imagery_in_text(text)
    return text


def decode(data: bytes, encoding: str = "") -> str:
    """The text in whichever encoding Excel saved it; a line that is in none of them is refused.

    Windows-1252 decodes almost any bytes, so it comes last, and not at all for a file whose
    earlier lines were UTF-8: one bad byte there is damage, and decoding the whole file as 1252
    would garble every accented name in it.
    """
    text = _strictly(data, encoding) if encoding else _decode(data)
    if "\x00" in text:
        # Not text: most often UTF-16 saved without its byte order mark.
        raise _not_text(text[: text.index("\x00")])
    return text


def _decode(data: bytes) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strictly(data[len(bom) :], encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if not data[: e.start].isascii():
            raise _not_text(data[: e.start].decode("utf-8")) from None
    return _strictly(data, "cp1252")


def _strictly(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise _not_text(data[: e.start].decode(encoding)) from None


def _not_text(before: str) -> RosterError:
    """The refusal, at the line of the first character that is not text."""
    return RosterError([(before.count("\n") + 1, NOT_TEXT)])


def parse_date(value: str) -> datetime.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date_of_birth '{value}' is not DD/MM/YYYY")


def parse_row(row: dict[str, str]) -> dict:
    missing = [c for c in REQUIRED if not row.get(c)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    sex = SEXES.get(row["sex"].lower())
    if sex is None:
        raise ValueError(f"sex '{row['sex']}' is not F or M")
    dob = parse_date(row["date_of_birth"])
    if dob > datetime.date.today():
        raise ValueError(f"date_of_birth '{row['date_of_birth']}' is in the future")
    values = {
        "upn": row.get("upn", "").upper(),
        "last_name": row["surname"],
        "first_name": row["forename"],
        "date_of_birth": dob,
        "sex": sex,
        "year_group": row["year_group"],
    }
    for column, field in FLAGS.items():
        flag = row.get(column, "").lower()
        if flag not in YES | NO:
            raise ValueError(f"{column} '{row[column]}' is not Y or N")
        values[field] = flag in YES
    for column in ("surname", "forename"):
        _check_name(column, row[column])
    return values


def _check_name(column: str, name: str) -> None:
    """A name has letters, accents, spaces, hyphens, apostrophes and dots; a symbol or a digit in
    it (£, ³, ¹) is most often a letter of another code page read as Windows-1252."""
    odd = [c for c in name if unicodedata.category(c)[0] in "SNC" or c == "\ufffd"]
    if not odd:
        return
    message = f"{column} '{name}' has characters a name does not have ({' '.join(odd)})"
    for encoding, label in ENCODINGS.items():
        try:
            read = name.encode("cp1252").decode(encoding)
        except UnicodeError:
            continue
        if all(unicodedata.category(c)[0] not in "SNC" for c in read):
            message += (
                f": in {label} it reads '{read}'. Choose that encoding and import the file again"
            )
            break
    raise ValueError(message)


def import_roster(school: School, text: str, user) -> ImportResult:
    # Old Mac Excel ends lines with CR alone: every line ending becomes LF, so that the line
    # numbers in the problems and the header's own line are the file's.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Excel's "Unicode Text" (UTF-16) separates the columns with tabs, not commas.
    header_line = text.partition("\n")[0]
    delimiter = "\t" if "\t" in header_line and "," not in header_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _read_rows(reader, school)
    except csv.Error as e:
        # The reader counts the lines it has read: the bad one is the next.
        raise RosterError([(reader.line_num + 1, f"It cannot be read as CSV ({e}).")]) from None
    return _save(school, rows, user)


def _check_header(fieldnames: list[str] | None) -> list[str]:
    """The header's column names, lower-cased; refused unless each is one of COLUMNS, once."""
    typed = [h.strip() for h in (fieldnames or [])]
    header = [h.lower() for h in typed]
    unknown = [_shown(t) for t, h in zip(typed, header, strict=True) if h and h not in COLUMNS]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    missing = [c for c in REQUIRED if c not in header]
    problems = []
    if unknown:
        problems.append(
            f"The header row has column(s) ypsi does not know: {', '.join(unknown)}. Rename "
            f"or remove them; the columns are {', '.join(COLUMNS)}."
        )
    if twice:
        problems.append(f"The header row has the column(s) {', '.join(twice)} more than once.")
    if missing:
        problems.append(f"The header row lacks the column(s): {', '.join(missing)}.")
    if problems:
        raise RosterError([(1, p) for p in problems])
    return header


def _shown(name: str) -> str:
    """A column name as typed, with invisible characters (a stray byte order mark) spelt out."""
    return "'" + "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name) + "'"


def _read_rows(reader: csv.DictReader, school: School) -> list[dict]:
    reader.fieldnames = _check_header(reader.fieldnames)
    rows, problems, seen_upns = [], [], set()
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append((line, "It has more values than the header row has columns."))
            continue
        if (row.get("") or "").strip():
            problems.append((line, "It has a value in a column with no name in the header row."))
            continue
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        try:
            values = parse_row(clean)
            pupil = Pupil(school=school, **values)
            pupil.full_clean(exclude=["school"], validate_unique=False, validate_constraints=False)
        except ValueError as e:
            message = str(e)
            problems.append((line, message[0].upper() + message[1:] + "."))
            continue
        except ValidationError as e:
            problems.append(
                (
                    line,
                    " ".join(
                        f"{FIELD_COLUMNS.get(field, field)}: {m}"
                        for field, ms in e.message_dict.items()
                        for m in ms
                    ),
                )
            )
            continue
        if values["upn"] and values["upn"] in seen_upns:
            problems.append((line, f"UPN {values['upn']} appears twice in the file."))
            continue
        seen_upns.add(values["upn"])
        rows.append(values)
    if problems:
        raise RosterError(problems)
    if not rows:
        raise RosterError([(1, "The file has no pupils in it.")])
    return rows


def _save(school: School, rows: list[dict], user) -> ImportResult:
    """Each row adds a pupil or updates the one it matches; a pupil whose every value is the same
    is not saved, so an unchanged roster writes no history and is counted as unchanged."""
    created = updated = unchanged = 0
    pupils = list(school.pupils.all())
    by_upn = {p.upn: p for p in pupils if p.upn}
    by_name = {(p.first_name, p.last_name, p.date_of_birth): p for p in pupils}
    with transaction.atomic():
        for values in rows:
            if values["upn"]:
                pupil = by_upn.get(values["upn"])
            else:
                pupil = by_name.get(
                    (values["first_name"], values["last_name"], values["date_of_birth"])
                )
            if pupil is None:
                pupil = Pupil(school=school)
                created += 1
            elif all(getattr(pupil, k) == v for k, v in values.items()):
                unchanged += 1
                continue
            else:
                updated += 1
            for k, v in values.items():
                setattr(pupil, k, v)
            pupil._change_reason = "Imported from the MIS roster"
            pupil._history_user = user
            pupil.save()
            by_name[(pupil.first_name, pupil.last_name, pupil.date_of_birth)] = pupil
            if pupil.upn:
                by_upn[pupil.upn] = pupil
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
