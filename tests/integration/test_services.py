"""Against the real services (.ci/run): PostgreSQL for the database, Redis as the broker.

The worker process reads and writes the same PostgreSQL test database as this test.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from incidents import services
from incidents.models import Notification
from ypsi.celery import app as celery_app

from ..workers import worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_it_runs_on_postgresql():
    assert connection.vendor == "postgresql", "integration tests need DATABASE_URL=postgres://..."


@pytest.mark.django_db(transaction=True)
def test_a_reported_concern_is_emailed_by_a_real_worker_through_redis(world, tmp_path):
    """The production path: the report queues the task on Redis; a worker process sends."""
    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    celery_app.conf.task_always_eager = False
    services.report_concern(
        reporter=world.staff,
        school=world.school,
        disclosure_source="young_person",
        disclosed_at=timezone.now() - datetime.timedelta(minutes=5),
        received_by="Tutor",
        account="Synthetic account.",
    )
    db = settings.DATABASES["default"]
    env = {
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATA_DIR": str(tmp_path),
        "EMAIL_URL": "consolemail://",
    }
    assert db["NAME"].startswith("test_")
    with worker(env):
        deadline = time.monotonic() + 30
        while Notification.objects.filter(sent_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker did not send the notifications"
            time.sleep(0.2)
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_chase_through_redis_once(world, tmp_path):
    from ..chase_worker import chase_once

    chase_once(world, tmp_path, {"REDIS_URL": settings.REDIS_URL})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("crash_kills", ["worker", "machine"])
def test_a_killed_worker_replaced_sends_no_duplicate_through_redis(world, tmp_path, crash_kills):
    from ..chase_worker import kill_and_restart

    kill_and_restart(world, tmp_path, {"REDIS_URL": settings.REDIS_URL}, crash_kills=crash_kills)


def test_a_task_left_on_redis_by_another_run_never_reaches_this_runs_worker(tmp_path):
    """Each run has its own key prefix on Redis (tests/workers.py): what an earlier run left on
    the broker, or a stray beat of it still sends, stays in that run's namespace."""
    import uuid

    import redis
    from celery import Celery

    from ..workers import NAMESPACE, namespace_options

    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    other = f"ypsi-test-an-earlier-run-{uuid.uuid4().hex[:8]}:"
    earlier_run = Celery(
        broker=settings.REDIS_URL,
        backend=settings.REDIS_URL,
        broker_transport_options={"global_keyprefix": other},
        result_backend_transport_options={"global_keyprefix": other},
    )
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert celery_app.conf.broker_transport_options == namespace_options()
        earlier_run.send_task("incidents.tasks.ping")
        assert client.llen(f"{other}celery") == 1
        with worker({"REDIS_URL": settings.REDIS_URL, "DATA_DIR": str(tmp_path)}) as running:
            assert running.app.send_task("incidents.tasks.ping").get(timeout=30) == "pong"
            time.sleep(2)
            assert client.llen(f"{other}celery") == 1, "this run's worker took another run's task"
        assert client.exists(f"{NAMESPACE}_kombu.binding.celery")
    finally:
        for key in client.scan_iter(match=f"{other}*"):
            client.delete(key)
        client.close()
        earlier_run.close()


@pytest.mark.django_db(transaction=True)
def test_a_web_process_keeps_its_database_connection_and_replaces_one_the_database_dropped(
    world,
):
    """Issue 14: a new connection for every request cost as much again as a simple page; one
    the database dropped (a restart, a failover) must not fail the next request."""
    import psycopg
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client, RequestFactory

    signed_in = Client()
    signed_in.force_login(world.dsl)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={signed_in.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    handler = WSGIHandler()  # as gunicorn calls it: the request signals, the connection rules

    def dashboard() -> int:
        environ = RequestFactory().get("/", HTTP_COOKIE=cookie).environ
        statuses = []
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()  # the end of the request, where Django closes what is not kept
        return int(statuses[0].split()[0])

    assert dashboard() == 200
    assert connection.connection is not None, "the connection was closed at the request's end"
    first = connection.connection.info.backend_pid
    assert dashboard() == 200
    assert connection.connection.info.backend_pid == first, "a new connection for each request"

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    assert dashboard() == 200
    assert connection.connection.info.backend_pid != first
