"""Benchmark (not a test): the pages at volume, for a DSL and a trust lead, against a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ypsi_scale_bench \\
        .venv/bin/python bench/volume.py generate 100000   # an empty database: made, then filled
    DATABASE_URL=... .venv/bin/python bench/volume.py pages [ROUNDS] [PAGE]
    DATABASE_URL=... .venv/bin/python bench/volume.py explain
    DATABASE_URL=... .venv/bin/python bench/volume.py full-case  # generate makes it since 3 Dec
    DATABASE_URL=... .venv/bin/python bench/volume.py bounds [ROUNDS]  # the dashboard's parts
    DATABASE_URL=... .venv/bin/python bench/volume.py http [ROUNDS] [PAGE]  # through gunicorn
    DATABASE_URL=... .venv/bin/python bench/volume.py pdf [YEARS] [trust]  # an inspection PDF

`generate N` makes a trust of 50 schools (a DSL, deputy, headteacher and member of staff each,
1,000 pupils each) and a trust lead; reports THROUGH_SERVICES incidents (default 1,000) through
`report_concern`, as staff do; then copies them in bulk, spread over five years and the 50
schools, to N in all, with their people, an action each tenth and some access-log entries;
one case with much recorded (`full_case`), whose pages `pages` times beside a new report's;
and five years of sign-ins in the security log (`security_events`; a month below 10,000).

`pages` signs in as the first school's DSL and as the trust lead and asks each page ROUNDS
times (default 30; PAGE: only the pages whose label holds it), each time alternating with the floor, a trivial signed-in page (the user's
own reports), so that both are measured in the same conditions in the same run. It prints each
page's queries, size, median and p95 (ms), the ratio of its p95 to the floor's, and the
milliseconds a request spends building SQL and waiting on the database (`Split`). Requests go
through Django's test client in this process: the whole middleware and view stack and the real
database, no network or gunicorn in between.

`http` asks the same pages through gunicorn as production runs it (`bin/serve`, DEBUG off, four
workers; REDIS_URL defaults to Redis's database 14 on this machine), as the issue measured them.

`pdf` builds the inspection report of the first school's last YEARS (default 5: its 2,000
incidents at 100,000), or with `trust` the trust lead's of every school, as a PDF the way a
worker does (the task itself, from a queued export), and prints its incidents, queries, seconds
and the process's peak memory: run it on its own, so that the peak is the export's.

`explain` prints PostgreSQL's plan (EXPLAIN ANALYZE) of the queries the lists, the dashboard,
the inspection report and the chase rest on, to check each uses an index.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="ypsi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ypsi.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SCHOOLS = 50
PUPILS = 1000
THROUGH_SERVICES = int(os.environ.get("THROUGH_SERVICES", 1000))


def generate(n: int) -> None:
    from django.core.management import call_command

    from accounts.models import Membership, Pupil, Role, School, Trust, TrustLead, User
    from accounts.names import fold
    from incidents.models import Action, Incident, InvolvedPerson, Stage
    from incidents.services import Person, report_concern
    from records.models import AccessLog

    call_command("migrate", verbosity=0)
    # The production setting for solid-state disks (docs/deployment.md), from the next connection.
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER DATABASE {connection.settings_dict['NAME']} SET random_page_cost = 1.1"
        )
    if Incident.objects.exists():
        sys.exit("The database already holds incidents: give generate an empty one.")
    started = time.perf_counter()
    trust = Trust.objects.create(name="Bench Trust")
    schools = [
        School.objects.create(name=f"Bench School {k:02d}", code=f"B{k:02d}", trust=trust)
        for k in range(SCHOOLS)
    ]
    staff = {}
    for school in schools:
        for role in (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.STAFF):
            user = User.objects.create(
                username=f"{school.code.lower()}-{role}",
                email=f"{school.code}-{role}@example.invalid",
            )
            Membership.objects.create(user=user, school=school, role=role)
            staff[school.pk, role] = user
    lead = User.objects.create(username="bench-trust-lead", email="lead@example.invalid")
    TrustLead.objects.create(user=lead, trust=trust)
    Pupil.objects.bulk_create(
        (
            Pupil(
                school=school,
                first_name=f"Pupil{k}",
                last_name=f"Surname{k % 397}",
                search_name=fold(f"Surname{k % 397} Pupil{k}"),  # save() is not called
                date_of_birth=datetime.date(2011, 1, 1) + datetime.timedelta(days=k % 1500),
                sex="female" if k % 2 else "male",
                year_group=f"Year {7 + k % 5}",
            )
            for school in schools
            for k in range(PUPILS)
        ),
        batch_size=5000,
    )
    print(
        f"50 schools, their staff and {SCHOOLS * PUPILS} pupils: {time.perf_counter() - started:.0f} s"
    )

    started = time.perf_counter()
    now = timezone.now()
    made = min(n, THROUGH_SERVICES)
    for k in range(made):
        school = schools[k % SCHOOLS]
        pupil = Pupil.objects.filter(school=school)[k % PUPILS]
        report_concern(
            reporter=staff[school.pk, Role.STAFF],
            school=school,
            disclosure_source="young_person",
            disclosed_at=now - datetime.timedelta(hours=2 + k),
            received_by="Form tutor",
            account=f"Benchmark account {k}: an image was shared in a group chat.",
            people=[
                Person(roles=["pictured"], pupil=pupil),
                Person(roles=["sharer"], name="An older pupil"),
            ],
        )
    print(f"{made} incidents reported through the services: {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    templates = list(Incident.objects.order_by("pk"))
    people = {}
    for person in InvolvedPerson.objects.order_by("pk"):
        people.setdefault(person.incident_id, []).append(person)
    fields = [
        f.attname
        for f in Incident._meta.concrete_fields
        if f.attname not in ("id", "reference") and not f.generated
    ]
    person_fields = [
        f.attname
        for f in InvolvedPerson._meta.concrete_fields
        if f.attname not in ("id", "incident_id", "pupil_id")
    ]
    five_years = datetime.timedelta(days=5 * 365)
    stages = [Stage.REPORTED, Stage.REFERRED, Stage.MANAGED_IN_SCHOOL]
    copies = n - made
    batch = 5000
    for first in range(0, copies, batch):
        rows = []
        for k in range(first, min(first + batch, copies)):
            t = templates[k % len(templates)]
            at = now - five_years + five_years * (k / max(copies, 1))
            incident = Incident(**{f: getattr(t, f) for f in fields})
            incident.reference = f"COPY-{k:07d}"
            incident.school_id = schools[k % SCHOOLS].pk
            incident.reported_by_id = staff[incident.school_id, Role.STAFF].pk
            incident.reported_at, incident.disclosed_at = at, at - datetime.timedelta(hours=1)
            old = now - at > datetime.timedelta(days=90)
            incident.stage = Stage.CLOSED if old else stages[k % len(stages)]
            incident.closed_at = at + datetime.timedelta(days=30) if old else None
            rows.append((incident, t.pk))
        Incident.objects.bulk_create([r[0] for r in rows], batch_size=batch)
        InvolvedPerson.objects.bulk_create(
            (
                InvolvedPerson(
                    incident_id=incident.pk, **{f: getattr(p, f) for f in person_fields}
                )
                for incident, template in rows
                for p in people.get(template, [])
            ),
            batch_size=batch,
        )
        Action.objects.bulk_create(
            (
                Action(
                    incident_id=incident.pk,
                    kind="support",
                    description="Check in with the young person",
                    owner_id=staff[incident.school_id, Role.DSL].pk,
                    due=timezone.localdate(incident.reported_at) + datetime.timedelta(days=14),
                    done_at=None if incident.stage != Stage.CLOSED else incident.closed_at,
                )
                for incident, _ in rows[::10]
            ),
            batch_size=batch,
        )
        print(f"  {first + len(rows) + made} incidents", end="\r", flush=True)
    first_school = schools[0]
    newest = Incident.objects.filter(school=first_school).order_by("-reported_at").first()
    AccessLog.objects.bulk_create(
        AccessLog(
            incident=newest, user=staff[first_school.pk, Role.DSL], what="incident", in_team=True
        )
        for _ in range(500)
    )
    print(
        f"\n{copies} copies in bulk: {time.perf_counter() - started:.0f} s; {Incident.objects.count()} incidents"
    )
    # The copies were written in bulk, around the services: each open case's dashboard group is
    # worked out once, as the first read of a real school's dashboard after an import would.
    from incidents.workspace import regroup

    started = time.perf_counter()
    regrouped = regroup(Incident.objects.all())
    print(f"{regrouped} open cases grouped: {time.perf_counter() - started:.0f} s")
    full_case()
    security_events(days=5 * 365 if n >= 10_000 else 30)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only reads


def security_events(days: int) -> None:
    """DAYS of the security log (five years at volume, a month for a small trust): each user
    signs in each day and fails once a week, each event in its school's log (the trust lead's in
    all 50), as `security_log.record` writes it (its last page as dear as its first, issue 14)."""
    from accounts.models import Membership, School, SecurityEvent, SecurityLogEntry, User

    started = time.perf_counter()
    now = timezone.now()
    schools_of = {}
    for user_id, school_id in Membership.objects.values_list("user_id", "school_id"):
        schools_of.setdefault(user_id, set()).add(school_id)
    lead = User.objects.get(username="bench-trust-lead")
    schools_of[lead.pk] = set(School.objects.values_list("pk", flat=True))
    users = list(User.objects.filter(pk__in=schools_of).only("pk", "username"))
    made = 0
    for day in range(days):
        at = now - datetime.timedelta(days=day, hours=3)
        events = SecurityEvent.objects.bulk_create(
            SecurityEvent(user=u, username=u.username, kind=kind, at=at, address="192.0.2.1")
            for u in users
            for kind in (["signed_in", "sign_in_failed"] if day % 7 == 0 else ["signed_in"])
        )
        SecurityLogEntry.objects.bulk_create(
            (
                SecurityLogEntry(school_id=school_id, event=e, at=at)
                for e in events
                for school_id in schools_of[e.user_id]
            ),
            batch_size=5000,
        )
        made += len(events)
    print(f"{made} security events: {time.perf_counter() - started:.0f} s")


FULL_CASE = "Benchmark: a case with much recorded."


def full_case() -> None:
    """One case of the first school with much on its pages: the review, a decision to manage
    in school signed off, a risk assessment, a conversation, parents informed, an action
    (through the services), a viewing, a deletion asked and a search (as the chronology's tests
    record them). The copies are new reports, whose pages read little; this one's read most
    kinds of record."""
    from accounts.models import Role, School, User
    from incidents import services
    from incidents.services import Person
    from records.models import DeletionRequest, SearchRecord, ViewingRecord
    from tests.factories import complete_review

    school = School.objects.order_by("pk").first()
    dsl, head, staff = (
        User.objects.get(username=f"{school.code.lower()}-{role}")
        for role in (Role.DSL, Role.HEADTEACHER, Role.STAFF)
    )
    now = timezone.now()
    incident = services.report_concern(
        reporter=staff,
        school=school,
        disclosure_source="young_person",
        disclosed_at=now - datetime.timedelta(hours=6),
        received_by="Form tutor",
        account=FULL_CASE,
        people=[
            Person(roles=["pictured", "sender"], pupil=school.pupils.order_by("pk").first()),
            Person(roles=["recipient"], name="A classmate", age=15),
        ],
    )
    complete_review(incident, dsl)
    decision = services.decide_manage_in_school(incident, dsl, reason="Consensual, both 15")
    services.sign_off(decision, head, comment="Agreed")
    pictured = incident.people.order_by("pk").first()
    services.record_risk_assessment(
        incident,
        dsl,
        young_person=pictured,
        answers={"why_shared": "In a relationship", "adults": "None"},
        summary="Low risk",
    )
    services.record_conversation(
        incident,
        dsl,
        young_person=pictured,
        held_at=now - datetime.timedelta(hours=2),
        held_by="Form tutor",
        imagery_described="As the young person described it",
        seen_or_shared_by="Only the recipient",
        preventing_sharing="Deleted in front of the DSL",
    )
    services.record_parent_contact(
        incident,
        dsl,
        young_person=pictured,
        kind="informed",
        at=now - datetime.timedelta(hours=1),
        by="DSL",
        who="A parent",
        how="phone",
    )
    services.add_action(
        incident,
        dsl,
        kind="support",
        description="Check in with the young person",
        owner=dsl,
        due=timezone.localdate() + datetime.timedelta(days=7),
    )
    ViewingRecord.objects.create(
        incident=incident,
        reason="unavoidable",
        viewed_at=now - datetime.timedelta(hours=3),
        viewer=dsl,
        staff_present=head,
        place="DSL office",
        why="It was shown to staff",
        what_followed="Reported",
        same_sex=True,
        recorded_by=dsl,
    )
    DeletionRequest.objects.create(
        incident=incident,
        young_person=pictured,
        asked_at=now - datetime.timedelta(hours=2),
        asked_by=dsl,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=timezone.localdate() + datetime.timedelta(days=2),
    )
    SearchRecord.objects.create(
        incident=incident,
        young_person=pictured,
        searched_at=now - datetime.timedelta(hours=1),
        place="Office",
        searched_by=dsl,
        authorised_by=head,
        authorised_at=now - datetime.timedelta(hours=1, minutes=5),
        present="DSL",
        sought="The image",
        found="Nothing",
        followed="Returned",
        recorded_by=dsl,
    )
    print(f"a case with much recorded: {incident.reference}")


def _p95(values):
    return statistics.quantiles(values, n=20)[-1]


class Split:
    """Where a page's time goes: building the SQL (Django's compilers, timed at the outermost
    call only) and waiting on the database (a round trip and its rows, through Django's public
    execute_wrapper). The rest is Python: views, templates, middleware. Both are inside the
    timed requests, so a page's median holds them; the figures are milliseconds a request."""

    def __init__(self):
        from django.db.models.sql import compiler

        self.build = self.database = 0.0
        self.depth = 0
        for cls in (
            compiler.SQLCompiler,
            compiler.SQLInsertCompiler,
            compiler.SQLUpdateCompiler,
            compiler.SQLDeleteCompiler,
            compiler.SQLAggregateCompiler,
        ):
            cls.as_sql = self._timed(cls.__dict__["as_sql"])

    def _timed(self, original):
        def as_sql(compiler, *args, **kwargs):
            self.depth += 1
            started = time.perf_counter()
            try:
                return original(compiler, *args, **kwargs)
            finally:
                self.depth -= 1
                if not self.depth:
                    self.build += time.perf_counter() - started

        return as_sql

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.database += time.perf_counter() - started

    def reset(self):
        self.build = self.database = 0.0


def _pages_of():
    """The first school's DSL, the trust lead, and the pages each is timed on (label, URL)."""
    from accounts.models import Role, School, SecurityLogEntry, User
    from incidents.models import Incident
    from ypsi.pagination import _link

    school = School.objects.order_by("pk").first()
    dsl = User.objects.get(username=f"{school.code.lower()}-{Role.DSL}")
    lead = User.objects.get(username="bench-trust-lead")
    newest = (
        Incident.objects.filter(school=school)
        .exclude(account=FULL_CASE)
        .order_by("-reported_at")
        .first()
    )
    full = Incident.objects.get(account=FULL_CASE)
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    today = timezone.localdate()
    inspection = (
        f"start_day={year_ago.day}&start_month={year_ago.month}&start_year={year_ago.year}"
        f"&end_day={today.day}&end_month={today.month}&end_year={today.year}"
    )

    class Request:  # what `_link` reads of a request: a page with no filters
        GET = __import__("django.http", fromlist=["QueryDict"]).QueryDict(mutable=True)

    def last_page(user_filter):
        """The link the list's Next would give on its second-to-last page."""
        oldest = list(Incident.objects.filter(**user_filter).order_by("reported_at", "pk")[:51])[
            -1
        ]
        return reverse("incident_list") + _link(
            Request, "after", oldest, [("reported_at", True), ("pk", True)]
        )

    def security_log(last: bool = False):
        """The school's security log; `last`: the link its Next gives on the page before."""
        url = reverse("security_log", args=[school.pk])
        oldest = SecurityLogEntry.objects.filter(school=school).order_by("at", "event_id")[50:51]
        if not last or not oldest:
            return url
        return url + _link(Request, "after", oldest[0], [("at", True), ("event_id", True)])

    pages_of = {
        "dsl": [
            ("incident list", reverse("incident_list")),
            ("incident list, last page", last_page({"school": school})),
            ("incident list ?stage=referred", reverse("incident_list") + "?stage=referred"),
            ("incident list ?person=", reverse("incident_list") + "?person=pupil12"),
            ("incident detail", reverse("incident_detail", args=[newest.pk])),
            ("chronology", reverse("incident_chronology", args=[newest.pk])),
            ("history", reverse("incident_history", args=[newest.pk])),
            ("incident detail, much recorded", reverse("incident_detail", args=[full.pk])),
            ("chronology, much recorded", reverse("incident_chronology", args=[full.pk])),
            ("history, much recorded", reverse("incident_history", args=[full.pk])),
            ("access log (500 entries)", reverse("access_log", args=[newest.pk])),
            ("roster (1,000 pupils)", reverse("pupil_list", args=[school.pk])),
            ("inspection, school, one year", reverse("inspection_report") + "?" + inspection),
            ("dashboard", reverse("dashboard")),
        ],
        "trust lead": [
            ("incident list", reverse("incident_list")),
            ("incident list, last page", last_page({})),
            ("incident list ?stage=referred", reverse("incident_list") + "?stage=referred"),
            ("incident list ?person=", reverse("incident_list") + "?person=pupil12"),
            ("incident list ?next=overdue (see all)", reverse("incident_list") + "?next=overdue"),
            ("incident detail", reverse("incident_detail", args=[newest.pk])),
            ("inspection, trust, one year", reverse("inspection_report") + "?" + inspection),
            ("dashboard", reverse("dashboard")),
            ("security log, a school's", security_log()),
            ("security log, a school's last page", security_log(last=True)),
        ],
    }
    return dsl, lead, pages_of


def pages(rounds: int, only: str = "") -> None:
    from incidents.models import Incident

    dsl, lead, pages_of = _pages_of()
    floor_url = reverse("my_reports")
    print(f"{Incident.objects.count()} incidents, {connection.vendor}, {rounds} rounds each")
    split = Split()
    connection.execute_wrappers.append(split)
    for who, user in (("dsl", dsl), ("trust lead", lead)):
        client = Client()
        client.force_login(user)
        print(f"\n{who}:")
        print(
            f"  {'page':38} {'queries':>7} {'KB':>7} {'median':>8} {'p95':>8} {'floor p95':>9} "
            f"{'ratio':>6} {'SQL built':>9} {'database':>8}"
        )
        for label, url in pages_of[who]:
            if only not in label:
                continue
            times, floors, build, database = _alternate(client, url, floor_url, rounds, split)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            count = len(queries)
            assert response.status_code == 200, (label, response.status_code)
            print(
                f"  {label:38} {count:>7} {len(response.content) / 1024:>7.0f} "
                f"{statistics.median(times):>8.1f} {_p95(times):>8.1f} {_p95(floors):>9.1f} "
                f"{_p95(times) / _p95(floors):>6.1f} {build:>9.1f} {database:>8.1f}"
            )


def _alternate(client, url, floor_url, rounds, split=None, warm=3):
    """The page and the floor asked in turn `rounds` times, after `warm` of each to warm
    (connections, templates, caches), so both are measured in the same conditions: their times
    (ms), and with a `Split`, the page's milliseconds a request building SQL and waiting on the
    database. `client`: the test client, or `_Served`."""
    for _ in range(warm):
        client.get(url)
        client.get(floor_url)
    times, floors, build, database = [], [], 0.0, 0.0
    for _ in range(rounds):
        for sink, address in ((times, url), (floors, floor_url)):
            if split:
                split.reset()
            started = time.perf_counter()
            client.get(address)
            sink.append((time.perf_counter() - started) * 1000)
            reset_queries()
            if split and sink is times:
                build, database = build + split.build, database + split.database
    return times, floors, build * 1000 / rounds, database * 1000 / rounds


def http(rounds: int, only: str = "") -> None:
    """The pages of `pages` through gunicorn as production runs it, as the issue measured them:
    `bin/serve` (web only) with DEBUG off, so with second factors required, secure cookies and
    WEB_CONCURRENCY (default 4) workers, each keeping its database connection; a request a
    connection, as from a proxy. What the test client in this process cannot see (a
    middleware's query, a connection opened per request) is in these figures; queries and SQL
    time are not (see `pages`). Each bench user is given a second factor if they have none."""
    import signal
    import socket
    import subprocess

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    dsl, lead, pages_of = _pages_of()
    cookies = {}
    for who, user in (("dsl", dsl), ("trust lead", lead)):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        client = Client()
        client.force_login(user)
        cookies[who] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workers = int(os.environ.get("WEB_CONCURRENCY", 4))
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"} | {
        "SERVE": "web",
        "MIGRATE": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are read there
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
    }
    root = Path(__file__).resolve().parent.parent
    log = Path(settings.DATA_DIR) / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [root / "bin" / "serve"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )

    floor_url = reverse("my_reports")
    try:
        for _ in range(120):
            try:
                _Served(port, cookies["dsl"]).get(floor_url)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not start: see {log}")
        print(f"gunicorn, {workers} workers, production settings; {rounds} rounds each")
        for who in ("dsl", "trust lead"):
            served = _Served(port, cookies[who])
            print(
                f"\n{who}:\n  {'page':38} {'KB':>7} {'median':>8} {'p95':>8} {'floor p95':>9} {'ratio':>6}"
            )
            for label, url in pages_of[who]:
                if only not in label:
                    continue
                # Every worker's templates and connection warm.
                times, floors, *_ = _alternate(served, url, floor_url, rounds, warm=3 * workers)
                page, floor = served.get(url), served.get(floor_url)
                if (page.status_code, floor.status_code) != (200, 200):
                    raise SystemExit(
                        f"{label}: {page.status_code}, the floor {floor.status_code}: see {log}"
                    )
                print(
                    f"  {label:38} {len(page.content) / 1024:>7.0f} {statistics.median(times):>8.1f} "
                    f"{_p95(times):>8.1f} {_p95(floors):>9.1f} {_p95(times) / _p95(floors):>6.1f}"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


class _Served:
    """The test client's `get`, through the app `http` serves: one connection a request, as from
    a proxy, signed in by the session cookie given."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie

    def get(self, path: str) -> SimpleNamespace:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=120)
        # TLS ends at the proxy, which says so.
        conn.request("GET", path, headers={"Cookie": self.cookie, "X-Forwarded-Proto": "https"})
        answer = conn.getresponse()
        content = answer.read()
        conn.close()
        return SimpleNamespace(status_code=answer.status, content=content)


def explain() -> None:
    from django.db.models import Count

    from accounts.models import Role, School, User
    from accounts.permissions import scoped
    from accounts.security_log import for_school
    from incidents.forms.intake import person_matches
    from incidents.models import Action, Incident, Stage
    from incidents.views.cases import floods_awaiting
    from incidents.workspace import Next, grouping, in_group
    from records.models import DeletionRequest

    school = School.objects.order_by("pk").first()
    dsl = User.objects.get(username=f"{school.code.lower()}-{Role.DSL}")
    lead = User.objects.get(username="bench-trust-lead")
    today = timezone.localdate()
    year_ago = timezone.now() - datetime.timedelta(days=365)
    for label, queryset in [
        ("list, DSL", scoped(Incident.objects.all(), dsl).order_by("-reported_at", "-pk")[:51]),
        (
            "list, trust lead",
            scoped(Incident.objects.all(), lead).order_by("-reported_at", "-pk")[:51],
        ),
        (
            "list ?stage=referred, trust lead",
            scoped(Incident.objects.filter(stage=Stage.REFERRED), lead).order_by(
                "-reported_at", "-pk"
            )[:51],
        ),
        (
            "list ?person=pupil12, trust lead (the trigram indexes)",
            scoped(Incident.objects.filter(person_matches("pupil12")), lead).order_by(
                "-reported_at", "-pk"
            )[:51],
        ),
        (
            "inspection, trust, one year",
            scoped(Incident.objects.filter(disclosed_at__gte=year_ago), lead),
        ),
        (
            "dashboard: the groups counted, trust (the incident_open index)",
            scoped(Incident.objects.exclude(stage=Stage.CLOSED), lead)
            .annotate(next_step=grouping(timezone.now()))
            .order_by()
            .values("next_step")
            .annotate(n=Count("pk")),
        ),
        (
            "see all of the overdue group, trust (incident_open_late, incident_referral_required)",
            in_group(scoped(Incident.objects.all(), lead), Next.OVERDUE).order_by(
                "-reported_at", "-pk"
            )[:51],
        ),
        (
            "dashboard: notices of many reports, trust (the incident_flood_awaiting index)",
            floods_awaiting(lead),
        ),
        (
            "dashboard: overdue actions, trust",
            scoped(
                Action.objects.filter(done_at__isnull=True, due__lt=today),
                lead,
                via="incident__school",
            ),
        ),
        (
            "security log, a school's first page (the security_log_of_school index)",
            for_school(school).order_by("-at", "-event_id")[:51],
        ),
        (
            "chase: deletions due",
            DeletionRequest.objects.filter(next_chase_on__lte=today)
            | DeletionRequest.objects.filter(
                next_chase_on__isnull=True, status="pending", deadline__lt=today
            ),
        ),
    ]:
        print(f"--- {label}\n{queryset.explain(analyze=True)}\n")


def bounds(rounds: int) -> None:
    """How near the dashboard could come to the floor with its parts made free: as it is; with
    its shown cases built from the columns a case keeps (no read of its decisions, actions,
    plans and the other apps' deadlines: the page then lacks their notes); and with no panels
    either. Then with its open cases, panels and notices each worked out once and read again,
    as a cache of them would on a hit. Not a page anyone gets: the upper bound of what keeping
    more per case, or caching, could save, before building it."""
    from unittest import mock

    from accounts.models import Role, School, User
    from incidents import hub, workspace
    from incidents.views import cases

    grouped = workspace._grouped

    def kept_only(incidents, now, whole=True):
        if whole:  # `regroup`, keeping a changed case's group: worked out in full, as ever
            yield from grouped(incidents, now, whole)
            return
        for incident in incidents.select_related("school"):
            yield incident, incident.step, workspace.Facts(stage=incident.stage), "", None

    def worked_out_once(compute):
        """`compute` for each user once, then its answer again: the best a cache of it could
        do, read again with nothing changed (the first read after a change costs as before)."""
        answers = {}

        def again(user):
            if user.pk not in answers:
                answers[user.pk] = compute(user)
            return answers[user.pk]

        return again

    school = School.objects.order_by("pk").first()
    cached = [
        mock.patch.object(workspace, "open_cases", worked_out_once(workspace.open_cases)),
        mock.patch.object(hub, "panels", worked_out_once(hub.panels)),
        mock.patch.object(cases, "notices", worked_out_once(cases.notices)),
    ]
    variants = [
        ("as it is", []),
        ("shown cases from kept columns", [mock.patch.object(workspace, "_grouped", kept_only)]),
        (
            "... and no panels",
            [
                mock.patch.object(workspace, "_grouped", kept_only),
                mock.patch.object(hub, "panels", lambda user: ([], {})),
            ],
        ),
        ("open cases cached", cached[:1]),
        ("... and panels", cached[:2]),
        ("... and notices", cached),
    ]
    floor_url, url = reverse("my_reports"), reverse("dashboard")
    for who in (f"{school.code.lower()}-{Role.DSL}", "bench-trust-lead"):
        client = Client()
        client.force_login(User.objects.get(username=who))
        print(
            f"\n{who}:\n  {'dashboard':40} {'median':>8} {'p95':>8} {'floor p95':>9} {'ratio':>6}"
        )
        for label, patches in variants:
            for patch in patches:
                patch.start()
            times, floors, *_ = _alternate(client, url, floor_url, rounds)
            mock.patch.stopall()
            print(
                f"  {label:40} {statistics.median(times):>8.1f} {_p95(times):>8.1f} "
                f"{_p95(floors):>9.1f} {_p95(times) / _p95(floors):>6.1f}"
            )


def pdf(years: int = 5, trust: bool = False) -> None:
    """The issue's target: an inspection PDF of 2,000 incidents in under 10 s per 1,000
    incidents and 300 MB. Through the worker's task, not the PDF function alone: the task
    logs the export against each incident and links them to it, where an N+1 once hid.
    `trust`: the trust lead's, of every school, for the size of a worker (docs/deployment.md)."""
    import resource
    from unittest import mock

    from accounts.models import Role, School, User
    from records.exports import queue_inspection_export
    from records.models import Export
    from records.tasks import build_inspection_export

    school = None if trust else School.objects.order_by("pk").first()
    user = User.objects.get(
        username="bench-trust-lead" if trust else f"{school.code.lower()}-{Role.DSL}"
    )
    end = timezone.localdate()
    start = end.replace(year=end.year - years)
    # Queued as the page queues it; the bench runs the task here, not a worker.
    with mock.patch("records.exports.publish"):
        export = queue_inspection_export(user, school=school, start=start, end=end)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        build_inspection_export(export.pk)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.status
    n = export.incidents.count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"inspection PDF, {school.name if school else 'the trust'}, {start} to {end}: {n} incidents, "
        f"{len(export.content) / 1024 / 1024:.1f} MB, {len(queries)} queries, {seconds:.1f} s "
        f"({seconds * 1000 / max(n, 1):.1f} s per 1,000 incidents), peak memory {peak:.0f} MB"
    )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "pages"
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS], DEBUG=False):
        if command == "generate":
            generate(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
        elif command == "explain":
            explain()
        elif command == "full-case":  # for a database generated before it was part of generate
            full_case()
        elif command == "http":
            http(int(sys.argv[2]) if len(sys.argv) > 2 else 30, " ".join(sys.argv[3:]))
        elif command == "pdf":
            pdf(int(sys.argv[2]) if len(sys.argv) > 2 else 5, "trust" in sys.argv[3:])
        elif command == "bounds":
            bounds(int(sys.argv[2]) if len(sys.argv) > 2 else 30)
        else:
            pages(int(sys.argv[2]) if len(sys.argv) > 2 else 30, " ".join(sys.argv[3:]))
