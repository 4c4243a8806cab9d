"""Benchmark (not a test): PDF exports on a throwaway SQLite database.

    .venv/bin/python bench/exports.py

Prints the time for one incident's PDF with 200 history entries, the time for an inspection
report over 500 incidents (page data and PDF), the query counts, and the peak memory.
"""

import datetime
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="ypsi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ypsi.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def timed(label, fn):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s, {len(queries)} queries")
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    from accounts.models import Membership, School, User
    from incidents import services
    from incidents.models import Incident
    from incidents.services import Person
    from records import inspection, pdf

    school = School.objects.create(name="Bench School", code="BENCH")
    dsl = User.objects.create(
        username="bench-dsl", first_name="Bench", last_name="Lead", email="d@example.invalid"
    )
    staff = User.objects.create(username="bench-staff", email="s@example.invalid")
    Membership.objects.create(user=dsl, school=school, role="dsl")
    Membership.objects.create(user=staff, school=school, role="staff")
    past = timezone.now() - datetime.timedelta(days=30)
    incident = services.report_concern(
        reporter=staff,
        school=school,
        disclosure_source="friend",
        disclosed_at=past,
        received_by="Tutor",
        account="Synthetic.",
        people=[Person(roles=["pictured"], name="Pictured", age=15)],
    )
    person = incident.people.get()
    for i in range(199):
        services.correct_person(person, dsl, f"Correction {i}", age=14 + i % 2)
    from records.audit import audit_trail

    print(f"history entries for the incident: {len(audit_trail(incident))}")
    content = timed("incident PDF (200 history entries)", lambda: pdf.incident_pdf(incident, dsl))
    print(f"  {len(content) // 1024} KiB")

    for n in range(499):
        services.report_concern(
            reporter=staff,
            school=school,
            disclosure_source="staff",
            disclosed_at=past,
            received_by="Tutor",
            account=f"Synthetic {n}.",
        )
    start, end = timezone.localdate() - datetime.timedelta(days=60), timezone.localdate()
    data = timed(
        f"inspection report data ({Incident.objects.count()} incidents)",
        lambda: inspection.report(Incident.objects.all(), start, end),
    )
    ctx = {"form": None, **data, "school": None}
    content = timed("inspection report PDF", lambda: pdf.inspection_pdf(ctx, dsl))
    print(f"  {len(content) // 1024} KiB")
    print(
        f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB"
    )


if __name__ == "__main__":
    main()
