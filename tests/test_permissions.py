"""R29: every role x own school / other school / other trust x every URL, with the status expected.

One school never sees another's records; staff and administrators see no incident; the trust
lead reads across the trust and nowhere else.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import calendars
from incidents.models import Action, Notification, ReportFlood, SafetyPlan
from records.models import (
    DeletionRequest,
    Disposal,
    Export,
    ReceivedFile,
    RetentionHold,
    RetentionReview,
    SubjectAccessRequest,
    Transfer,
    ViewingRecord,
)
from referrals.models import Device, Escalation, Referral

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "staff",
    "dsl",
    "deputy_dsl",
    "headteacher",
    "administrator",
    "other_staff",
    "other_dsl",
    "other_headteacher",
    "other_administrator",
    "trust_lead",
    "far_trust_lead",
]
SAFEGUARDING = {"dsl", "deputy_dsl", "headteacher", "trust_lead"}
DSLS = {"dsl", "deputy_dsl"}
ROSTER = {"dsl", "deputy_dsl", "headteacher", "administrator"}
POLICY = {"headteacher", "administrator"}
SCHOOL_MEMBERS = {
    "staff",
    "dsl",
    "deputy_dsl",
    "headteacher",
    "administrator",
    "other_staff",
    "other_dsl",
    "other_headteacher",
    "other_administrator",
}

# (url name, args from the fixture, who gets 200, what everyone else signed in gets)
MATRIX = [
    ("dashboard", lambda c: [], set(PERSONAS) - {"anonymous"}, None),
    ("report_concern", lambda c: [], SCHOOL_MEMBERS, 403),
    ("my_reports", lambda c: [], set(PERSONAS) - {"anonymous"}, None),
    ("notification_list", lambda c: [], set(PERSONAS) - {"anonymous"}, None),
    # Only its recipient opens a notification (tests/test_in_app_notifications.py); here it
    # is someone else's, so every persona is refused without being told it exists.
    ("notification_open", lambda c: [c.notification.pk], set(), 404),
    ("report_receipt", lambda c: [c.incident.reference], {"staff"}, 404),
    (
        "incident_list",
        lambda c: [],
        SAFEGUARDING | {"other_dsl", "other_headteacher", "far_trust_lead"},
        403,
    ),
    (
        "search",
        lambda c: [],
        SAFEGUARDING | {"other_dsl", "other_headteacher", "far_trust_lead"},
        403,
    ),
    ("incident_detail", lambda c: [c.incident.pk], SAFEGUARDING, 404),
    ("incident_review", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "meeting"], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "scope"], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "people"], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "criteria"], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "typology"], DSLS, "hidden"),
    ("review_part", lambda c: [c.incident.pk, "factors"], DSLS, "hidden"),
    ("person_edit", lambda c: [c.incident.pk, c.person.pk], DSLS, "hidden"),
    ("person_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("incident_decide", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("incident_sign_off", lambda c: [c.incident.pk], {"headteacher"}, "hidden"),
    ("incident_chronology", lambda c: [c.incident.pk], SAFEGUARDING, 404),
    ("risk_assessment", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("conversation_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("parent_contact_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("action_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("action_complete", lambda c: [c.incident.pk, c.action.pk], DSLS, "hidden"),
    ("incident_close", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("incident_reopen", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("referral_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("referral_update", lambda c: [c.incident.pk, c.referral.pk], DSLS, "hidden"),
    ("follow_up_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("device_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("custody_add", lambda c: [c.incident.pk, c.device.pk], DSLS, "hidden"),
    (
        "inspection_report",
        lambda c: [],
        SAFEGUARDING | {"other_dsl", "other_headteacher", "far_trust_lead"},
        403,
    ),
    ("incident_history", lambda c: [c.incident.pk], SAFEGUARDING, 404),
    ("incident_pdf", lambda c: [c.incident.pk], SAFEGUARDING, 404),
    ("access_log", lambda c: [c.incident.pk], DSLS | {"headteacher"}, "hidden"),
    ("viewing_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("deletion_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("search_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("deletion_confirm", lambda c: [c.incident.pk, c.deletion.pk], DSLS, "hidden"),
    ("deletion_refused", lambda c: [c.incident.pk, c.deletion.pk], DSLS, "hidden"),
    ("viewing_confirm", lambda c: [c.incident.pk, c.viewing.pk], {"dsl", "deputy_dsl"}, 404),
    ("delegation_add", lambda c: [c.school.pk], POLICY, 404),
    ("pupil_file", lambda c: [c.school.pk, c.pupil.pk], SAFEGUARDING, 404),
    ("pupil_file_json", lambda c: [c.school.pk, c.pupil.pk], DSLS, "hidden"),
    ("pupil_file_pdf", lambda c: [c.school.pk, c.pupil.pk], DSLS, "hidden"),
    ("transfer_add", lambda c: [c.school.pk, c.pupil.pk], DSLS, "hidden"),
    ("transfer_sent", lambda c: [c.school.pk, c.pupil.pk, c.transfer.pk], DSLS, "hidden"),
    ("transfer_receipt", lambda c: [c.school.pk, c.pupil.pk, c.transfer.pk], DSLS, "hidden"),
    ("transfer_send", lambda c: [c.school.pk, c.pupil.pk, c.transfer.pk], DSLS, "hidden"),
    ("incoming_files", lambda c: [c.school.pk], DSLS, 404),
    ("transfer_accept", lambda c: [c.school.pk, c.incoming.pk], DSLS, 404),
    ("received_told", lambda c: [c.school.pk, c.received.pk], DSLS, "hidden"),
    ("import_file", lambda c: [c.school.pk], DSLS, 404),
    ("export_status", lambda c: [c.export.pk], {"dsl"}, 404),
    ("export_download", lambda c: [c.export.pk], {"dsl"}, 404),
    ("pupil_list", lambda c: [c.school.pk], ROSTER, 404),
    # The pupil picker's search (issue 21 item 4): whoever may report a concern there.
    (
        "pupil_matches",
        lambda c: [c.school.pk],
        {"staff", "dsl", "deputy_dsl", "headteacher", "administrator"},
        404,
    ),
    ("pupil_add", lambda c: [c.school.pk], ROSTER, 404),
    ("pupil_import", lambda c: [c.school.pk], ROSTER, 404),
    ("school_policy", lambda c: [c.school.pk], POLICY, 404),
    ("school_calendar", lambda c: [c.school.pk], POLICY, 404),
    ("flood_suspend", lambda c: [c.flood.pk], POLICY, 404),
    ("security_log", lambda c: [c.school.pk], {"headteacher", "trust_lead"}, 404),
    ("people", lambda c: [c.school.pk], POLICY | {"trust_lead"}, 404),
    ("people_invite", lambda c: [c.school.pk], POLICY, 404),
    ("person_roles", lambda c: [c.school.pk, c.staff.pk], POLICY, 404),
    ("calendar_remove", lambda c: [c.school.pk, "closure", c.closure.pk], POLICY, 404),
    (
        "retention_list",
        lambda c: [],
        DSLS | {"headteacher", "other_dsl", "other_headteacher"},
        403,
    ),
    ("incident_retention", lambda c: [c.incident.pk], SAFEGUARDING, 404),
    ("retention_review", lambda c: [c.incident.pk, c.review.pk], DSLS, "hidden"),
    ("disposal_decide", lambda c: [c.incident.pk, c.disposal.pk], {"headteacher"}, "hidden"),
    ("retention_hold_add", lambda c: [c.incident.pk], DSLS | {"headteacher"}, "hidden"),
    (
        "retention_hold_lift",
        lambda c: [c.incident.pk, c.hold.pk],
        DSLS | {"headteacher"},
        "hidden",
    ),
    ("retention_advice_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    (
        "referral_outcome_add",
        lambda c: [c.incident.pk, c.referral.pk],
        DSLS,
        "hidden",
    ),
    ("advice_call_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("help_action_add", lambda c: [c.incident.pk, "report_remove"], DSLS, "hidden"),
    ("sextortion_advice_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    # R38: the agency's acknowledgement, an escalation and its outcome.
    ("referral_acknowledgement", lambda c: [c.incident.pk, c.referral.pk], DSLS, "hidden"),
    ("escalation_add", lambda c: [c.incident.pk, c.referral.pk], DSLS, "hidden"),
    ("escalation_outcome", lambda c: [c.incident.pk, c.escalation.pk], DSLS, "hidden"),
    # R43: a safety plan, and its review.
    ("safety_plan_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("safety_plan_review", lambda c: [c.incident.pk, c.safety_plan.pk], DSLS, "hidden"),
    ("sharing_add", lambda c: [c.incident.pk], DSLS, "hidden"),
    ("sar_list", lambda c: [c.school.pk], SAFEGUARDING, 404),
    ("sar_add", lambda c: [c.school.pk], DSLS, "hidden"),
    ("sar_detail", lambda c: [c.school.pk, c.sar.pk], SAFEGUARDING, 404),
    ("sar_extend", lambda c: [c.school.pk, c.sar.pk], DSLS, "hidden"),
    ("sar_part", lambda c: [c.school.pk, c.sar.pk, f"person-{c.person.pk}"], DSLS, "hidden"),
    ("sar_submit", lambda c: [c.school.pk, c.sar.pk], DSLS, "hidden"),
    ("sar_approve", lambda c: [c.school.pk, c.sar.pk], {"headteacher"}, "hidden"),
    ("sar_release", lambda c: [c.school.pk, c.sar.pk], DSLS, "hidden"),
    # Not yet approved: the DSLs are told so on the page (409), nobody gets a PDF.
    ("sar_pdf", lambda c: [c.school.pk, c.sar.pk], set(), "dsl_409"),
]


@pytest.fixture
def case(world):
    world.incident = IncidentFactory(school=world.school, reported_by=world.staff)
    world.person = InvolvedPersonFactory(incident=world.incident)
    world.flood = ReportFlood.objects.create(school=world.school, reporter=world.staff)
    world.action = Action.objects.create(
        incident=world.incident,
        kind="support",
        description="Check in",
        owner=world.dsl,
        due=datetime.date(2026, 1, 1),
    )
    world.referral = Referral.objects.create(
        incident=world.incident, agency="mash", made_by=world.dsl, reason="x"
    )
    world.escalation = Escalation.objects.create(
        referral=world.referral,
        escalated_at=timezone.now(),
        to_whom="Team manager",
        concern="x",
        recorded_by=world.dsl,
    )
    world.safety_plan = SafetyPlan.objects.create(
        incident=world.incident,
        pictured=world.person,
        other=InvolvedPersonFactory(incident=world.incident, roles=["sharer"]),
        arrangements="x",
        who_knows="x",
        support_pictured="x",
        support_other="x",
        review_on=datetime.date(2026, 1, 1),
        recorded_by=world.dsl,
    )
    world.device = Device.objects.create(
        incident=world.incident, description="Phone", owner="Pupil"
    )
    world.export = Export.objects.create(
        requested_by=world.dsl,
        params={},
        status="done",
        content=b"%PDF-",
        finished_at=timezone.now(),
    )
    world.pupil = PupilFactory(school=world.school)
    world.transfer = Transfer.objects.create(
        pupil=world.pupil,
        to_school="Elsewhere",
        moved_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2026, 1, 12),
        recorded_by=world.dsl,
    )
    # Sent inside ypsi from Meadowbank to Hillside, waiting for Hillside's DSL (R42).
    world.incoming = Transfer.objects.create(
        pupil=PupilFactory(school=world.other_school),
        to_school=world.school.name,
        receiving_school=world.school,
        moved_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2026, 1, 12),
        recorded_by=world.other_dsl,
        sent_at=timezone.now(),
        sent_content={"incidents": []},
    )
    world.received = ReceivedFile.objects.create(
        school=world.school,
        pupil=world.pupil,
        from_school="Elsewhere",
        content={"incidents": []},
        imported_by=world.dsl,
    )
    world.deletion = DeletionRequest.objects.create(
        incident=world.incident,
        young_person=world.person,
        asked_at=timezone.now(),
        asked_by=world.dsl,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=datetime.date(2026, 1, 1),
    )
    world.closure = calendars.add_closure(
        world.school, world.administrator, kind="inset", first_day=datetime.date(2026, 9, 2)
    )
    world.review = RetentionReview.objects.create(
        incident=world.incident, rule="irms", due_on=datetime.date(2036, 1, 1)
    )
    world.disposal = Disposal.objects.create(
        incident=world.incident,
        review=world.review,
        rule="irms",
        reason="x",
        what="y",
        proposed_by=world.dsl,
    )
    world.hold = RetentionHold.objects.create(
        incident=world.incident, reason="x", placed_by=world.dsl
    )
    world.sar = SubjectAccessRequest.objects.create(
        school=world.school,
        pupil=world.pupil,
        requester="A parent",
        relationship="parent",
        received_on=datetime.date(2026, 1, 5),
        identity_checked="Known",
        deadline=datetime.date(2026, 2, 5),
        recorded_by=world.dsl,
    )
    InvolvedPersonFactory(incident=world.incident, pupil=world.pupil, name="")
    world.notification = Notification.objects.create(
        recipient=UserFactory(), incident=world.incident, kind="new_concern"
    )
    world.viewing = ViewingRecord.objects.create(
        incident=world.incident,
        reason="decide",
        viewed_at=timezone.now(),
        viewer=world.dsl,
        staff_present=world.deputy_dsl,
        place="Office",
        why="x",
        what_followed="y",
        same_sex=True,
        recorded_by=world.dsl,
    )
    return world


def expected_status(persona: str, allowed: set, denied) -> int:
    if persona == "anonymous":
        return 302
    if persona in allowed:
        return 200
    if denied == "dsl_409":
        return 409 if persona in DSLS else expected_status(persona, set(), "hidden")
    if denied == "hidden":
        # Those who may read the incident are told they cannot act (403); everyone else is not
        # told it exists (404).
        return 403 if persona in SAFEGUARDING else 404
    return denied


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_role_the_status_it_should_on_every_url(client, case, persona):
    """One persona against every URL; all mismatches are reported together."""
    if persona != "anonymous":
        client.force_login(getattr(case, persona))
    wrong = []
    for url_name, args, allowed, denied in MATRIX:
        response = client.get(reverse(url_name, args=args(case)))
        expected = expected_status(persona, allowed, denied)
        if response.status_code != expected:
            wrong.append(f"{url_name}: {response.status_code}, expected {expected}")
        if persona == "anonymous":
            assert response.url.startswith(reverse("login")), url_name
    assert not wrong, f"{persona}: " + "; ".join(wrong)


def test_the_matrix_covers_every_url():
    from django.urls import get_resolver

    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    # Public by design: signing in and out, and /health/ for a monitor (names no one).
    # django-allauth's pages (second factors, passwords) act on the signed-in user's own
    # account, never on a school's records: allauth's own tests cover them.
    names = {
        n
        for n in names
        if not n.startswith(("account_", "mfa_", "socialaccount_", "openid_connect_"))
    }
    public = {"login", "logout", "school_sign_in", "health"}
    missing = names - {m[0] for m in MATRIX} - public
    assert not missing, f"URLs missing from the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize(
    "persona", ["dsl", "headteacher", "trust_lead", "other_dsl", "far_trust_lead"]
)
def test_lists_and_dashboards_show_only_the_schools_a_user_may_see(client, case, persona):
    theirs = IncidentFactory(school=case.other_school)
    far = IncidentFactory(school=case.far_school)
    client.force_login(getattr(case, persona))
    listed = client.get(reverse("incident_list")).text
    dashboard = client.get(reverse("dashboard")).text
    sees = {
        "dsl": {case.incident},
        "headteacher": {case.incident},
        "trust_lead": {case.incident, theirs},
        "other_dsl": {theirs},
        "far_trust_lead": {far},
    }[persona]
    for incident in (case.incident, theirs, far):
        assert (incident.reference in dashboard) == (incident in sees)
        assert (incident.reference in listed) == (incident in sees)


def test_another_schools_roster_pupils_are_never_shown(client, case):
    PupilFactory(school=case.school, first_name="Ourpupil")
    PupilFactory(school=case.other_school, first_name="Theirpupil")
    client.force_login(case.dsl)
    page = client.get(reverse("pupil_list", args=[case.school.pk])).text
    assert "Ourpupil" in page and "Theirpupil" not in page


def test_a_superuser_without_a_role_sees_no_incident(client, case):
    from .factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("incident_detail", args=[case.incident.pk])).status_code == 404
    assert client.get(reverse("incident_list")).status_code == 403


def test_losing_a_role_removes_access_at_once(client, case):
    client.force_login(case.dsl)
    url = reverse("incident_detail", args=[case.incident.pk])
    assert client.get(url).status_code == 200
    case.dsl.memberships.get().delete()
    assert client.get(url).status_code == 404


def test_a_school_moving_trust_leaves_the_old_trust_lead_behind(client, case):
    client.force_login(case.trust_lead)
    url = reverse("incident_detail", args=[case.incident.pk])
    assert client.get(url).status_code == 200
    case.school.trust = case.far_school.trust
    case.school.save()
    assert client.get(url).status_code == 404
    client.force_login(case.far_trust_lead)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 25])
def test_the_incident_list_costs_the_same_queries_however_many_incidents(
    client, case, rows, django_assert_num_queries
):
    for _ in range(rows):
        IncidentFactory(school=case.school)
    client.force_login(case.trust_lead)
    client.get(reverse("incident_list"))  # warm caches (content types, session)
    # savepoint, session, user, "may see any school", how many schools, the school filter's
    # choices, the one filtered list query, the access log of the page (one insert: whether the
    # user is in each school's team is read from the roles already held), release: the same
    # for 1 incident or 25.
    with django_assert_num_queries(9):
        response = client.get(reverse("incident_list"))
    assert response.status_code == 200


def test_the_helper_tells_a_reader_from_an_actor_on_a_school_itself(world):
    from django.core.exceptions import PermissionDenied

    from accounts.models import School
    from accounts.permissions import get_for_user

    assert (
        get_for_user(
            School.objects.all(),
            world.dsl,
            perm="view_incidents",
            via="pk",
            needs="change_incidents",
            pk=world.school.pk,
        )
        == world.school
    )
    with pytest.raises(PermissionDenied):
        get_for_user(
            School.objects.all(),
            world.headteacher,
            perm="view_incidents",
            via="pk",
            needs="change_incidents",
            pk=world.school.pk,
        )
