import datetime
import os
from types import SimpleNamespace

import pytest

from accounts.models import Role
from incidents import services

from .factories import (
    IncidentFactory,
    InvolvedPersonFactory,
    PupilFactory,
    SchoolFactory,
    TrustFactory,
    complete_review,
    member,
    trust_lead,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server with sync Playwright


@pytest.fixture(scope="session", autouse=True)
def _broker_namespace():
    """On Redis, this run's own key prefix (tests/workers.py), emptied at the start and the end.

    The test process's Celery app uses it, and so does every worker and beat the tests start: a
    task left on the broker by an earlier run, or sent by a stray process of one, never arrives.
    (On the embedded broker, each test's workers use a queue folder in the test's own tmp_path.)
    """
    from django.conf import settings

    from ypsi.celery import app

    from .workers import NAMESPACE, flush_namespace, namespace_options

    if not settings.REDIS_URL:
        yield None
        return
    flush_namespace(settings.REDIS_URL)
    app.conf.broker_transport_options = namespace_options()
    app.conf.result_backend_transport_options = namespace_options("result_backend")
    yield NAMESPACE
    flush_namespace(settings.REDIS_URL)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none counted."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # Redis (django-redis): its own keys, not the broker's
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _no_network(settings, tmp_path):
    """Mail goes to the test outbox; nothing in tests reaches a real server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from ypsi.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def world(db):
    """Two schools in one trust, a third in another trust, and a persona for every role.

    Named after the role and whose school: `dsl` is Hillside's DSL, `other_dsl` Meadowbank's.
    """
    trust = TrustFactory(name="Riverside Trust")
    school = SchoolFactory(trust=trust, name="Hillside Academy", code="HIL")
    other = SchoolFactory(trust=trust, name="Meadowbank School", code="MEA")
    far = SchoolFactory(name="Faraway School", code="FAR")
    w = SimpleNamespace(trust=trust, school=school, other_school=other, far_school=far)
    for role in Role:
        setattr(w, role.value, member(school, role, username=f"hil-{role.value}"))
        setattr(w, f"other_{role.value}", member(other, role, username=f"mea-{role.value}"))
    w.trust_lead = trust_lead(trust)
    w.far_trust_lead = trust_lead(far.trust)
    return w


@pytest.fixture
def managed(world):
    """A signed-off decision to manage in school, with one roster pupil involved."""
    incident = IncidentFactory(school=world.school)
    pupil = PupilFactory(
        school=world.school,
        first_name="Riley",
        last_name="Roster",
        date_of_birth=datetime.date(2011, 1, 1),
    )
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="", roles=["pictured", "sender"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=15, roles=["recipient"])
    complete_review(incident, world.dsl)
    decision = services.decide_manage_in_school(incident, world.dsl, reason="Consensual, both 15")
    services.sign_off(decision, world.headteacher, comment="Agreed")
    incident.refresh_from_db()
    return incident
