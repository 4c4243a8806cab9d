"""Start real Celery worker and beat processes for round-trip tests, and end them completely.

Each process is started in a process group of its own, and ended as a group: SIGTERM, then
SIGKILL after a timeout, waiting until no process of the group is left. `crash()` SIGKILLs whole
groups at once, as a crashed machine does. Beat is never embedded in a worker (`worker --beat`
forks beat as a child that outlives a killed worker and goes on scheduling): it runs as a process
of its own, as in production (docs/production.md).

On Redis, the processes started here and the test process's own Celery app (tests/conftest.py)
use this run's own key prefix, `NAMESPACE`, so that nothing left on the broker by an earlier run
can deliver a task into this one. On the embedded broker, each test's workers use a queue folder
under the test's own `tmp_path`.
"""

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent

# This test run's broker namespace on Redis: a key prefix no other run uses.
NAMESPACE = f"ypsi-test-{uuid.uuid4().hex[:16]}:"


def namespace_options(kind: str = "broker") -> dict:
    """The project's Redis transport options for the broker (or the result backend, `kind`
    "result_backend"), with the key prefix that keeps this run's keys in NAMESPACE."""
    from django.conf import settings

    project = getattr(settings, f"CELERY_{kind.upper()}_TRANSPORT_OPTIONS", None) or {}
    if not settings.REDIS_URL:  # the project's options here are the filesystem transport's
        project = {}
    return {**project, "global_keyprefix": NAMESPACE}


def flush_namespace(redis_url: str) -> int:
    """Delete every key of this run's namespace; returns how many there were."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{NAMESPACE}*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


def client_app(env: dict) -> Celery:
    """A Celery client speaking to the same broker as a worker started with `env`."""
    if env.get("REDIS_URL"):
        return Celery(
            broker=env["REDIS_URL"],
            backend=env["REDIS_URL"],
            broker_transport_options=namespace_options(),
            result_backend_transport_options=namespace_options("result_backend"),
        )
    folder = Path(env["DATA_DIR"]) / "celery"
    for sub in ("queue", "control", "processed", "results"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return Celery(
        broker="filesystem://",
        backend=f"file://{folder / 'results'}",
        broker_transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        },
    )


def group_members(pgid: int) -> list[int]:
    """The processes of process group `pgid` that are still running (zombies are not)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: only whether the group exists at all
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        except PermissionError:
            pass
        return [pgid]
    members = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in "ZX":
            members.append(int(stat.parent.name))
    return members


@dataclass
class Process:
    """A Celery process started by this module, the leader of its own process group."""

    name: str
    proc: subprocess.Popen
    log: IO[str]
    app: Celery
    crashed: bool = field(default=False)
    # Once nothing of the group is left, its id may be reused: never signal or count it again.
    ended: bool = field(default=False)

    @property
    def pgid(self) -> int:
        return self.proc.pid

    def members(self) -> list[int]:
        if self.ended:
            return []
        self.proc.poll()  # reap the leader if it has ended
        members = group_members(self.pgid)
        self.ended = not members and self.proc.returncode is not None
        return members

    def log_text(self) -> str:
        return Path(self.log.name).read_text()

    def signal(self, sig: int) -> None:
        if not self.ended:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, sig)

    def wait_gone(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.members():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def crash(self) -> None:
        """SIGKILL the whole process group at once, as a crash does."""
        crash(self)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM the group; SIGKILL it if anything of it is left after `timeout` seconds."""
        self.signal(signal.SIGTERM)
        if not self.wait_gone(timeout):
            self.signal(signal.SIGKILL)
            if not self.wait_gone(10):
                raise RuntimeError(f"{self.name}: {self.members()} survived SIGKILL")
        self.proc.wait()
        self.log.close()


# Every process started by this module in this test run: see leftovers().
STARTED: list[Process] = []


def crash(*processes: Process) -> None:
    """SIGKILL the groups of `processes` together, and wait until nothing of them is left."""
    for process in processes:
        process.crashed = True
        process.signal(signal.SIGKILL)
    for process in processes:
        if not process.wait_gone(10):
            raise RuntimeError(f"{process.name}: {process.members()} survived SIGKILL")


def leftovers() -> list[int]:
    """Processes started by this module in this run that are still running."""
    return [pid for process in STARTED for pid in process.members()]


@functools.cache
def can_set_parent_death_signal() -> bool:
    """Whether util-linux's setpriv (2.33 or later) is there to set the parent-death signal."""
    if not shutil.which("setpriv"):
        return False
    usage = subprocess.run(["setpriv", "--help"], capture_output=True, text=True)
    return "--pdeathsig" in usage.stdout


def start(name: str, command: list[str], env: dict) -> Process:
    """Start `celery -A ypsi COMMAND` with `env`, as the leader of a new process group."""
    # The process gets exactly the broker the test names, never one left in the environment.
    full_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    args = [sys.executable, "-m", "celery", "-A", "ypsi", *command]
    if env.get("REDIS_URL"):
        # Extra configuration on the command line (celery's `key=value`): this run's namespace.
        args += [
            f"broker_transport_options=(json){json.dumps(namespace_options())}",
            "result_backend_transport_options="
            f"(json){json.dumps(namespace_options('result_backend'))}",
        ]
    if can_set_parent_death_signal():
        # If the test process itself is killed, the process is told to stop.
        args = ["setpriv", "--pdeathsig", "TERM", "--", *args]
    log = tempfile.NamedTemporaryFile("w+", prefix=f"celery-{name}-", suffix=".log")  # noqa: SIM115
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    process = Process(name, proc, log, client_app(env))
    STARTED.append(process)
    return process


@contextlib.contextmanager
def log_on_failure(*processes: Process):
    try:
        yield
    except AssertionError as failure:
        logs = "\n".join(f"{p.name} log:\n{p.log_text()[-3000:]}" for p in processes)
        raise AssertionError(f"{failure}\n{logs}") from None


@contextlib.contextmanager
def worker(env: dict, *, timeout: float = 60, pool: str = "solo"):
    """Run `celery worker` with `env` until the block ends; yields the Process (`.app` its client).

    The whole process group is ended when the block ends, whatever happened in it. `pool` is the
    demo's solo pool unless a test needs production's prefork (one child): its time limits.
    """
    running = start(
        "worker",
        [
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if running.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{running.log_text()}")
            try:
                if running.app.send_task("incidents.tasks.ping").get(timeout=5) == "pong":
                    break
            except Exception:
                continue
        else:
            raise TimeoutError(f"worker did not answer a ping:\n{running.log_text()}")
        with log_on_failure(running):
            yield running
    finally:
        running.stop()


@contextlib.contextmanager
def beat(env: dict):
    """Run `celery beat` with `env`, a process of its own as in production, until the block ends.

    Unless it was crashed on purpose, beat must still be running when the block ends.
    """
    running = start("beat", ["beat", "--loglevel=INFO"], env)
    try:
        with log_on_failure(running):
            yield running
            assert running.crashed or running.proc.poll() is None, "beat exited early"
    finally:
        running.stop()
