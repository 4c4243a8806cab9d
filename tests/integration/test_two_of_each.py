"""Issue 14 item 8: two of everything against one PostgreSQL database and one Redis.

Two `bin/serve` launches, each a gunicorn, a Celery worker and a Celery beat, on two ports: a
report made through one web process is read through the other; the DSLs' new-concern emails
and an overdue deletion's reminders go out once each, though two beats sweep every second and
two workers send. Then the backup and restore of docs/deployment.md: `pg_dump`, a restore into a
fresh database, and a web process on the restored copy shows the report.
"""

import contextlib
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from ..test_alerts import smtp_server
from .test_serve import ROOT, free_port, stop, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REDIS_DB = 13  # this test's own Redis database, emptied before and after

SEED = """
import datetime, json, types
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import Membership, Role, School, Trust, User
from tests.chase_worker import overdue_deletions

school = School.objects.create(
    name="Two Academy", code="TWO", trust=Trust.objects.create(name="Two Trust")
)
people = {}
for role in (Role.DSL, Role.DEPUTY_DSL, Role.STAFF):
    user = User.objects.create(
        username=f"two-{role}", email=f"{role}@two.example.invalid", first_name=role.label
    )
    Membership.objects.create(user=user, school=school, role=role)
    people[role] = user
overdue_deletions(types.SimpleNamespace(school=school, dsl=people[Role.DSL]), 1)
sessions = {}
for role in (Role.DSL, Role.STAFF):
    session = SessionStore()
    session[SESSION_KEY] = str(people[role].pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = people[role].get_session_auth_hash()
    session.create()
    sessions[str(role)] = session.session_key
print(json.dumps(sessions))
"""


def admin_params() -> dict:
    db = settings.DATABASES["default"]
    assert db["ENGINE"].endswith("postgresql"), "integration tests need DATABASE_URL=postgres://"
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"]}
    return params | ({"password": db["PASSWORD"]} if db.get("PASSWORD") else {})


def url_of(name: str) -> str:
    p = admin_params()
    auth = p["user"] + (f":{p['password']}" if p.get("password") else "")
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


def createdb(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_params()) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def dropdb(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases():
    """The deployment's database and the one its backup is restored into, dropped afterwards."""
    names = [f"ypsi_scale_two_{uuid.uuid4().hex[:8]}"]
    names.append(f"{names[0]}_restored")
    createdb(names[0])
    yield names
    for name in names:
        dropdb(name)


@pytest.fixture
def redis_url():
    import redis

    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    base = settings.REDIS_URL.rsplit("/", 1)[0] if settings.REDIS_URL.count("/") > 2 else ""
    url = f"{base or settings.REDIS_URL}/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()  # this database only: never FLUSHALL
    yield url
    client.flushdb()
    client.close()


def launch(env: dict, port: int, data: Path, **extra) -> subprocess.Popen:
    data.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(ROOT / "bin" / "serve")],
        env=os.environ | env | {"BIND": f"127.0.0.1:{port}", "DATA_DIR": str(data)} | extra,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )


def request(port: int, path: str, session: str, data: dict | None = None, csrf: str = ""):
    """(status, body, Location) of a GET, or of a form POST with the CSRF cookie and token."""
    cookies = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers={"Cookie": cookies}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


def notifications(database: str) -> dict[str, list]:
    with psycopg.connect(dbname=database, **admin_params()) as conn:
        rows = conn.execute(
            "SELECT kind, id, sent_at IS NOT NULL FROM incidents_notification ORDER BY id"
        ).fetchall()
    kinds = {}
    for kind, pk, was_sent in rows:
        kinds.setdefault(kind, []).append((str(pk), was_sent))
    return kinds


def wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_two_web_processes_two_workers_two_beats_and_a_restored_backup(
    tmp_path, databases, redis_url
):
    with contextlib.ExitStack() as stack:
        two_of_each(tmp_path, databases, redis_url, stack)


def two_of_each(tmp_path, databases, redis_url, stack):
    database, restored = databases
    mailbox = stack.enter_context(smtp_server())  # a real SMTP server on the loopback
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "integration-two-" + uuid.uuid4().hex,  # one key: one session for both
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://ypsi.example.test",
        "SECURE_SSL_REDIRECT": "false",  # no TLS proxy in front here
        "MFA_REQUIRED": "false",  # the sessions below are made, not signed in
        "DATABASE_URL": url_of(database),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "SEND_INTERVAL_SECONDS": "1",
        "CHASE_SWEEP_SECONDS": "1",
        "WEB_CONCURRENCY": "1",
    }
    first_port, second_port, restored_port = free_port(), free_port(), free_port()
    running = []
    try:
        first = launch(env, first_port, tmp_path / "first")  # runs the migrations
        running.append(first)
        assert wait_for(f"http://127.0.0.1:{first_port}/health/", first, 240)[0] == 200
        seeded = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", SEED],
            env=os.environ | env | {"DATA_DIR": str(tmp_path / "first")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        sessions = json.loads(seeded.stdout.strip().splitlines()[-1])
        second = launch(env, second_port, tmp_path / "second", MIGRATE="0")
        running.append(second)
        assert wait_for(f"http://127.0.0.1:{second_port}/health/", second, 240)[0] == 200

        # A report through the first web process...
        staff = sessions["staff"]
        status, form, headers = request(first_port, "/report/", staff)
        assert status == 200, form
        csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        account = f"Two of each: an image was shared ({uuid.uuid4().hex[:6]})."
        status, body, headers = request(
            first_port,
            "/report/",
            staff,
            {
                "csrfmiddlewaretoken": token,
                "form_token": str(uuid.uuid4()),
                "disclosure_source": "young_person",
                "discloser": "The young person",
                "disclosed_on_day": "1",
                "disclosed_on_month": "9",
                "disclosed_on_year": "2026",
                "disclosed_time": "09:00",
                "received_by": "Form tutor",
                "account": account,
                "spread": "few",
                "person-TOTAL_FORMS": "1",
                "person-INITIAL_FORMS": "0",
                "person-MIN_NUM_FORMS": "0",
                "person-MAX_NUM_FORMS": "40",
                "person-0-name": "Kai Invented",
                "person-0-age": "14",
                "person-0-age_band": "unknown",
                "person-0-sex": "male",
                "person-0-roles": ["pictured"],
            },
            csrf,
        )
        assert status == 302, body
        reference = headers["Location"].rstrip("/").rsplit("/", 1)[-1]

        # ...is read through the second.
        dsl = sessions["dsl"]
        status, listed, _ = request(second_port, "/incidents/", dsl)
        assert status == 200 and reference in listed
        pk = re.search(rf'href="(/incidents/\d+/)">{re.escape(reference)}<', listed).group(1)
        status, page, _ = request(second_port, pk, dsl)
        assert status == 200 and account in page

        # The DSLs' emails of the new concern, and the overdue deletion's reminders, once each.
        def all_sent():
            kinds = notifications(database)
            return (
                kinds.get("new_concern")
                and kinds.get("deletion_overdue")
                and all(was_sent for rows in kinds.values() for _, was_sent in rows)
            )

        wait(all_sent, 120, "the new-concern emails and the reminders")
        time.sleep(8)  # eight more seconds of two beats sweeping and two workers sending
        kinds = notifications(database)
        assert len(kinds["new_concern"]) == 2  # the DSL and the deputy
        assert len(kinds["deletion_overdue"]) == 2
        # The notification of each email either worker sent.
        emails = [m["X-Ypsi-Notification"] for m in mailbox.messages]
        made = [pk for rows in kinds.values() for pk, _ in rows]
        assert sorted(emails) == sorted(made), "each notification is one email, none twice"

        # The backup and restore of docs/deployment.md, and the app reading the copy.
        dump = tmp_path / "ypsi.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={dump}", url_of(database)], check=True
        )
        createdb(restored)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={url_of(restored)}", str(dump)], check=True
        )
        copy = launch(
            env | {"DATABASE_URL": url_of(restored)},
            restored_port,
            tmp_path / "restored",
            MIGRATE="0",
            SERVE="web",
        )
        running.append(copy)
        assert wait_for(f"http://127.0.0.1:{restored_port}/health/", copy, 240)[0] == 200
        status, page, _ = request(restored_port, pk, dsl)  # the session was restored too
        assert status == 200 and account in page and reference in page
    finally:
        outputs = [stop(process) for process in running]
    tracebacks = [
        output[max(0, at - 1500) : at + 3000]
        for output in outputs
        if (at := output.find("Traceback")) >= 0
    ]
    assert not tracebacks, "\n\n".join(tracebacks)
