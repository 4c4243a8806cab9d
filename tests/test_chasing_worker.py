"""R24 with real processes on the embedded broker (no server): a worker and beat chase an overdue
deletion once; killed mid-run (the worker alone, or the worker and beat together as a crashed
machine) and started again, they send no reminder twice and leave no process behind."""

import pytest

from .chase_worker import chase_once, kill_and_restart

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_and_beat_send_the_reminder_once(world, tmp_path):
    chase_once(world, tmp_path, {})


@pytest.mark.parametrize("crash_kills", ["worker", "machine"])
def test_a_killed_worker_replaced_sends_no_duplicate(world, tmp_path, crash_kills):
    kill_and_restart(world, tmp_path, {}, crash_kills=crash_kills)
