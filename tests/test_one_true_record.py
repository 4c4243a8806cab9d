"""Issue 10: one true record. Simultaneous saves, stale pages and repeated submits.

The race tests use real threads, each with its own database connection, through the whole
request path (ATOMIC_REQUESTS, the form, the service): on SQLite in `bin/test` and on
PostgreSQL in `.ci/run`, where the row lock is real.
"""

import datetime
import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Action, Decision, Incident, Notification, SignOff, Stage

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review

pytestmark = pytest.mark.django_db(transaction=True)


def ready_to_decide(world) -> Incident:
    """Reviewed, every criterion answered no: it may be referred or managed in school."""
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    complete_review(incident, world.dsl)
    incident.refresh_from_db()
    return incident


def guard(incident, token: str) -> dict:
    """What `{% form_guard %}` puts in a page opened now."""
    return {
        "form_token": token,
        "incident_version": str(incident.version),
        "incident_opened_at": timezone.now().isoformat(),
    }


def at_once(posts: list[tuple[object, str, dict]]) -> list[tuple[int, str]]:
    """POST each (user, url, data) from its own thread and connection, all at the same instant.

    Returns each status code and page; a server error in any thread fails the test.
    """
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(i, user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(url, data)
            results[i] = (response.status_code, response.content.decode())
        except Exception as e:
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def decide_data(incident, choice: str, token: str) -> dict:
    now = timezone.localtime() - datetime.timedelta(minutes=5)
    if choice == "refer":
        return {
            "decision": "refer",
            "refer-agency": "csc",
            "refer-made_on_day": now.day,
            "refer-made_on_month": now.month,
            "refer-made_on_year": now.year,
            "refer-made_time": now.strftime("%H:%M"),
            "refer-reason": "Deputy thinks social care should know.",
            **guard(incident, token),
        }
    return {
        "decision": "manage",
        "manage-reason": "Consensual, both 15, no aggravating factors.",
        **guard(incident, token),
    }


def test_three_simultaneous_decisions_leave_exactly_one_in_force(world):
    incident = ready_to_decide(world)
    url = reverse("incident_decide", args=[incident.pk])
    statuses = at_once(
        [
            (
                world.dsl,
                url,
                decide_data(incident, "manage", "00000000-0000-4000-8000-000000000001"),
            ),
            (
                world.deputy_dsl,
                url,
                decide_data(incident, "refer", "00000000-0000-4000-8000-000000000002"),
            ),
            (
                world.dsl,
                url,
                decide_data(incident, "manage", "00000000-0000-4000-8000-000000000003"),
            ),
        ]
    )
    assert sorted(status for status, _ in statuses) == [302, 400, 400]
    for status, page in statuses:
        assert status == 302 or "since you opened this page" in page
    live = Decision.objects.filter(incident=incident, superseded_at__isnull=True)
    assert live.count() == 1
    incident.refresh_from_db()
    expected = (
        Stage.REFERRED if live.get().kind == Decision.Kind.REFER else Stage.MANAGED_IN_SCHOOL
    )
    assert incident.stage == expected


def test_three_simultaneous_sign_offs_record_one(world):
    incident = ready_to_decide(world)
    decision = services.decide_manage_in_school(incident, world.dsl, reason="Consensual")
    incident.refresh_from_db()
    url = reverse("incident_sign_off", args=[incident.pk])
    posts = [
        (
            world.headteacher,
            url,
            {"comment": "Agreed", **guard(incident, f"00000000-0000-4000-8000-00000000001{i}")},
        )
        for i in range(3)
    ]
    statuses = at_once(posts)
    assert sorted(status for status, _ in statuses) == [302, 400, 400]
    for status, page in statuses:
        assert status == 302 or "since you opened this page" in page
    assert SignOff.objects.filter(decision=decision).count() == 1


def test_closing_and_adding_an_action_at_once_never_leaves_a_closed_case_with_open_work(
    world, managed
):
    """Through the services alone (no page versions): the row lock serialises the two."""
    services.record_parent_contact(
        managed,
        world.dsl,
        young_person=managed.people.filter(pupil__isnull=False).get(),
        kind="informed",
        at=timezone.now() - datetime.timedelta(hours=1),
        by="DSL",
        who="Mother",
        how="phone",
    )
    assert services.closing_blockers(managed) == []
    barrier = threading.Barrier(2)
    outcomes = []

    def run(what):
        incident = Incident.objects.get(pk=managed.pk)
        barrier.wait()
        try:
            with transaction.atomic():
                if what == "close":
                    services.close_incident(incident, world.dsl, summary="All done")
                else:
                    services.add_action(
                        incident,
                        world.dsl,
                        kind="support",
                        description="Check in next week",
                        owner=world.dsl,
                        due=timezone.localdate(),
                    )
                    time.sleep(0.2)  # hold the lock while the other waits for it
            outcomes.append((what, "done"))
        except Exception as e:
            outcomes.append((what, type(e).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in ("action", "close")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    managed.refresh_from_db()
    open_actions = Action.objects.filter(incident=managed, done_at__isnull=True).exists()
    assert not (managed.stage == Stage.CLOSED and open_actions), outcomes
    assert sorted(o for _, o in outcomes) == ["ValidationError", "done"]


def test_a_save_from_a_stale_page_names_who_changed_it_and_keeps_the_typing(client, world):
    incident = ready_to_decide(world)
    opened = guard(incident, "00000000-0000-4000-8000-000000000021")
    # Meanwhile the deputy refers it from another page.
    services.decide_refer(
        incident,
        world.deputy_dsl,
        agency="csc",
        made_at=timezone.now() - datetime.timedelta(minutes=1),
        reason="Social care asked to be told.",
    )
    client.force_login(world.dsl)
    response = client.post(
        reverse("incident_decide", args=[incident.pk]),
        {"decision": "manage", "manage-reason": "My own careful reasoning", **opened},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"changed by {world.deputy_dsl}" in page
    assert "since you opened this page" in page
    assert "Decision: refer" in page  # the change itself is listed
    assert "My own careful reasoning" in page  # nothing typed is lost
    assert Decision.objects.filter(incident=incident).count() == 1


def test_a_double_click_on_a_record_form_records_one_action(client, world, managed):
    client.force_login(world.dsl)
    url = reverse("action_add", args=[managed.pk])
    data = {
        "kind": "support",
        "description": "Weekly check-in",
        "owner": world.dsl.pk,
        "due_day": timezone.localdate().day,
        "due_month": timezone.localdate().month,
        "due_year": timezone.localdate().year,
        **guard(managed, "00000000-0000-4000-8000-000000000031"),
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert Action.objects.filter(incident=managed, description="Weekly check-in").count() == 1


def test_a_report_submitted_twice_records_one_incident(client, world):
    client.force_login(world.staff)
    now = timezone.localtime() - datetime.timedelta(minutes=10)
    data = {
        "disclosure_source": "young_person",
        "disclosed_on_day": now.day,
        "disclosed_on_month": now.month,
        "disclosed_on_year": now.year,
        "disclosed_time": now.strftime("%H:%M"),
        "received_by": "Tutor",
        "account": "A synthetic account, typed once.",
        "spread": "unknown",
        "person-TOTAL_FORMS": "0",
        "person-INITIAL_FORMS": "0",
        "form_token": "00000000-0000-4000-8000-000000000041",
    }
    first = client.post(reverse("report_concern"), data)
    second = client.post(reverse("report_concern"), data, follow=True)
    assert first.status_code == 302
    assert "already sent" in second.content.decode()
    assert Incident.objects.filter(account="A synthetic account, typed once.").count() == 1


def test_the_database_refuses_a_second_live_decision(world):
    """The last line of defence, whatever the code above it does."""
    from django.db import IntegrityError

    incident = ready_to_decide(world)
    services.decide_manage_in_school(incident, world.dsl, reason="Consensual")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            incident=incident, kind=Decision.Kind.REFER, made_by=world.dsl, reason="Second"
        )


@pytest.mark.slow
def test_on_sqlite_a_busy_worker_never_turns_a_page_into_an_error(world, managed):
    """The README's own set-up: SQLite, a worker writing, people browsing (opening an incident
    writes the access log). Every request waits its turn; none fails with 'database is locked'."""
    if connection.vendor != "sqlite":
        pytest.skip("about the embedded SQLite default")
    note = Notification.objects.create(
        recipient=world.dsl, incident=managed, kind=Notification.Kind.NEW_CONCERN
    )
    stop = threading.Event()

    def worker():
        try:
            while not stop.is_set():
                with transaction.atomic():
                    Notification.objects.filter(pk=note.pk).update(claimed_at=timezone.now())
                    time.sleep(0.05)  # a send holding the write lock
                time.sleep(0.02)  # between two sends
        finally:
            connection.close()

    statuses = []

    def browse(user):
        client = Client()
        client.force_login(user)
        try:
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                statuses.append(
                    client.get(reverse("incident_detail", args=[managed.pk])).status_code
                )
                statuses.append(client.get(reverse("dashboard")).status_code)
        finally:
            connection.close()

    background = threading.Thread(target=worker)
    background.start()
    browsers = [
        threading.Thread(target=browse, args=(u,))
        for u in (world.dsl, world.deputy_dsl, world.headteacher, world.dsl)
    ]
    for b in browsers:
        b.start()
    for b in browsers:
        b.join(60)
    stop.set()
    background.join(10)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))


def test_the_form_guard_is_on_every_form_that_changes_an_incident(client, world, managed):
    client.force_login(world.dsl)
    for name, args in (
        ("review_part", [managed.pk, "meeting"]),
        ("incident_decide", [managed.pk]),
        ("action_add", [managed.pk]),
        ("incident_close", [managed.pk]),
    ):
        page = client.get(reverse(name, args=args)).content.decode()
        forms = page.count('method="post"') - page.count('action="/logout/"')
        assert len(re.findall(r'name="incident_version" value="\d+"', page)) >= forms > 0, name
        assert len(re.findall(r'name="form_token"', page)) >= forms, name


def test_a_deletion_confirmed_while_the_police_are_being_told_waits_and_is_refused(world):
    """R16 under a race: the referral to the police takes the incident's lock first; the
    confirmation, sent at that instant, waits for it and then sees the police are involved."""
    from records import services as records
    from records.models import DeletionRequest

    incident = ready_to_decide(world)
    services.decide_manage_in_school(incident, world.dsl, reason="Consensual, both 15")
    deletion = records.request_deletion(
        incident,
        world.dsl,
        young_person=incident.people.get(),
        asked_at=timezone.now() - datetime.timedelta(hours=2),
        deadline=timezone.localdate(),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    referring = threading.Event()
    outcomes = {}

    def refer():
        try:
            with transaction.atomic():
                services.decide_refer(
                    Incident.objects.get(pk=incident.pk),
                    world.deputy_dsl,
                    agency="police_101",
                    made_at=timezone.now() - datetime.timedelta(minutes=1),
                    reason="The other young person is now known to be 19.",
                )
                referring.set()
                time.sleep(0.5)  # hold the lock while the confirmation arrives
            outcomes["refer"] = "done"
        except Exception as e:
            outcomes["refer"] = repr(e)
        finally:
            referring.set()
            connection.close()

    def confirm():
        referring.wait(30)
        try:
            with transaction.atomic():
                records.confirm_deletion(
                    DeletionRequest.objects.get(pk=deletion.pk),
                    world.dsl,
                    confirmed_at=timezone.now() - datetime.timedelta(minutes=1),
                    how="Showed each app",
                    witnessed_by="Head of year",
                )
            outcomes["confirm"] = "done"
        except Exception as e:
            outcomes["confirm"] = " ".join(getattr(e, "messages", [repr(e)]))
        finally:
            connection.close()

    threads = [threading.Thread(target=refer), threading.Thread(target=confirm)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes["refer"] == "done"
    assert "The police are involved in this incident" in outcomes["confirm"], outcomes
    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.PENDING
