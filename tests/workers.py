"""Start a real Celery worker (and beat) as separate processes for round-trip tests."""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent


def client_app(env: dict) -> Celery:
    """A Celery client speaking to the same broker as a worker started with `env`."""
    if env.get("REDIS_URL"):
        return Celery(broker=env["REDIS_URL"], backend=env["REDIS_URL"])
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


@dataclass
class Running:
    app: Celery
    proc: subprocess.Popen


@contextlib.contextmanager
def worker(env: dict, *, beat: bool = False, timeout: float = 60):
    """Run `celery worker` with `env` until the block ends; yields its client app and process."""
    # The worker gets exactly the broker the test names, never one left in the environment.
    full_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ypsi",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        args.append("--beat")
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log")  # noqa: SIM115
    proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    app = client_app(env)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{Path(log.name).read_text()}")
            try:
                if app.send_task("incidents.tasks.ping").get(timeout=5) == "pong":
                    break
            except Exception:
                continue
        else:
            raise TimeoutError(f"worker did not answer a ping:\n{Path(log.name).read_text()}")
        try:
            yield Running(app, proc)
        except AssertionError as failure:
            raise AssertionError(
                f"{failure}\nworker log:\n{Path(log.name).read_text()[-3000:]}"
            ) from None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
