"""Issue 21 item 5: a roster import that tells the truth about the file and what it changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Pupil

pytestmark = pytest.mark.django_db

HEADER = "upn,surname,forename,date_of_birth,sex,year_group"
ROWS = [
    "A12345678901B,Wiśniewska,Łucja,14/03/2012,F,Year 9",
    ",Ó Súilleabháin,Siobhán,30/09/2011,F,Year 10",
    ",Lewis,Tom,01/01/2012,M,Year 9",
]


def csv_text(rows=ROWS, newline="\n") -> str:
    return newline.join([HEADER, *rows]) + newline


def upload(client, school, content: bytes, encoding=""):
    return client.post(
        reverse("pupil_import", args=[school.pk]),
        {
            "file": SimpleUploadedFile("roster.csv", content, content_type="text/csv"),
            "encoding": encoding,
        },
        follow=True,
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_it_imports_a_file_with_any_line_ending(client, world, newline):
    client.force_login(world.administrator)
    response = upload(client, world.school, csv_text(newline=newline).encode("utf-8-sig"))
    assert response.status_code == 200
    assert "3 pupils added" in response.text
    assert set(Pupil.objects.values_list("first_name", flat=True)) == {"Łucja", "Siobhán", "Tom"}


def test_a_problem_in_a_cr_only_file_is_on_its_own_line(client, world):
    client.force_login(world.administrator)
    bad = csv_text([*ROWS, ",Nosex,Di,01/01/2012,Q,Year 9"], newline="\r")
    response = upload(client, world.school, bad.encode())
    assert response.status_code == 400
    assert "Line 5: Sex &#x27;Q&#x27; is not F or M." in response.text


def test_a_polish_windows_file_read_as_english_is_refused_with_the_right_spelling(client, world):
    client.force_login(world.administrator)
    polish = csv_text(["A12345678901B,Wiśniewska,Łucja,14/03/2012,F,Year 9"]).encode("cp1250")
    response = upload(client, world.school, polish)
    assert response.status_code == 400
    assert "£ucja" in response.text  # what the English code page makes of it
    assert "it reads &#x27;Łucja&#x27;" in response.text and "Windows-1250" in response.text
    assert not Pupil.objects.exists()
    response = upload(client, world.school, polish, encoding="cp1250")
    assert response.status_code == 200
    assert Pupil.objects.get().first_name == "Łucja"
    assert Pupil.objects.get().last_name == "Wiśniewska"


def test_reimporting_an_unchanged_roster_changes_nothing_and_says_so(client, world):
    client.force_login(world.administrator)
    upload(client, world.school, csv_text().encode())
    changed = [ROWS[0], ROWS[1], ROWS[2].replace("Year 9", "Year 10")]
    response = upload(client, world.school, csv_text(changed).encode())
    assert "0 pupils added, 1 updated, 2 unchanged" in response.text
    assert Pupil.history.count() == 4  # three added, one changed; nothing for the unchanged


def test_one_pupil_is_one_pupil(client, world):
    client.force_login(world.administrator)
    response = upload(client, world.school, csv_text(ROWS[:1]).encode())
    assert "Roster imported: 1 pupil added, 0 updated." in response.text


def test_every_error_names_its_column(client, world):
    client.force_login(world.administrator)
    rows = [
        ",Lewis,Tom,2099-01-01,M,Year 9",
        ",Lewis,Tom,32/01/2012,M,Year 9",
        f",{'L' * 101},Tom,01/01/2012,M,Year 9",
        "BAD,Lewis,Tom,01/01/2012,M,Year 9",
    ]
    response = upload(client, world.school, csv_text(rows).encode())
    assert response.status_code == 400
    problems = response.text.split('id="problems"', 1)[1].split("</ul>", 1)[0]
    assert "Line 2: Date_of_birth &#x27;2099-01-01&#x27; is in the future." in problems
    assert "Line 3: Date_of_birth &#x27;32/01/2012&#x27; is not DD/MM/YYYY." in problems
    assert "Line 4: surname: Ensure this value has at most 100 characters" in problems
    assert "Line 5: upn: A UPN is a letter" in problems


def test_the_roster_lists_accented_names_where_people_look_for_them(client, world):
    client.force_login(world.administrator)
    upload(client, world.school, csv_text([*ROWS, ",Zimmer,Ann,01/01/2012,F,Year 9"]).encode())
    page = client.get(reverse("pupil_list", args=[world.school.pk])).text
    order = [page.index(n) for n in ("Lewis", "Ó Súilleabháin", "Wiśniewska", "Zimmer")]
    assert order == sorted(order)
