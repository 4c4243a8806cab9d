"""Benchmark (not a test): the chasing sweep over N overdue deletion requests.

    .venv/bin/python bench/sweep.py [N]        # default 100000; a throwaway SQLite database
    DATABASE_URL=postgres://... bench/sweep.py  # or any database you name (it must be empty)

Prints the time to write the reminders, the time of a second sweep the same day (nothing newly
due: it reads no item, each waiting for its next interval), and the query count of each.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="ypsi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ypsi.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    from accounts.models import Membership, School, User
    from incidents.models import Incident, InvolvedPerson, Notification
    from records.chasing import create_reminders
    from records.models import DeletionRequest

    school = School.objects.create(name="Bench School", code="BENCH")
    users = [
        User.objects.create(username=f"bench-{r}", email=f"{r}@example.invalid")
        for r in ("dsl", "deputy", "head")
    ]
    for user, role in zip(users, ("dsl", "deputy_dsl", "headteacher"), strict=True):
        Membership.objects.create(user=user, school=school, role=role)
    incident = Incident.objects.create(
        school=school,
        reference="BENCH-1",
        reported_by=users[0],
        disclosure_source="staff",
        disclosed_at=timezone.now(),
        received_by="x",
        account="x",
    )
    person = InvolvedPerson.objects.create(incident=incident, name="x", roles=["pictured"])
    deadline = timezone.localdate() - datetime.timedelta(days=5)
    started = time.perf_counter()
    DeletionRequest.objects.bulk_create(
        (
            DeletionRequest(
                incident=incident,
                young_person=person,
                asked_at=timezone.now(),
                asked_by=users[0],
                everywhere=True,
                told_illegal=True,
                told_police=True,
                deadline=deadline,
            )
            for _ in range(n)
        ),
        batch_size=5000,
    )
    print(f"{n} overdue deletion requests created in {time.perf_counter() - started:.1f} s")
    for label in ("first sweep", "second sweep (nothing newly due)"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            offered = create_reminders()
            elapsed = time.perf_counter() - started
        print(
            f"{label}: {elapsed:.2f} s, {offered} reminders offered, {len(queries)} queries "
            f"({connection.vendor})"
        )
    print(f"reminder rows: {Notification.objects.count()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
