"""Import a pupil roster from a CSV export of the school's MIS: all rows or none.

Column layout (header row required; names are not case-sensitive; order does not matter):

    upn, surname, forename, date_of_birth, sex, year_group, sen, looked_after, known_to_social_care

- `upn` may be empty. A row whose UPN matches a pupil already on the roster updates that pupil;
  without a UPN, a pupil with the same forename, surname and date of birth is updated.
- `date_of_birth`: DD/MM/YYYY (as MIS exports write it) or YYYY-MM-DD.
- `sex`: F, M, Female or Male.
- the three flags: Y/N, Yes/No, True/False, 1/0; empty means no.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

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


class RosterError(Exception):
    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportResult:
    created: int
    updated: int


def parse_date(value: str) -> datetime.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date of birth '{value}' is not DD/MM/YYYY")


def parse_row(row: dict[str, str]) -> dict:
    missing = [c for c in REQUIRED if not row.get(c)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    sex = SEXES.get(row["sex"].lower())
    if sex is None:
        raise ValueError(f"sex '{row['sex']}' is not F or M")
    dob = parse_date(row["date_of_birth"])
    if dob > datetime.date.today():
        raise ValueError("date of birth is in the future")
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
    return values


def import_roster(school: School, text: str, user) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError([(1, f"The header row lacks the column(s): {', '.join(missing)}.")])
    reader.fieldnames = header

    rows, problems, seen_upns = [], [], set()
    for row in reader:
        line = reader.line_num
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
            problems.append((line, " ".join(m for ms in e.message_dict.values() for m in ms)))
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

    created = updated = 0
    with transaction.atomic():
        for values in rows:
            if values["upn"]:
                match = {"upn": values["upn"]}
            else:
                match = {k: values[k] for k in ("first_name", "last_name", "date_of_birth")}
            pupil = Pupil.objects.filter(school=school, **match).first()
            if pupil is None:
                pupil = Pupil(school=school)
                created += 1
            else:
                updated += 1
            for k, v in values.items():
                setattr(pupil, k, v)
            pupil._change_reason = "Imported from the MIS roster"
            pupil._history_user = user
            pupil.save()
    return ImportResult(created=created, updated=updated)
