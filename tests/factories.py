"""factory-boy factories: every value synthetic."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Membership, Pupil, Role, School, Trust, TrustLead, User
from incidents import services
from incidents.models import Incident, InvolvedPerson, PersonRole
from incidents.rules import AggravatingFactor, Answer, Criterion

# Every aggravating factor answered "no" (R9): what a case the school may manage records.
NO_AGGRAVATING_FACTORS = {f: ("no", "") for f in AggravatingFactor.values}


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    code = factory.Sequence(lambda n: "S" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.STAFF


def member(school: School, role: str, **user_fields) -> User:
    return MembershipFactory(
        school=school, role=role, **{f"user__{k}": v for k, v in user_fields.items()}
    ).user


def trust_lead(trust: Trust) -> User:
    return TrustLead.objects.create(user=UserFactory(), trust=trust).user


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2012, 5, 1)
    sex = "female"
    year_group = "Year 9"


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    school = factory.SubFactory(SchoolFactory)
    reference = factory.Sequence(lambda n: f"T-{n:05d}")
    reported_by = factory.LazyAttribute(lambda i: member(i.school, Role.STAFF))
    disclosure_source = "young_person"
    disclosed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    received_by = "Form tutor"
    account = "Synthetic account for a test."


class InvolvedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvedPerson

    incident = factory.SubFactory(IncidentFactory)
    name = factory.Faker("first_name")
    roles = factory.LazyFunction(lambda: [PersonRole.PICTURED])


def complete_review(incident, user, *, criteria=None, factors=None, **facts):
    """Every part of the initial review recorded through the services (issue 12: managing in
    school needs them all): the meeting, scope, typology and risk, the five criteria (all "no"
    unless given) and the aggravating factors (all "no" unless given)."""
    services.record_meeting(
        incident,
        user,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        attendees=[user],
        other_attendees="",
        considerations={},
    )
    services.record_facts(
        incident,
        user,
        "",
        **{
            "incident_type": "self",
            "sexual_acts": Answer.NO,
            "typology": "experimental_romantic",
            "risk_level": "low",
        }
        | facts,
    )
    services.record_criteria(
        incident,
        user,
        criteria=criteria or {c: (Answer.NO, "") for c in Criterion.values},
    )
    services.record_aggravating_factors(
        incident, user, factors=NO_AGGRAVATING_FACTORS if factors is None else factors
    )
    incident.refresh_from_db()
    return incident
