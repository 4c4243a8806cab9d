"""R21, R23, R33 and R16: viewing, deletion and search records, and what they refuse."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Stage
from records import services
from records.models import DeletionRequest, ViewingReason
from referrals.models import Agency

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review, member

pytestmark = pytest.mark.django_db


def ago(**kw):
    return timezone.now() - datetime.timedelta(**kw)


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Pictured", age=15, roles=["pictured"])
    return incident


def view(incident, world, **overrides):
    fields = dict(
        reason=ViewingReason.ONLY_WAY_TO_DECIDE,
        viewed_at=ago(hours=1),
        viewer=world.dsl,
        place="Headteacher's office",
        why="To decide whether to refer",
        what_followed="Referred",
        same_sex=True,
        discussed_with=world.headteacher,
        discussed_at=ago(hours=2),
        staff_present=world.deputy_dsl,
        others_present="Deputy DSL",
        young_person=incident.people.get(),
    )
    return services.record_viewing(incident, world.dsl, **(fields | overrides))


def test_a_complete_viewing_record_is_signed_by_the_viewer_and_the_person_present(world, incident):
    record = view(incident, world)
    assert record.viewer_confirmed_at is not None and not record.is_signed
    with pytest.raises(PermissionDenied):
        services.confirm_viewing(record, world.headteacher)
    services.confirm_viewing(record, world.deputy_dsl)
    assert record.is_signed
    with pytest.raises(PermissionDenied):
        services.confirm_viewing(record, world.deputy_dsl)


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"discussed_with": None}, "discussed with the headteacher"),
        ({"staff_present": None}, "Another member of staff must be present"),
        ({"place": ""}, "Record where"),
        ({"reason": "curiosity"}, "three reasons"),
    ],
)
def test_a_viewing_record_without_what_the_guidance_requires_is_refused(
    world, incident, overrides, message
):
    with pytest.raises(ValidationError, match=message):
        view(incident, world, **overrides)


def test_the_person_present_must_be_someone_else(world, incident):
    with pytest.raises(ValidationError, match="someone other than the viewer"):
        view(incident, world, staff_present=world.dsl)


def test_the_discussion_with_the_head_comes_before_viewing(world, incident):
    with pytest.raises(ValidationError, match="before the imagery is viewed"):
        view(incident, world, discussed_at=ago(minutes=10), viewed_at=ago(hours=1))


def test_only_the_dsl_or_a_delegated_team_member_may_view(world, incident):
    with pytest.raises(ValidationError, match="delegated"):
        view(incident, world, viewer=world.staff, staff_present=world.deputy_dsl)
    services.delegate_viewing(
        world.school,
        world.headteacher,
        world.staff,
        timezone.localdate() - datetime.timedelta(days=7),
    )
    assert view(incident, world, viewer=world.staff).viewer == world.staff
    with pytest.raises(PermissionDenied):
        services.delegate_viewing(world.school, world.dsl, world.administrator)


def test_a_different_sex_viewer_is_a_warning_needing_a_reason_not_a_refusal(world, incident):
    with pytest.raises(ValidationError, match="same sex"):
        view(incident, world, same_sex=False)
    record = view(
        incident, world, same_sex=False, different_sex_reason="No female DSL on site; urgent"
    )
    assert not record.same_sex


def test_unavoidable_viewing_is_recorded_by_the_member_of_staff_with_support_offered(
    world, incident
):
    fields = dict(
        reason=ViewingReason.UNAVOIDABLE,
        unavoidable_how="it_monitoring",
        viewed_at=ago(hours=1),
        viewer=world.staff,
        place="IT office",
        why="Flagged by monitoring",
        what_followed="Reported to the DSL",
        same_sex=True,
    )
    with pytest.raises(ValidationError, match="support offered"):
        services.record_viewing(incident, world.staff, **fields)
    record = services.record_viewing(
        incident, world.staff, support_offered="Talked it through; EAP details", **fields
    )
    assert record.viewer_confirmed_at is not None
    with pytest.raises(PermissionDenied):
        services.record_viewing(incident, world.other_staff, support_offered="x", **fields)


def ask(incident, world, **overrides):
    fields = dict(
        young_person=incident.people.get(),
        asked_at=ago(hours=1),
        deadline=timezone.localdate(),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    return services.request_deletion(incident, world.dsl, **(fields | overrides))


@pytest.mark.parametrize("missing", ["everywhere", "told_illegal", "told_police"])
def test_a_deletion_request_says_everything_the_young_person_must_be_told(
    world, incident, missing
):
    with pytest.raises(ValidationError, match="possession is illegal"):
        ask(incident, world, **{missing: False})


def test_a_deletion_is_confirmed_with_how_and_a_witness(world, incident):
    deletion = ask(incident, world)
    with pytest.raises(ValidationError, match="who witnessed"):
        services.confirm_deletion(
            deletion, world.dsl, confirmed_at=ago(minutes=5), how="Shown", witnessed_by=""
        )
    services.confirm_deletion(
        deletion,
        world.dsl,
        confirmed_at=ago(minutes=5),
        how="Showed each app",
        witnessed_by="Deputy DSL",
    )
    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.CONFIRMED


def test_a_refusal_sends_the_incident_back_for_a_referral_decision(world, incident):
    complete_review(incident, world.dsl)
    decision = incidents.decide_manage_in_school(incident, world.dsl, reason="Fine")
    deletion = ask(incident, world)
    services.record_refusal(deletion, world.dsl, note="Said no, it's his phone")
    incident.refresh_from_db()
    decision.refresh_from_db()
    assert incident.stage == Stage.UNDER_REVIEW
    assert (
        "refused to delete the imagery: a referral decision is needed"
        in decision.superseded_reason
    )


def test_unconfirmed_deletions_block_closing(world, incident):
    ask(incident, world)
    assert any(
        b.startswith("Deletion by Pictured is not confirmed")
        for b in incidents.closing_blockers(incident)
    )


def search(incident, world, **overrides):
    fields = dict(
        young_person=incident.people.get(),
        searched_at=ago(hours=1),
        place="Head's office",
        searched_by=world.deputy_dsl,
        authorised_by=world.headteacher,
        authorised_at=ago(hours=2),
        present="DSL and head of year",
        sought="The image, reported as on his phone: good reason",
        found="The image in the gallery",
        followed="Deleted with him present",
        deleted=True,
    )
    return services.record_search(incident, world.dsl, **(fields | overrides))


def test_a_search_is_recorded_with_the_heads_authorisation(world, incident):
    record = search(incident, world)
    assert record.authorised_by == world.headteacher and record.deleted
    with pytest.raises(ValidationError, match="authorised by the headteacher"):
        search(incident, world, authorised_by=world.dsl)
    with pytest.raises(ValidationError, match="authorised before"):
        search(incident, world, authorised_at=ago(minutes=1))


def test_with_the_police_involved_no_search_no_deletion(world, incident):
    incidents.decide_refer(
        incident, world.dsl, agency=Agency.POLICE_101, made_at=ago(hours=3), reason="Adult"
    )
    with pytest.raises(ValidationError, match="does not search a device: evidence is preserved"):
        search(incident, world, deleted=False)
    with pytest.raises(ValidationError, match="does not delete imagery"):
        search(incident, world)
    with pytest.raises(ValidationError, match="evidence is preserved"):
        ask(incident, world)


def test_a_deletion_asked_for_before_the_police_were_involved_is_not_confirmed_after(
    world, incident
):
    """R16: once the police are involved the imagery is evidence; the request is on hold."""
    deletion = ask(incident, world)
    incidents.decide_refer(
        incident, world.dsl, agency=Agency.POLICE_101, made_at=ago(hours=3), reason="Adult"
    )
    with pytest.raises(ValidationError, match="Tell the young person not to delete it"):
        services.confirm_deletion(
            deletion, world.dsl, confirmed_at=ago(minutes=5), how="Shown", witnessed_by="Deputy"
        )
    with pytest.raises(ValidationError, match="The police are involved"):
        services.record_refusal(deletion, world.dsl, note="Said no")
    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.PENDING


def test_another_schools_staff_cannot_record_for_this_school(world, incident):
    outsider = member(world.other_school, "dsl")
    with pytest.raises(PermissionDenied):
        services.request_deletion(
            incident,
            outsider,
            young_person=incident.people.get(),
            asked_at=ago(hours=1),
            deadline=timezone.localdate(),
            everywhere=True,
            told_illegal=True,
            told_police=True,
        )
