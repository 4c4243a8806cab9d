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
def test_a_killed_worker_replaced_sends_no_duplicate_through_redis(world, tmp_path):
    from ..chase_worker import kill_and_restart

    kill_and_restart(world, tmp_path, {"REDIS_URL": settings.REDIS_URL})
