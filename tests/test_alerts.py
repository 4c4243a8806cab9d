"""Issue 19: alerts that never arrive. Against a real SMTP server (aiosmtpd) on the loopback,
a server that stalls, and a Redis of the test's own that is stopped and started again."""

import contextlib
import datetime
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html import escape
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery.exceptions import SoftTimeLimitExceeded
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import DeliveryFailure, Incident, Notification
from incidents.services import Person, notifications
from ypsi.celery import app as celery_app

from .chase_worker import emails_sent, wait_until, worker_env
from .test_intake import form_data
from .workers import ROOT, beat, worker

pytestmark = pytest.mark.django_db

CASE_DETAIL = ("Jordan", "Synthetic", "group chat", "Hillside", "Year 9")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(world):
    """A concern reported by a member of staff: a new-concern alert to the DSL and the deputy."""
    return services.report_concern(
        reporter=world.staff,
        school=world.school,
        disclosure_source="friend",
        discloser="A friend in Year 9",
        disclosed_at=timezone.now() - datetime.timedelta(hours=2),
        received_by="Form tutor",
        account="She said a photo of Jordan Synthetic was going round the group chat.",
        people=[Person(roles=["pictured"], name="Jordan Synthetic", age=14)],
    )


class Mailbox:
    """The handler of a real SMTP server: keeps what it accepts, refuses addresses as told."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.attempts: list[str] = []
        self.refusals: dict[str, list[str]] = {}  # address: replies, one used per attempt

    def refuse(self, address: str, *replies: str) -> None:
        self.refusals[address] = list(replies)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts.append(address)
        if self.refusals.get(address):
            return self.refusals[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 1
    settings.SITE_URL = "https://ypsi.example.org"
    return settings


@contextlib.contextmanager
def smtp_server(port: int | None = None):
    """A real SMTP server (aiosmtpd) on the loopback address until the block ends."""
    handler = Mailbox(port)
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_settings):
    """A real SMTP server on the loopback, and the app sending to it."""
    with smtp_server() as handler:
        smtp_settings.EMAIL_PORT = handler.port
        yield handler


def stalled_server() -> socket.socket:
    """A server that takes the connection and then says nothing (a stalled relay): the kernel
    completes the connection into the listening socket's queue, and nothing ever reads it."""
    return socket.create_server(("127.0.0.1", 0), backlog=8)


@pytest.fixture
def stalled_port():
    with stalled_server() as listener:
        yield listener.getsockname()[1]


def dashboard(client) -> str:
    return client.get(reverse("dashboard")).text


def test_an_alert_reaches_a_real_mail_server_with_its_headers_and_no_case_detail(
    world, mailbox, settings
):
    incident = report(world)
    assert services.send_pending_notifications() == 2
    [message] = mailbox.to(world.dsl.email)
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == (
        f"ypsi: a new concern needs your attention ({incident.reference}, Hillside Academy)"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    note = Notification.objects.get(recipient=world.dsl)
    assert message["X-Ypsi-Notification"] == str(note.pk)
    assert message["Message-ID"] and message["Date"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"https://ypsi.example.org/incidents/{incident.pk}/" in text
    # Issue 12: the school and the reference are named, nothing of the case.
    for detail in set(CASE_DETAIL) - {"Hillside"}:
        assert detail not in message["Subject"] + text + html
    assert f"{incident.reference} at Hillside Academy" in text
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_a_stalled_mail_server_costs_one_timeout_and_the_alerts_go_once_it_answers(
    world, smtp_settings, stalled_port, mailbox
):
    report(world)
    smtp_settings.EMAIL_PORT = stalled_port
    started = time.monotonic()
    assert services.send_pending_notifications() == 0
    # One EMAIL_TIMEOUT (1 s), not one per alert: the run ends when the server does not answer,
    # so the worker is free for its other tasks.
    assert time.monotonic() - started < 1.9
    failure = DeliveryFailure.objects.get()
    assert "could not be reached" in failure.reason and "timed out" in failure.reason
    assert failure.gave_up_at is None
    untried = Notification.objects.exclude(failure=failure).get()
    assert not DeliveryFailure.objects.filter(notification=untried).exists()

    smtp_settings.EMAIL_PORT = mailbox.port
    assert services.send_pending_notifications() == 2
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        [world.dsl.email, world.deputy_dsl.email]
    )


def test_a_4xx_is_tried_again_with_a_growing_wait_until_it_is_delivered(world, mailbox, client):
    report(world)
    mailbox.refuse(world.dsl.email, "451 4.7.1 Try again later", "451 4.7.1 Try again later")
    assert services.send_pending_notifications() == 1  # the deputy's goes on meanwhile
    failure = DeliveryFailure.objects.get(notification__recipient=world.dsl)
    assert failure.reason == "The mail server refused the address: 451 4.7.1 Try again later"
    assert failure.gave_up_at is None

    assert services.send_pending_notifications() == 0  # the next sweep: refused again
    failure.refresh_from_db()
    assert failure.failures == 2
    wait = failure.retry_after - timezone.now()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(minutes=1)
    assert services.send_pending_notifications() == 0
    assert mailbox.attempts.count(world.dsl.email) == 2  # not tried while it waits
    client.force_login(world.administrator)
    assert f"Alerts to {escape(str(world.dsl))} are failing since" in dashboard(client)

    DeliveryFailure.objects.update(retry_after=timezone.now())  # the minute has passed
    assert services.send_pending_notifications() == 1
    assert len(mailbox.to(world.dsl.email)) == 1
    assert "are failing since" not in dashboard(client)


def test_a_5xx_on_the_recipient_is_given_up_with_its_reason_and_shown_in_the_app(
    world, mailbox, client
):
    incident = report(world)
    mailbox.refuse(world.dsl.email, "550 5.1.1 Mailbox unavailable")
    assert services.send_pending_notifications() == 1
    failure = DeliveryFailure.objects.get(notification__recipient=world.dsl)
    assert failure.gave_up_at is not None and failure.retry_after is None
    assert "550 5.1.1 Mailbox unavailable" in failure.reason
    assert services.send_pending_notifications() == 0
    assert mailbox.attempts.count(world.dsl.email) == 1  # given up, not retried for ever

    since = timezone.localtime(failure.since)
    for who in (world.administrator, world.deputy_dsl):
        client.force_login(who)
        page = dashboard(client)
        assert (
            f"Alerts to {escape(str(world.dsl))} are failing since {since:%-d %b %Y %H:%M}" in page
        )
        assert "550 5.1.1 Mailbox unavailable" in page
    client.force_login(world.administrator)
    assert incident.reference not in dashboard(client)  # names the person, never the case
    client.force_login(world.staff)
    assert "are failing since" not in dashboard(client)
    # What could not be emailed still reaches the DSL, on the dashboard.
    client.force_login(world.dsl)
    missed = dashboard(client).split('id="alerts-missed"')[1]
    assert reverse("incident_detail", args=[incident.pk]) in missed
    assert "A new concern needs your attention" in missed


def test_however_long_mail_is_down_the_dashboard_lists_the_earliest_missed_and_counts_all(
    world, mailbox, client, settings
):
    settings.DASHBOARD_PANEL_ROWS = 2
    first, *later = [report(world) for _ in range(3)]
    mailbox.refuse(world.dsl.email, *["550 5.1.1 Mailbox unavailable"] * 3)
    services.send_pending_notifications()
    client.force_login(world.dsl)
    page = dashboard(client)
    missed = page.split('id="alerts-missed"')[1].split("</ul>")[0]
    assert missed.count("<li>") == 2
    assert reverse("incident_detail", args=[first.pk]) in missed
    assert reverse("incident_detail", args=[later[-1].pk]) not in missed
    assert "2 of 3 are shown, the earliest first." in page


def test_a_user_with_no_email_address_is_given_up_without_trying(world, mailbox):
    world.dsl.email = ""
    world.dsl.save()
    Notification.objects.create(
        recipient=world.dsl, kind=Notification.Kind.ACTION_OVERDUE, link="/"
    )
    assert services.send_pending_notifications() == 0
    failure = DeliveryFailure.objects.get()
    assert failure.reason == "No email address" and failure.gave_up_at is not None
    assert mailbox.attempts == []


def test_a_send_out_of_the_tasks_time_gives_its_claim_back_and_waits_its_turn(world, monkeypatch):
    report(world)

    def out_of_time(note):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(notifications, "deliver", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        services.send_pending_notifications()
    assert not Notification.objects.filter(claimed_at__isnull=False).exists()
    failure = DeliveryFailure.objects.get()  # the one in flight; the other was not tried
    assert failure.reason == "The send did not end within the task's time limit"
    assert failure.gave_up_at is None


# The demo's worker (solo pool) and a stalled mail server: before issue 19 the first send never
# ended, and no other task ran behind it.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_stalled_mail_server_never_holds_the_worker_and_the_alerts_go_once_it_answers(
    world, tmp_path
):
    celery_app.conf.task_always_eager = False  # the test's worker sends, not the test itself
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(stalled_server())
        port = listener.getsockname()[1]
        env = worker_env(tmp_path, {}) | {
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "EMAIL_TIMEOUT": "1",
        }
        running = stack.enter_context(worker(env))
        stack.enter_context(beat(env))
        report(world)
        wait_until(DeliveryFailure.objects.exists, 30, "a send that timed out")
        assert all("timed out" in f.reason for f in DeliveryFailure.objects.all())
        for _ in range(3):  # beat keeps sending every second: the worker still answers
            started = time.monotonic()
            assert running.app.send_task("incidents.tasks.ping").get(timeout=10) == "pong"
            assert time.monotonic() - started < 5

        listener.close()  # the relay answers again, on the same port
        mailbox = stack.enter_context(smtp_server(port))
        time.sleep(2)  # a send in flight at the switch has ended (and failed)
        DeliveryFailure.objects.update(retry_after=timezone.now())  # its wait has passed
        wait_until(
            lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
            30,
            "the alerts, once the mail server answers",
        )
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        [world.dsl.email, world.deputy_dsl.email]
    )


# Production's pool (prefork) and a send that outlasts the task's time limit (EMAIL_TIMEOUT set
# longer than it): the soft limit stops the task, its claim goes back, and the worker goes on.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_task_time_limit_stops_a_stuck_send_and_the_worker_goes_on(world, tmp_path):
    celery_app.conf.task_always_eager = False
    report(world)
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(stalled_server())
        port = listener.getsockname()[1]
        env = worker_env(tmp_path, {}) | {
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "EMAIL_TIMEOUT": "60",
            "TASK_TIME_LIMIT_SECONDS": "2",
        }
        running = stack.enter_context(worker(env, pool="prefork"))
        running.app.send_task("incidents.tasks.send_notifications")
        in_flight = Notification.objects.filter(claimed_at__isnull=False).exists
        wait_until(in_flight, 30, "the send to the stalled server")
        started = time.monotonic()
        assert running.app.send_task("incidents.tasks.ping").get(timeout=20) == "pong"
        assert time.monotonic() - started < 6  # the 2 s limit, not the 60 s EMAIL_TIMEOUT
        assert "Soft time limit (2s) exceeded" in running.log_text()
        failure = DeliveryFailure.objects.get()
        assert failure.reason == "The send did not end within the task's time limit"

        listener.close()
        mailbox = stack.enter_context(smtp_server(port))
        running.app.send_task("incidents.tasks.send_notifications")  # the next sweep
        wait_until(
            lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
            30,
            "the alerts, once the mail server answers",
        )
    assert len(mailbox.messages) == 2


def health(client) -> tuple[int, dict]:
    response = client.get(reverse("health"))
    return response.status_code, json.loads(response.content)


def test_health_answers_without_login_and_is_ok_when_all_is_well(client):
    assert health(client) == (
        200,
        {"status": "ok", "database": "ok", "broker": "ok", "undelivered_alerts": 0},
    )


def test_an_alert_undelivered_past_the_late_age_makes_health_degraded_naming_no_one(
    world, client, settings
):
    incident = report(world)
    assert health(client)[0] == 200  # just made: not late yet
    late = datetime.timedelta(seconds=settings.NOTIFICATION_LATE_SECONDS + 1)
    Notification.objects.update(created_at=timezone.now() - late)
    status, body = health(client)
    assert (status, body["status"], body["undelivered_alerts"]) == (503, "degraded", 2)
    text = json.dumps(body)
    for name in (world.dsl.username, world.dsl.last_name, incident.reference, "Jordan"):
        assert name not in text
    services.send_pending_notifications()
    assert health(client)[0] == 200


@pytest.mark.parametrize(
    "email_backend, site_url, errors",
    [
        ("django.core.mail.backends.console.EmailBackend", "https://ypsi.example.org", {"E001"}),
        ("django.core.mail.backends.filebased.EmailBackend", "https://ypsi.example.org", {"E001"}),
        ("django.core.mail.backends.smtp.EmailBackend", "http://ypsi.example.org", {"E002"}),
        ("django.core.mail.backends.smtp.EmailBackend", "https://ypsi.example.org", set()),
    ],
)
def test_production_refuses_to_send_alerts_nowhere_or_link_to_http(
    settings, email_backend, site_url, errors
):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = email_backend
    settings.SITE_URL = site_url
    found = {e.id.removeprefix("ypsi.") for e in run_checks() if e.id.startswith("ypsi.")}
    assert found == errors
    assert all(e.is_serious() for e in run_checks() if e.id.startswith("ypsi."))


def test_a_production_process_with_nothing_but_a_secret_key_refuses_to_run_blind(tmp_path):
    """DEBUG left unset is production (issue 17): the check stops `manage.py check` (and migrate)."""
    unset = ("DEBUG", "EMAIL_URL", "SITE_URL", "DATABASE_URL", "REDIS_URL")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in unset}
        | {"SECRET_KEY": "x" * 64, "DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "(ypsi.E001) EMAIL_URL sends email nowhere" in result.stderr
    assert "(ypsi.E002) SITE_URL is not https" in result.stderr


PUBLISH = (
    "import time\n"
    "from incidents.services.notifications import enqueue_notifications\n"
    "started = time.monotonic()\n"
    "enqueue_notifications()\n"
    "print(time.monotonic() - started)"
)


# What a report's request does after its commit, in a process with the real settings. Before
# issue 19: 19 s with Redis at a closed port (the result backend's retries); for ever with a Redis
# that takes the connection and then stalls.
@pytest.mark.slow
@pytest.mark.parametrize(("redis", "at_most"), [("stopped", 1.5), ("stalled", 7)])
def test_a_request_waits_on_a_redis_that_is_down_or_stalled_seconds_at_most(
    tmp_path, redis, at_most
):
    with stalled_server() as listener:
        port = listener.getsockname()[1] if redis == "stalled" else free_port()
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", PUBLISH],
            cwd=ROOT,
            env=os.environ
            | {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.split()[-1]) < at_most
    assert "the sweep will send them" in result.stderr


class ThrowAwayRedis:
    """A redis-server of the test's own on a free loopback port, stopped and started as the test
    says (the shared Redis is never touched); the leader of its own process group."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        wait_until(lambda: answers(("127.0.0.1", self.port)), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


def answers(address) -> bool:
    try:
        socket.create_connection(address, timeout=0.5).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def throw_away_redis():
    redis = ThrowAwayRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@contextlib.contextmanager
def web_server(env: dict):
    """`manage.py runserver` with `env`: the real settings, as a production web process has them
    (REDIS_URL set from the start), sharing the test database."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=clean | env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            wait_until(lambda: answers(("127.0.0.1", port)), 60, "the web server")
            yield f"http://127.0.0.1:{port}"
        except AssertionError:
            log.seek(0)
            raise AssertionError(f"web server log:\n{log.read()[-3000:]}") from None
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def fetch(url: str, cookies: dict, data: dict | None = None):
    """GET (or POST `data`) with `cookies`, following redirects: status, headers, text, seconds."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = (response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        answer = (error.code, error.headers, error.read().decode())
    return (*answer, time.monotonic() - started)


def report_form(token: str) -> dict:
    """The report form as a browser posts it (the intake tests' data), with its CSRF token."""
    data = form_data(csrfmiddlewaretoken=token)
    del data["school"]
    return data


# A web server process beside the test's own: on the SQLite file of a full bin/test run it does
# not see the test's session and the file is left unusable for the tests after it (not yet
# understood), so it runs against PostgreSQL in .ci/run only.
@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_a_report_is_answered_at_once_and_its_alerts_go_when_it_is_back(
    world, client, tmp_path, settings
):
    with throw_away_redis() as redis:
        env = worker_env(tmp_path, {"REDIS_URL": redis.url})
        with web_server(env) as site, worker(env), beat(env):
            client.force_login(world.staff)
            session = settings.SESSION_COOKIE_NAME
            cookies = {session: client.cookies[session].value}
            status, headers, form, _ = fetch(f"{site}/report/", cookies)
            assert status == 200
            cookies["csrftoken"] = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]

            redis.stop()
            status, _, receipt, seconds = fetch(f"{site}/report/", cookies, report_form(token))
            assert seconds < 2  # on main: 19.3 s, waiting on the broker after the commit
            assert status == 200, receipt
            assert Incident.objects.count() == 1, receipt[-3000:]
            assert Incident.objects.get().reference in receipt
            assert not {"broker", "redis", "queue"} & set(re.findall(r"\w+", receipt.lower()))
            status, _, body, seconds = fetch(f"{site}/health/", {})
            assert status == 503 and json.loads(body)["broker"] == "down"
            assert seconds < 2
            assert Notification.objects.filter(sent_at__isnull=True).count() == 2

            redis.start()  # the worker and beat reconnect by themselves; the sweep sends
            wait_until(
                lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
                90,
                "the alerts, sent by the sweep once Redis is back",
            )
            assert emails_sent(Path(env["EMAIL_FILE_PATH"])) == 2
            status, _, body, _ = fetch(f"{site}/health/", {})
            assert (status, json.loads(body)["broker"]) == (200, "ok")
