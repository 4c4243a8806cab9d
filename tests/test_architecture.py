"""The shape of the code: the incident is the hub, the other apps plug into it (issue 9)."""

import ast
import dataclasses
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from incidents import hub, services
from incidents.chronology import Event, chronology
from incidents.models import Decision

from .factories import IncidentFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "incidents", "referrals", "records", "ypsi")


def app_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported_apps(path: Path) -> set[str]:
    """The top-level packages a module imports, anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    "app, forbidden",
    [
        ("incidents", {"referrals", "records"}),
        ("accounts", {"incidents", "referrals", "records"}),
    ],
)
def test_dependencies_run_one_way_from_the_hub(app, forbidden):
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & forbidden)
        for path in app_modules(app)
        if imported_apps(path) & forbidden
    }
    assert wrong == {}


def test_no_module_of_app_code_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for app in APPS
        for path in app_modules(app)
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert long == {}


@pytest.fixture
def extra_app(monkeypatch):
    """A new kind of record, plugged in the way referrals and records are: through the hub."""
    at = timezone.now() - datetime.timedelta(hours=1)
    registry = dataclasses.replace(
        hub._registry,
        closing_checks=[*hub._registry.closing_checks, lambda incident: ["Sign the new form."]],
        chronology=[*hub._registry.chronology, lambda incident: [Event(at, None, "New form")]],
    )
    monkeypatch.setattr(hub, "_registry", registry)


def test_a_new_app_blocks_closing_and_writes_the_chronology_without_touching_incidents(
    world, extra_app
):
    incident = IncidentFactory(school=world.school)
    assert "Sign the new form." in services.closing_blockers(incident)
    assert "New form" in [e.what for e in chronology(incident)]


def test_a_decision_to_refer_is_refused_when_no_app_records_the_referral(world, monkeypatch):
    """A decision to refer with no referral on record would be a lost referral."""
    monkeypatch.setattr(hub, "_registry", dataclasses.replace(hub._registry, referrer=None))
    incident = IncidentFactory(school=world.school)
    with pytest.raises(ImproperlyConfigured):
        services.decide_refer(
            incident,
            world.dsl,
            agency="police",
            made_at=timezone.now() - datetime.timedelta(minutes=5),
            reason="An adult is involved.",
        )
    assert not Decision.objects.filter(incident=incident).exists()


def test_the_page_sections_keep_their_order_and_every_app_is_registered_at_start_up():
    templates = [s.template for s in hub._registry.sections]
    assert templates == [
        "referrals/_incident.html",
        "incidents/_managing.html",
        "records/_incident.html",
        "records/_sharing.html",
        "records/_retention.html",
    ]
    assert hub.referrer().agencies()
    assert set(hub._registry.sweeps) == {
        "reminders",
        "expired exports",
        "exports republished",
        "retention reviews listed",
        "subject access requests",
        "referrals required",
        "agency responses",
        "safety plan reviews",
    }
    assert hub._registry.seals
