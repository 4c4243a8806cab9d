"""Real worker and beat processes chasing an overdue deletion: shared by the embedded-broker
test and the Redis integration test. Beat runs as a process of its own, as in production."""

import contextlib
import datetime
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from incidents.models import Notification
from records.models import DeletionRequest

from .factories import IncidentFactory, InvolvedPersonFactory
from .workers import beat, crash, leftovers, worker


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def overdue_deletions(world, count: int) -> None:
    incident = IncidentFactory(school=world.school)
    person = InvolvedPersonFactory(incident=incident, name="Pictured", age=15)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DeletionRequest.objects.bulk_create(
        DeletionRequest(
            incident=incident,
            young_person=person,
            asked_at=timezone.now() - datetime.timedelta(days=3),
            asked_by=world.dsl,
            everywhere=True,
            told_illegal=True,
            told_police=True,
            deadline=yesterday,
        )
        for _ in range(count)
    )


def emails_sent(folder: Path) -> int:
    return len(sent_ids(folder))


def wait_until(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def worker_env(tmp_path, broker_env: dict) -> dict:
    """The environment of the test's worker and beat: beat sends and sweeps every second."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    return {
        **broker_env,
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(tmp_path),
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SEND_INTERVAL_SECONDS": "1",
        "CHASE_SWEEP_SECONDS": "1",
    }


def chase_once(world, tmp_path, broker_env: dict) -> None:
    """Beat sweeps every second for several seconds: each reminder is made and sent exactly once."""
    overdue_deletions(world, 1)
    env = worker_env(tmp_path, broker_env)
    mail_dir = Path(env["EMAIL_FILE_PATH"])
    with worker(env), beat(env):
        wait_until(
            lambda: Notification.objects.filter(sent_at__isnull=False).count() == 2,
            60,
            "the two DSL reminders",
        )
        time.sleep(4)  # several more sweeps
    assert not leftovers(), "a worker or beat process outlived the test"
    assert Notification.objects.count() == 2
    assert emails_sent(mail_dir) == 2


def kill_and_restart(world, tmp_path, broker_env: dict, *, crash_kills: str) -> None:
    """Killed (SIGKILL) mid-run and started again: no reminder is sent twice.

    crash_kills="worker": the worker process dies; beat, a process of its own as in production,
    runs on, and a replacement worker is started. crash_kills="machine": the worker and beat die
    together, and both are started again. Either way nothing of what was killed is left running.
    """
    assert crash_kills in ("worker", "machine")
    overdue_deletions(world, 150)
    env = worker_env(tmp_path, broker_env)
    mail_dir = Path(env["EMAIL_FILE_PATH"])
    with contextlib.ExitStack() as running:
        scheduler = running.enter_context(beat(env))
        with worker(env) as first:
            wait_until(lambda: sent_ids(mail_dir), 60, "the first emails")
            killed = [first, scheduler] if crash_kills == "machine" else [first]
            crash(*killed)  # SIGKILL to each whole process group at once
            assert not [pid for process in killed for pid in process.members()]
        if crash_kills == "machine":
            running.enter_context(beat(env))
        else:
            assert scheduler.members(), "beat runs on when only the worker dies"
        with worker(env):
            wait_until(
                lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
                90,
                "all sent",
            )
            time.sleep(3)  # further sweeps make nothing new
    assert not leftovers(), "a worker or beat process outlived the test"
    ids = sent_ids(mail_dir)
    assert Notification.objects.count() == 300  # two DSLs x 150 deletions, one interval
    assert len(ids) == len(set(ids)), "a reminder was sent twice"
    assert (
        len(ids) >= 299
    )  # at most the one in flight at the kill is lost; the next interval resends


def sent_ids(folder: Path) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for f in folder.iterdir()
        for line in f.read_text().splitlines()
        if line.startswith("X-Ypsi-Notification:")
    ]
