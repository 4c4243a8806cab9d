"""Property (R8, R9): through the real services, "manage in school" is accepted exactly when no
criterion, derived or judged, holds or is not yet known."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from incidents import rules, services
from incidents.rules import Answer, Criterion

from .factories import (
    IncidentFactory,
    InvolvedPersonFactory,
    SchoolFactory,
    complete_review,
    member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

person = st.fixed_dictionaries(
    {
        "age": st.none() | st.integers(5, 40),
        "age_band": st.sampled_from(["under_13", "13_17", "18_plus", "unknown"]),
        "roles": st.lists(
            st.sampled_from(["pictured", "sender", "recipient"]), min_size=1, unique=True
        ),
    }
)


class Rollback(Exception):
    pass


@pytest.fixture
def school_and_dsl(db):
    school = SchoolFactory()
    return school, member(school, Role.DSL)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(person, min_size=1, max_size=3),
    sexual_acts=st.sampled_from(Answer.values),
    sextortion=st.booleans(),
    threshold=st.integers(10, 18),
    judged=st.fixed_dictionaries({c: st.sampled_from(Answer.values) for c in Criterion.values}),
)
def test_manage_in_school_is_accepted_exactly_when_no_criterion_holds(
    school_and_dsl, people, sexual_acts, sextortion, threshold, judged
):
    school, dsl = school_and_dsl
    try:
        with transaction.atomic():
            school.under_age_threshold = threshold
            school.save()
            incident = IncidentFactory(school=school)
            for p in people:
                InvolvedPersonFactory(incident=incident, **p)
            complete_review(
                incident,
                dsl,
                criteria={c: (a, "") for c, a in judged.items()},
                sexual_acts=sexual_acts,
                sextortion=sextortion,
            )
            facts = [
                rules.PersonFacts(
                    name="x", roles=tuple(p["roles"]), age=p["age"], age_band=p["age_band"]
                )
                for p in people
            ]
            pictured = [f for f in facts if "pictured" in f.roles]
            # The oracle, from the guidance directly: no judged criterion other than "no", no
            # sextortion, everyone known to be under 18, and either no sexual acts or everyone
            # pictured known to be at or over the threshold.
            expected = bool(
                all(a == Answer.NO for a in judged.values())
                and not sextortion
                and all(rules.is_adult(f) is False for f in facts)
                and (
                    sexual_acts == Answer.NO
                    or (pictured and all(rules.is_under(f, threshold) is False for f in pictured))
                )
            )
            try:
                services.decide_manage_in_school(incident, dsl, reason="Confident")
                accepted = True
            except ValidationError:
                accepted = False
            assert accepted == expected
            raise Rollback
    except Rollback:
        pass
