"""Settings, the embedded broker and deployment checks: what the IT person relies on."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from .workers import ROOT, worker


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_beat_sends_and_chases_on_the_configured_intervals():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["send"] == {
        "task": "incidents.tasks.send_notifications",
        "schedule": float(settings.SEND_INTERVAL_SECONDS),
    }
    assert schedule["chase"] == {
        "task": "incidents.tasks.sweep",
        "schedule": float(settings.CHASE_SWEEP_SECONDS),
    }


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="x" * 64 + "production-secret-for-the-check-only",
        ALLOWED_HOSTS="ypsi.example.org",
        SITE_URL="https://ypsi.example.org",
        EMAIL_URL="smtp+tls://ypsi:mail-password@smtp.example.org:587",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_with_nothing_set_the_settings_are_productions_and_ask_for_a_secret_key(tmp_path):
    """Issue 17 (2): a deployment that forgets DEBUG never serves Django's debug page."""
    result = manage("check", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr
    shown = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        SECRET_KEY="x" * 64,
        DATA_DIR=str(tmp_path),
    )
    assert shown.stdout.split() == ["False", "True"], shown.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", DEBUG="False", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_a_real_worker_round_trips_a_task_through_the_embedded_broker(tmp_path):
    env = {"DATA_DIR": str(tmp_path)}
    with worker(env) as running:
        app = running.app
        assert app.send_task("incidents.tasks.ping").get(timeout=30) == "pong"
        results = [app.send_task("incidents.tasks.ping") for _ in range(20)]
        assert [r.get(timeout=30) for r in results] == ["pong"] * 20


@pytest.mark.django_db
def test_the_demo_data_gives_the_documented_logins_and_is_safe_to_load_twice(
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth import authenticate
    from django.core.management import call_command
    from django.test import RequestFactory

    from accounts.models import Membership
    from incidents.models import Incident

    for _ in range(2):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    readme = (ROOT / "README.md").read_text()
    for username in (
        "hil-staff",
        "hil-dsl",
        "hil-deputy",
        "hil-head",
        "hil-admin",
        "mea-dsl",
        "trust-lead",
    ):
        assert f"`{username}`" in readme
        signing_in = RequestFactory().post("/login/")
        assert (
            authenticate(signing_in, username=username, password="ypsi-demo-password") is not None
        )
    assert Membership.objects.filter(
        user__username="hil-dsl", role="dsl", school__code="HIL"
    ).exists()
    assert Incident.objects.count() == 1


def test_checking_for_missing_migrations_needs_nothing_set(tmp_path):
    """A developer's (and CI's) `makemigrations --check` runs on development settings."""
    result = manage("makemigrations", "--check", "--dry-run", DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
