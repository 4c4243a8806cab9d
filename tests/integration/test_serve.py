"""bin/serve, the production launch, on PostgreSQL and Redis (.ci/run): it migrates a fresh
database, collects the static files, and serves the health check and the sign-in page through
gunicorn beside a Celery worker and beat, with every log line a JSON object (LOG_FORMAT=json).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database beside the test one, dropped afterwards."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"].endswith("postgresql"), "integration tests need DATABASE_URL=postgres://"
    name = f"ypsi_scale_serve_{uuid.uuid4().hex[:8]}"
    admin = {k: db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    params = {"host": admin.get("HOST"), "port": admin.get("PORT"), "user": admin.get("USER")}
    params |= {"password": admin["PASSWORD"]} if admin.get("PASSWORD") else {}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve(tmp_path, database_url: str, port: int, **extra) -> subprocess.Popen:
    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    redis_base = (
        settings.REDIS_URL.rsplit("/", 1)[0]
        if settings.REDIS_URL.count("/") > 2
        else settings.REDIS_URL
    )
    env = (
        os.environ
        | {
            "DEBUG": "false",
            "SECRET_KEY": "integration-test-key-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://ypsi.example.test",  # the production checks ask for https
            "SECURE_SSL_REDIRECT": "false",  # no TLS proxy in front of it here
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database_url,
            "REDIS_URL": f"{redis_base}/13",
            "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",  # nothing is sent in this test
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "LOG_FORMAT": "json",
        }
        | extra
    )
    (tmp_path / "data").mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(ROOT / "bin" / "serve")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )


def stat_of(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name, in parentheses: state, ppid,
    pgrp, session..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def session_of(leader: int) -> list[int]:
    """Every process of the session `leader` started (bin/serve and each process it runs, each
    in a process group of its own)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat_of(int(stat.parent.name))[3]) == leader:
                pids.append(int(stat.parent.name))
    return pids


def stop(process: subprocess.Popen) -> str:
    """SIGTERM to bin/serve's process group (a container runtime, Ctrl-C, systemd with
    KillMode=mixed); its output. Whatever is left after a minute is killed, all of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in session_of(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/serve stopped:\n{process.stdout.read()}")
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"nothing answered at {url} after {seconds} s")


def test_bin_serve_migrates_and_serves_health_and_sign_in_with_json_logs(tmp_path, fresh_database):
    port = free_port()
    process = serve(tmp_path, fresh_database, port)
    try:
        status, body = wait_for(f"http://127.0.0.1:{port}/health/", process)
        health = json.loads(body)
        assert status == 200, body
        assert health["database"] == "ok" and health["broker"] == "ok"
        status, page = get(f"http://127.0.0.1:{port}/login/")
        assert status == 200 and "Sign in" in page
        # Static files collected and served by whitenoise in production mode.
        assert (tmp_path / "data" / "static" / "govuk").is_dir()
        time.sleep(2)  # the worker and beat have logged their start
    finally:
        output = stop(process)
    # Celery's worker says it is shutting down on its terminal, not through logging.
    lines = [
        line
        for line in output.splitlines()
        if line.strip() and not line.startswith("worker: Warm shutdown")
    ]
    assert lines, "bin/serve logged nothing"
    not_json = []
    for line in lines:
        try:
            json.loads(line)
        except json.JSONDecodeError:
            not_json.append(line)
    assert not not_json, "lines that are not JSON:\n" + "\n".join(not_json[:20])
    loggers = {json.loads(line).get("logger") for line in lines}
    assert "gunicorn.access" in loggers and any(str(n).startswith("celery") for n in loggers)


def test_a_killed_worker_stops_bin_serve_and_everything_it_runs_for_a_restart(
    tmp_path, fresh_database
):
    """One process dying must not leave a machine half running (a web with no worker sends no
    email and chases nothing): bin/serve stops the rest and exits non-zero, for systemd or the
    container runtime to start it all again."""
    port = free_port()
    process = serve(tmp_path, fresh_database, port, SERVE="web worker")
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health/", process)[0] == 200
        workers = [
            pid
            for pid in session_of(process.pid)
            if int(stat_of(pid)[1]) == process.pid
            and "celery" in Path(f"/proc/{pid}/cmdline").read_text()
        ]
        assert len(workers) == 1, workers
        os.kill(workers[0], signal.SIGKILL)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            stop(process)
    assert process.returncode != 0
    assert "a process stopped, so every process is stopping" in output
    assert session_of(process.pid) == [], "processes left running after bin/serve stopped"
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(f"http://127.0.0.1:{port}/health/")
