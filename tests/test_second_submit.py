"""A second submit (double click, back button, two tabs) never records a thing twice."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Decision, SignOff
from records import services as records
from records.models import DeletionRequest

pytestmark = pytest.mark.django_db


def test_a_second_sign_off_is_refused_on_the_page(client, world, managed):
    decision = managed.decisions.get()
    client.force_login(world.headteacher)
    response = client.post(
        reverse("incident_sign_off", args=[managed.pk]), {"action": "sign", "comment": "Again"}
    )
    assert response.status_code == 400
    assert "This decision is already signed off." in response.text
    with pytest.raises(ValidationError, match="already signed off"):
        services.sign_off(decision, world.headteacher, comment="Again")
    assert SignOff.objects.count() == 1


def test_a_second_decision_to_manage_in_school_is_refused(world, managed):
    with pytest.raises(ValidationError, match="already in force"):
        services.decide_manage_in_school(managed, world.dsl, reason="Again")
    assert Decision.objects.count() == 1


def test_a_second_referral_decision_is_refused(world, managed):
    services.decide_refer(
        managed, world.dsl, agency="mash", made_at=timezone.now(), reason="New facts"
    )
    with pytest.raises(ValidationError, match="already referred"):
        services.decide_refer(
            managed, world.dsl, agency="mash", made_at=timezone.now(), reason="New facts"
        )
    assert managed.referrals.count() == 1


def test_a_deletion_cannot_be_confirmed_twice(world, managed):
    person = managed.people.get(name="Partner")
    deletion = records.request_deletion(
        managed,
        world.dsl,
        young_person=person,
        asked_at=timezone.now(),
        deadline=timezone.localdate(),
        everywhere=True,
        told_illegal=True,
        told_police=True,
    )
    records.confirm_deletion(
        deletion, world.dsl, confirmed_at=timezone.now(), how="Shown", witnessed_by="DSL"
    )
    with pytest.raises(ValidationError, match="no longer waiting"):
        records.confirm_deletion(
            deletion, world.dsl, confirmed_at=timezone.now(), how="Shown", witnessed_by="DSL"
        )
    assert DeletionRequest.objects.get().status == "confirmed"


def test_closing_a_closed_incident_is_refused(client, world, managed):
    contact = {
        "young_person": managed.people.get(pupil__isnull=False),
        "kind": "informed",
        "at": timezone.now(),
        "by": "DSL",
        "who": "Mother",
        "how": "phone",
    }
    services.record_parent_contact(managed, world.dsl, **contact)
    services.close_incident(managed, world.dsl, summary="Done")
    client.force_login(world.dsl)
    response = client.post(reverse("incident_close", args=[managed.pk]), {"summary": "Done again"})
    assert response.status_code == 400
    assert "This incident is closed" in response.text
