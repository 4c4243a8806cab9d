"""R25-R28: the audit trail, who has looked, and the PDF of one incident."""

import shutil
import subprocess

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import Role
from accounts.permissions import TEAM_ROLES
from incidents import hub, services
from incidents.models import Incident
from records import audit
from records.models import AccessLog

from .factories import IncidentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_history_says_who_changed_what_when_and_why_in_plain_english(client, world, managed):
    person = managed.people.get(name="Partner")
    services.correct_person(person, world.dsl, "Checked with his school", age=16)
    client.force_login(world.headteacher)
    page = client.get(reverse("incident_history", args=[managed.pk])).text
    assert "Changed the involved person</strong>: Checked with his school" in page
    assert "Age: 15 → 16" in page
    assert "Stage: Reported: awaiting initial review → Under initial review" in page
    assert str(world.dsl) in page


@pytest.mark.parametrize("rows", [0, 30])
def test_the_history_costs_the_same_queries_however_long_it_is(
    client, world, managed, rows, django_assert_max_num_queries
):
    person = managed.people.get(name="Partner")
    for i in range(rows):
        services.correct_person(person, world.dsl, f"Correction {i}", age=15 + i % 2)
    client.force_login(world.dsl)
    url = reverse("incident_history", args=[managed.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        client.get(url)


@pytest.mark.parametrize(
    ("url_name", "most"),
    [
        ("incident_detail", 15),
        ("incident_chronology", 14),
        ("incident_history", 12),
        ("incident_pdf", 18),
    ],
)
def test_a_new_case_is_read_without_asking_for_records_it_does_not_hold_yet(
    client, world, url_name, most, django_assert_max_num_queries
):
    """Issue 14: the case's page, chronology, history and PDF read every kind of record and its
    history (referrals, actions, viewings, retention...), held or not: 33, 34, 28 and 70 queries
    for a new report. One query now finds out which kinds the case holds; the initial review
    comes with the incident, and whether the reader is in the school's team with the roles
    already read (17, 15, 13 and 20 before those two)."""
    incident = IncidentFactory(school=world.school)
    client.force_login(world.dsl)
    with django_assert_max_num_queries(most):
        assert client.get(reverse(url_name, args=[incident.pk])).status_code == 200


def test_taking_stock_leaves_out_only_the_kinds_of_record_the_case_does_not_hold(world, managed):
    services.add_action(
        managed,
        world.dsl,
        kind="support",
        description="Check in",
        owner=world.dsl,
        due=managed.reported_at.date(),
    )
    incident = Incident.objects.get(pk=managed.pk)
    hub.take_stock(incident)
    assert {"people", "decisions", "actions"} <= incident.held
    assert "viewings" not in incident.held
    for relation in Incident._meta.related_objects:
        if relation.one_to_many and not relation.hidden:
            name = relation.get_accessor_name()
            assert list(hub.recorded(incident, name)) == list(getattr(incident, name).all()), name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue (.ci/run)")
def test_every_table_the_stock_asks_reads_its_rows_of_an_incident_from_an_index():
    """Each EXISTS of `take_stock` and of the history's (`_with_history`) asks a table by its
    incident column: without an index leading with it, the access log (a row for every
    opening) or the notifications would be read whole for each page of a case."""
    tables = [
        (r.related_model._meta.db_table, r.field.column) for r in hub.stock_relations(Incident)
    ]
    tables += [(model.history.model._meta.db_table, path) for model, path in audit.SOURCES]
    with connection.cursor() as cursor:
        for table, column in tables:
            if column == "id" or "__" in column:
                continue  # the incident's own history is read by its id; the others through them
            cursor.execute(
                "SELECT count(*) FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                " WHERE i.indrelid = %s::regclass AND a.attname = %s",
                [table, column],
            )
            assert cursor.fetchone()[0], f"{table}.{column} has no index"


def test_every_opening_is_logged_and_outsiders_to_the_team_stand_out(client, world, managed):
    for user, url_name in (
        (world.dsl, "incident_detail"),
        (world.headteacher, "incident_chronology"),
        (world.trust_lead, "incident_history"),
    ):
        client.force_login(user)
        client.get(reverse(url_name, args=[managed.pk]))
    log = list(AccessLog.objects.order_by("pk").values_list("user__username", "what", "in_team"))
    assert log == [
        ("hil-dsl", "incident", True),
        ("hil-headteacher", "chronology", True),
        (world.trust_lead.username, "history", False),
    ]
    client.force_login(world.headteacher)
    page = client.get(reverse("access_log", args=[managed.pk])).text
    assert "outside the school's safeguarding team" in page
    client.force_login(world.trust_lead)
    assert client.get(reverse("access_log", args=[managed.pk])).status_code == 403


@pytest.mark.parametrize("role", sorted(TEAM_ROLES))
def test_each_role_of_the_safeguarding_team_opens_a_case_as_the_team(client, world, managed, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("incident_detail", args=[managed.pk])).status_code == 200
    assert AccessLog.objects.get().in_team


def test_a_trust_lead_who_is_a_school_s_dsl_too_is_flagged_only_outside_that_school(
    client, world, managed
):
    """The team is read from the permissions the user holds at each school: the trust lead's
    own, which reach every school of the trust, never make them one of a school's team."""
    MembershipFactory(user=world.trust_lead, school=world.other_school, role=Role.DSL)
    other = IncidentFactory(school=world.other_school)
    client.force_login(world.trust_lead)
    for incident in (managed, other):
        assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 200
    log = dict(AccessLog.objects.values_list("incident__school", "in_team"))
    assert log == {world.school.pk: False, world.other_school.pk: True}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_the_pdf_has_the_decision_the_signatory_the_references_the_audit_and_the_footer(
    client, world, managed, tmp_path
):
    from django.utils import timezone

    from referrals.services import add_referral

    add_referral(
        managed,
        world.dsl,
        agency="early_help",
        made_at=timezone.now(),
        reason="Family support",
        reference="EH-2026-77",
    )
    client.force_login(world.dsl)
    response = client.get(reverse("incident_pdf", args=[managed.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(tmp_path / "record.pdf")], capture_output=True, text=True
    ).stdout
    assert 'pdfaid:part="3"' in meta  # PDF/A-3 (3a: tagged), for archiving
    for expected in (
        "Manage in school",
        "Consensual, both 15",
        "Signed off",
        "Headteacher",
        "EH-2026-77",
        "Appendix B: audit trail",
        "Recorded the sign off",
        "OFFICIAL-SENSITIVE",
        "Page 1 of",
        f"by {world.dsl}",
        managed.reference,
        "Hillside Academy",
    ):
        assert expected in text, expected
    assert AccessLog.objects.filter(what="export", user=world.dsl).exists()


def test_another_schools_incident_is_never_exported(client, world):
    theirs = IncidentFactory(school=world.other_school)
    client.force_login(world.dsl)
    assert client.get(reverse("incident_pdf", args=[theirs.pk])).status_code == 404


def test_a_user_in_the_history_cannot_be_deleted_only_deactivated(world):
    it_admin = UserFactory(is_superuser=True)
    world.school.name = "Hillside Academy (renamed)"
    world.school._history_user = it_admin
    world.school.save()
    with (
        pytest.raises(ProtectedError, match="deactivate the account instead"),
        transaction.atomic(),
    ):
        it_admin.delete()
    assert world.school.history.filter(history_user=it_admin).exists()
    UserFactory().delete()  # someone who never did anything can go


def test_the_admin_has_no_incidents_and_no_delete_for_schools(client, world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/incidents/incident/").status_code == 404
    assert client.get(f"/admin/accounts/school/{world.school.pk}/delete/").status_code == 403
    history = client.get(f"/admin/accounts/school/{world.school.pk}/history/")
    assert history.status_code == 200


@pytest.mark.parametrize("rows", [0, 25])
def test_the_pdf_costs_the_same_queries_however_long_the_history(
    client, world, managed, rows, django_assert_max_num_queries
):
    person = managed.people.get(name="Partner")
    for i in range(rows):
        services.correct_person(person, world.dsl, f"Correction {i}", age=15 + i % 2)
    client.force_login(world.dsl)
    url = reverse("incident_pdf", args=[managed.pk])
    # A fixed number for each section (agencies, managing and safety plans, imagery, sharing,
    # retention), whatever the length of the history.
    with django_assert_max_num_queries(90):
        assert client.get(url).status_code == 200
