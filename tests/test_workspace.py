"""The dashboard by what happens next (issue 12 item 1): every open case in exactly one group."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services, tasks, workspace
from incidents.models import Action, Incident, Stage
from incidents.workspace import Facts, Next, next_step
from records.models import DeletionRequest

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review

SECTION = re.compile(r'<section class="ypsi-group" id="([a-z-]+)".*?</section>', re.S)


def groups_holding(page: str, reference: str) -> list[str]:
    return [m.group(1) for m in SECTION.finditer(page) if reference in m.group(0)]


def group_order(page: str) -> list[str]:
    return [m.group(1) for m in SECTION.finditer(page)]


def count_of(page: str, key: str) -> int:
    return int(re.search(rf'id="{key}-title">[^<]*\((\d+)\)</h2>', page).group(1))


@pytest.fixture
def case(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15, roles=["pictured"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    return incident


def test_it_keeps_a_case_in_exactly_one_group_at_every_stage_until_it_is_closed(
    client, world, case
):
    def where() -> list[str]:
        client.force_login(world.dsl)
        page = client.get(reverse("dashboard")).text
        return groups_holding(page, case.reference)

    assert where() == ["awaiting-review"]
    services.record_facts(case, world.dsl, "", incident_type="self")
    assert where() == ["in-review"], "one saved part of the review keeps the case in view"
    complete_review(case, world.dsl)
    assert where() == ["awaiting-decision"]
    decision = services.decide_manage_in_school(case, world.dsl, reason="Consensual, both 15")
    assert where() == ["to-sign"]
    services.sign_off(decision, world.headteacher, comment="Speak to the parents", send_back=True)
    assert where() == ["sent-back"]
    client.force_login(world.dsl)
    assert "Speak to the parents" in client.get(reverse("dashboard")).text
    decision = services.decide_manage_in_school(case, world.dsl, reason="Parents told")
    assert where() == ["to-sign"]
    services.sign_off(decision, world.headteacher, comment="Agreed")
    assert where() == ["managing"]
    action = services.add_action(
        case,
        world.dsl,
        kind="education",
        description="Talk about consent",
        owner=world.deputy_dsl,
        due=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert where() == ["managing"]
    client.force_login(world.dsl)
    assert "Next action: Talk about consent" in client.get(reverse("dashboard")).text
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        # Nothing is changed but the date: the action is past its due day.
        assert where() == ["overdue"]
    services.complete_action(action, world.deputy_dsl, outcome="Done in PSHE")
    services.decide_refer(
        case, world.dsl, agency="csc", made_at=timezone.now(), reason="New facts"
    )
    assert where() == ["referred"]
    services.record_parent_contact(
        case,
        world.dsl,
        young_person=case.people.first(),
        kind="informed",
        at=timezone.now(),
        by="DSL",
        who="Mother",
        how="phone",
    )
    assert where() == ["referred"]
    services.close_incident(case, world.dsl, summary="Social care led; closed.")
    assert where() == []
    services.reopen_incident(case, world.dsl, reason="Further disclosure")
    assert len(where()) == 1


def test_it_never_loses_a_case_whatever_its_facts():
    """The rule itself, over every combination of what it looks at."""
    for stage in Stage.values:
        for complete in (False, True):
            for live in ("", "refer", "manage"):
                for signed in (False, True):
                    for sent_back in (False, True):
                        for overdue in ((), ("Action overdue",)):
                            facts = Facts(stage, complete, live, signed, sent_back, overdue)
                            group = next_step(facts)
                            if stage == Stage.CLOSED:
                                assert group is None
                            else:
                                assert group in Next.values
                                assert (group == Next.OVERDUE) == bool(overdue)


def test_it_puts_the_headteachers_sign_offs_first_after_anything_overdue(client, world, case):
    client.force_login(world.headteacher)
    order = group_order(client.get(reverse("dashboard")).text)
    assert order[:2] == ["overdue", "to-sign"]
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    assert group_order(page)[:2] == ["overdue", "awaiting-review"]
    assert count_of(page, "awaiting-review") == 1
    assert "Open cases: 1" in page


def test_it_shows_a_deletion_past_its_deadline_as_overdue_unless_the_police_hold_it(
    client, world, case
):
    DeletionRequest.objects.create(
        incident=case,
        young_person=case.people.first(),
        asked_at=timezone.now() - datetime.timedelta(days=5),
        asked_by=world.dsl,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    assert groups_holding(page, case.reference) == ["overdue"]
    assert "Deletion by Pictured not confirmed" in page
    complete_review(case, world.dsl)
    services.decide_refer(case, world.dsl, agency="police", made_at=timezone.now(), reason="x")
    page = client.get(reverse("dashboard")).text
    assert groups_holding(page, case.reference) == ["referred"]
    assert "Deletion by Pictured not confirmed" not in page


def test_it_shows_each_role_only_its_schools_and_staff_no_cases(client, world, case):
    theirs = IncidentFactory(school=world.other_school)
    client.force_login(world.trust_lead)
    page = client.get(reverse("dashboard")).text
    assert groups_holding(page, case.reference) == ["awaiting-review"]
    assert groups_holding(page, theirs.reference) == ["awaiting-review"]
    client.force_login(world.dsl)
    assert theirs.reference not in client.get(reverse("dashboard")).text
    client.force_login(world.staff)
    page = client.get(reverse("dashboard")).text
    assert group_order(page) == [] and "Open cases" not in page


def test_it_takes_the_same_number_of_queries_for_five_cases_or_thirty(client, world):
    """Every kind of shown case, so that a column the page reads and the dashboard's query
    does not (`_open`'s `only`) costs a query a case and fails here."""

    def cases(n):
        for i in range(n):
            kind = i % 5
            incident = IncidentFactory(
                school=world.school,
                # R37: a referral required and not made heads the overdue group.
                referral_required_since=timezone.now() if kind == 4 else None,
            )
            InvolvedPersonFactory(incident=incident, age=15, roles=["pictured"])
            if kind in (0, 4):
                continue
            complete_review(incident, world.dsl)
            if kind == 3:
                services.decide_refer(
                    incident, world.dsl, agency="csc", made_at=timezone.now(), reason="x"
                )
                continue
            decision = services.decide_manage_in_school(incident, world.dsl, reason="Fine")
            if kind == 2:
                services.sign_off(decision, world.headteacher, comment="Agreed")
                services.add_action(
                    incident,
                    world.dsl,
                    kind="education",
                    description="Lesson",
                    owner=world.dsl,
                    due=timezone.localdate() - datetime.timedelta(days=1),
                )

    def queries() -> int:
        client.force_login(world.dsl)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    cases(5)
    queries()  # the first request also fills per-process caches (content types...)
    few = queries()
    cases(25)
    page = client.get(reverse("dashboard")).text
    assert [count_of(page, key) for key in ("overdue", "to-sign", "referred")] == [12, 6, 6]
    assert count_of(page, "awaiting-review") == 6
    assert queries() == few


def test_each_group_lists_its_first_cases_and_links_to_all_of_them(client, world, settings):
    """Issue 14: a trust's thousands of open cases do not make the dashboard megabytes long."""
    settings.DASHBOARD_CASES_PER_GROUP = 3
    now = timezone.now()
    waiting = [
        IncidentFactory(school=world.school, reported_at=now - datetime.timedelta(hours=9 - i))
        for i in range(5)
    ]
    in_review = IncidentFactory(school=world.school, stage=Stage.UNDER_REVIEW)
    closed = IncidentFactory(school=world.school, stage=Stage.CLOSED)
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    section = next(m.group(0) for m in SECTION.finditer(page) if m.group(1) == "awaiting-review")
    assert count_of(page, "awaiting-review") == 5
    shown = [i.reference for i in waiting if i.reference in section]
    assert shown == [i.reference for i in waiting[:3]]  # the oldest reports first
    link = re.search(r'href="([^"]*\?next=awaiting-review)">See all 5', section).group(1)
    listed = client.get(link.replace("&amp;", "&")).text
    assert all(i.reference in listed for i in waiting)
    assert closed.reference not in listed and in_review.reference not in listed
    # A group within the cap has no link.
    assert "?next=overdue" not in page


def test_a_case_moves_to_overdue_when_its_day_comes_with_nothing_written(client, world, managed):
    """The kept group holds the moment the first thing falls overdue: time alone moves it."""
    services.add_action(
        managed,
        world.dsl,
        kind="education",
        description="Lesson on consent",
        owner=world.dsl,
        due=timezone.localdate() + datetime.timedelta(days=2),
    )
    client.force_login(world.dsl)
    assert groups_holding(client.get(reverse("dashboard")).text, managed.reference) == ["managing"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        client.force_login(world.dsl)  # three days on: a new session
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("dashboard")).text
        assert groups_holding(page, managed.reference) == ["overdue"]
        assert "Action overdue: Lesson on consent" in page
        assert not [
            q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "incidents_incident"')
        ]


def test_a_change_made_while_a_group_is_worked_out_is_never_kept_half_read(world, monkeypatch):
    """Another change committed between reading a case and keeping its group leaves the case
    to be worked out again, not grouped from the record before that change."""
    incident = IncidentFactory(school=world.school)
    facts = workspace._facts

    def meanwhile(incident, *args, **kwargs):
        Incident.objects.filter(pk=incident.pk).update(version=F("version") + 1)
        return facts(incident, *args, **kwargs)

    monkeypatch.setattr(workspace, "_facts", meanwhile)
    assert workspace.regroup(Incident.objects.filter(pk=incident.pk)) == 0
    incident.refresh_from_db()
    assert incident.step_version != incident.version
    monkeypatch.setattr(workspace, "_facts", facts)
    assert workspace.regroup(Incident.objects.filter(pk=incident.pk)) == 1
    incident.refresh_from_db()
    assert (incident.step, incident.step_version) == (Next.AWAITING_REVIEW, incident.version)


def test_the_daily_check_finds_and_mends_a_case_changed_around_the_services(
    client, world, managed
):
    action = services.add_action(
        managed,
        world.dsl,
        kind="education",
        description="Lesson on consent",
        owner=world.dsl,
        due=timezone.localdate() + datetime.timedelta(days=2),
    )
    client.force_login(world.dsl)
    assert groups_holding(client.get(reverse("dashboard")).text, managed.reference) == ["managing"]
    # A script writing to the database directly: the incident's version does not move.
    Action.objects.filter(pk=action.pk).update(
        due=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert tasks.check_workspace() == 1
    assert groups_holding(client.get(reverse("dashboard")).text, managed.reference) == ["overdue"]
    assert tasks.check_workspace() == 0


def test_every_app_s_changes_keep_the_dashboard_group_true(client, world, managed):
    """Deletions, referrals and their acknowledgements change what is overdue: each goes
    through the incident's lock, so the kept group is never behind the record."""
    from records import services as records
    from referrals import services as referrals

    def dashboard_is_true() -> list[str]:
        client.force_login(world.dsl)
        client.get(reverse("dashboard"))
        return workspace.verify()

    deletion = records.request_deletion(
        managed,
        world.dsl,
        young_person=managed.people.filter(pupil__isnull=False).get(),
        asked_at=timezone.now() - datetime.timedelta(days=3),
        deadline=timezone.localdate() - datetime.timedelta(days=1),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    assert dashboard_is_true() == []
    page = client.get(reverse("dashboard")).text
    assert groups_holding(page, managed.reference) == ["overdue"]
    records.confirm_deletion(
        deletion, world.dsl, confirmed_at=timezone.now(), how="Shown deleted", witnessed_by="DSL"
    )
    assert dashboard_is_true() == []
    assert groups_holding(client.get(reverse("dashboard")).text, managed.reference) == ["managing"]
    services.decide_refer(
        managed, world.dsl, agency="csc", made_at=timezone.now(), reason="New facts"
    )
    assert dashboard_is_true() == []
    referral = managed.referrals.get()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        client.force_login(world.dsl)
        assert groups_holding(client.get(reverse("dashboard")).text, managed.reference) == [
            "overdue"
        ]
        referrals.record_acknowledgement(
            referral,
            world.dsl,
            acknowledged_at=timezone.now(),
            acknowledged_by="Duty social worker",
        )
        assert dashboard_is_true() == []


def kept_columns_of_every_kind(school, now):
    """An open case of every combination of the kept columns the grouping reads."""
    hour = datetime.timedelta(hours=1)
    kinds = [
        (stage, step, late, required)
        for stage in (Stage.REPORTED, Stage.REFERRED, Stage.MANAGED_IN_SCHOOL)
        for step in (Next.AWAITING_REVIEW, Next.MANAGING)
        for late in (None, now - hour, now + hour)
        for required in (None, now - hour)
    ]
    for stage, step, late, required in kinds:
        incident = IncidentFactory(school=school)
        # As kept: the version the group was worked out from is the record's own.
        Incident.objects.filter(pk=incident.pk).update(
            stage=stage,
            step=step,
            late_at=late,
            referral_required_since=required,
            step_version=F("version"),
        )


def test_the_database_groups_a_kept_case_as_the_daily_check_does(world):
    """`grouping` (the dashboard's counts, in SQL) and `_group_of` (the daily check, in
    Python) read the same kept columns the same way: a case counted in one group is never
    checked against another."""
    now = timezone.now()
    kept_columns_of_every_kind(world.school, now)
    grouped = Incident.objects.annotate(next_step=workspace.grouping(now))
    assert {i.next_step for i in grouped} == {Next.OVERDUE, Next.AWAITING_REVIEW, Next.MANAGING}
    assert [i.next_step for i in grouped] == [workspace._group_of(i, now) for i in grouped]


def test_each_group_s_see_all_list_holds_exactly_the_cases_the_group_counts(world):
    """The "see all" list (`in_group`) reads each group by its own condition, not by the
    grouping: every case of every kind is in the list of the group it is counted in, and in
    no other."""
    now = timezone.now()
    kept_columns_of_every_kind(world.school, now)
    counted = {
        i.pk: i.next_step for i in Incident.objects.annotate(next_step=workspace.grouping(now))
    }
    listed = {}
    for key in Next:
        for pk in workspace.in_group(Incident.objects.all(), key, now).values_list(
            "pk", flat=True
        ):
            assert pk not in listed, "a case in two groups' lists"
            listed[pk] = key
    assert listed == counted
