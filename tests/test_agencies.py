"""R14, R15, R16: referrals and their follow-ups, devices and their custody, evidence preserved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services as incidents
from incidents.hub import refuse_if_evidence_preserved
from incidents.models import Stage
from referrals import services
from referrals.models import Agency, CustodyKind, Referral

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db


def ago(**kw):
    return timezone.now() - datetime.timedelta(**kw)


@pytest.fixture
def referred(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, age=15)
    incidents.decide_refer(
        incident,
        world.dsl,
        agency=Agency.POLICE_101,
        made_at=ago(hours=2),
        reason="Adult involved",
        to_whom="101 call handler",
        how="phone",
    )
    return incident


def test_a_police_referral_without_a_crime_reference_is_shown_as_missing(world, referred):
    referral = referred.referrals.get()
    assert referral.missing_reference
    services.update_referral(
        referral,
        world.dsl,
        "Call back from 101",
        reference="CR/1234/26",
        response="Officer will attend",
    )
    referral.refresh_from_db()
    assert not referral.missing_reference
    assert referral.history.first().history_change_reason == "Call back from 101"


def test_updating_a_referral_needs_a_reason(world, referred):
    with pytest.raises(ValidationError, match="Say why"):
        services.update_referral(referred.referrals.get(), world.dsl, "", reference="X")


def test_an_incident_can_have_several_referrals_and_follow_ups(world, referred):
    services.add_referral(
        referred,
        world.dsl,
        agency=Agency.CHILDRENS_SOCIAL_CARE,
        made_at=ago(hours=1),
        reason="Known to social care",
    )
    first = referred.referrals.first()
    services.record_follow_up(
        referred,
        world.dsl,
        kind="chaser",
        occurred_at=ago(minutes=30),
        note="No reply yet; chased",
        referral=first,
    )
    services.record_follow_up(
        referred,
        world.dsl,
        kind="meeting",
        occurred_at=ago(minutes=10),
        note="Strategy meeting",
        with_whom="Police, CSC, DSL",
    )
    assert referred.referrals.count() == 2
    assert [f.kind for f in referred.follow_ups.all()] == ["chaser", "meeting"]


def test_a_statutory_referral_beside_managing_in_school_must_be_an_escalation(world):
    incident = IncidentFactory(school=world.school)
    with pytest.raises(ValidationError, match="decision to refer"):
        services.add_referral(
            incident, world.dsl, agency=Agency.MASH, made_at=ago(hours=1), reason="x"
        )
    early = services.add_referral(
        incident,
        world.dsl,
        agency=Agency.EARLY_HELP,
        made_at=ago(hours=1),
        reason="Family support",
    )
    assert early.agency == "early_help"


def test_a_follow_up_cannot_name_another_incidents_referral(world, referred):
    other = IncidentFactory(school=world.school)
    with pytest.raises(ValidationError, match="another incident"):
        services.record_follow_up(
            other,
            world.dsl,
            kind="chaser",
            occurred_at=ago(minutes=1),
            note="x",
            referral=referred.referrals.get(),
        )


def test_an_incident_reported_by_the_police_starts_with_that_referral(world):
    incident = incidents.report_concern(
        reporter=world.staff,
        school=world.school,
        disclosure_source="police",
        disclosed_at=ago(hours=3),
        received_by="Reception",
        account="PC called about a photo.",
    )
    referral = incident.referrals.get()
    assert referral.agency == Agency.POLICE and referral.made_at == incident.disclosed_at
    assert services.police_involved(incident)


def test_social_care_is_prompted_for_a_pupil_known_to_them(world):
    incident = IncidentFactory(school=world.school)
    pupil = PupilFactory(
        school=world.school, first_name="Kim", last_name="Known", known_to_social_care=True
    )
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="")
    assert services.social_care_prompts(incident) == [
        "Kim Known is known to children's social care: contact children's social care about this incident."
    ]
    incidents.decide_refer(
        incident,
        world.dsl,
        agency=Agency.CHILDRENS_SOCIAL_CARE,
        made_at=ago(minutes=5),
        reason="Known to CSC",
    )
    assert services.social_care_prompts(incident) == []


def confiscate(incident, user, at):
    return services.add_device(
        incident,
        user,
        description="Black phone",
        owner="Pupil A",
        at=at,
        from_whom="Pupil A",
        reason="Imagery reported on it",
    )


def test_a_device_handed_to_the_police_has_an_unbroken_chain(world, referred):
    device = confiscate(referred, world.dsl, ago(hours=3))
    services.record_custody(device, world.dsl, kind=CustodyKind.POWERED_OFF, at=ago(hours=3))
    services.record_custody(
        device, world.dsl, kind=CustodyKind.STORED, at=ago(hours=3), location="Head's safe"
    )
    services.record_custody(
        device,
        world.dsl,
        kind=CustodyKind.HANDED_TO_POLICE,
        at=ago(hours=1),
        officer_name="PC Example",
        officer_number="1234",
        police_reference="CR/1",
    )
    assert [e.kind for e in device.custody.all()] == [
        "confiscated",
        "powered_off",
        "stored",
        "to_police",
    ]
    with pytest.raises(ValidationError, match="custody ended"):
        services.record_custody(
            device, world.dsl, kind=CustodyKind.STORED, at=ago(minutes=1), location="x"
        )


def test_a_gap_in_the_chain_is_refused(world, referred):
    device = confiscate(referred, world.dsl, ago(hours=3))
    with pytest.raises(ValidationError, match=r"cannot have a gap.*turned off"):
        services.record_custody(
            device,
            world.dsl,
            kind=CustodyKind.HANDED_TO_POLICE,
            at=ago(hours=1),
            officer_name="PC",
            officer_number="1",
        )


def test_an_event_out_of_order_is_refused(world, referred):
    device = confiscate(referred, world.dsl, ago(hours=3))
    with pytest.raises(ValidationError, match="earlier than the last one"):
        services.record_custody(device, world.dsl, kind=CustodyKind.POWERED_OFF, at=ago(hours=4))


def test_a_handover_needs_the_officers_name_and_number(world, referred):
    device = confiscate(referred, world.dsl, ago(hours=3))
    services.record_custody(device, world.dsl, kind=CustodyKind.POWERED_OFF, at=ago(hours=3))
    services.record_custody(
        device, world.dsl, kind=CustodyKind.STORED, at=ago(hours=3), location="Safe"
    )
    with pytest.raises(ValidationError, match="the officer's name, and the officer's number"):
        services.record_custody(
            device, world.dsl, kind=CustodyKind.HANDED_TO_POLICE, at=ago(hours=1)
        )


def test_a_device_goes_back_to_a_parent_only_with_consent_and_never_while_the_police_are_involved(
    world, referred
):
    managed = IncidentFactory(school=world.school)
    device = confiscate(managed, world.dsl, ago(hours=3))
    services.record_custody(device, world.dsl, kind=CustodyKind.POWERED_OFF, at=ago(hours=3))
    services.record_custody(
        device, world.dsl, kind=CustodyKind.STORED, at=ago(hours=3), location="Safe"
    )
    with pytest.raises(ValidationError, match="how the parent or carer gave consent"):
        services.record_custody(
            device,
            world.dsl,
            kind=CustodyKind.RETURNED_TO_PARENT,
            at=ago(hours=1),
            returned_to="Mother",
        )
    services.record_custody(
        device,
        world.dsl,
        kind=CustodyKind.RETURNED_TO_PARENT,
        at=ago(hours=1),
        returned_to="Mother",
        consent="phone",
    )

    police = confiscate(referred, world.dsl, ago(hours=3))
    services.record_custody(police, world.dsl, kind=CustodyKind.POWERED_OFF, at=ago(hours=3))
    services.record_custody(
        police, world.dsl, kind=CustodyKind.STORED, at=ago(hours=3), location="Safe"
    )
    with pytest.raises(ValidationError, match="keep the device locked away"):
        services.record_custody(
            police,
            world.dsl,
            kind=CustodyKind.RETURNED_TO_PARENT,
            at=ago(hours=1),
            returned_to="Mother",
            consent="phone",
        )


def test_with_the_police_involved_searching_and_deleting_are_refused(world, referred):
    for action in ("search a device", "delete imagery"):
        with pytest.raises(ValidationError, match=f"does not {action}: evidence is preserved"):
            refuse_if_evidence_preserved(referred, action)
    refuse_if_evidence_preserved(IncidentFactory(school=world.school), "delete imagery")


@pytest.mark.parametrize("who", ["headteacher", "staff", "trust_lead", "other_dsl"])
def test_only_the_schools_dsls_record_agency_work(world, referred, who):
    with pytest.raises(PermissionDenied):
        services.record_follow_up(
            referred, getattr(world, who), kind="chaser", occurred_at=ago(minutes=1), note="x"
        )


def test_an_escalated_incident_stage_is_referred(world, referred):
    assert referred.stage == Stage.REFERRED
    assert Referral.objects.filter(incident=referred).count() == 1
