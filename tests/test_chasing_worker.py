"""R24 with real processes on the embedded broker (no server): a worker and beat chase an overdue
deletion once; a worker killed mid-run and replaced sends no reminder twice."""

import pytest

from .chase_worker import chase_once, kill_and_restart

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_and_beat_send_the_reminder_once(world, tmp_path):
    chase_once(world, tmp_path, {})


def test_a_killed_worker_replaced_sends_no_duplicate(world, tmp_path):
    kill_and_restart(world, tmp_path, {})
