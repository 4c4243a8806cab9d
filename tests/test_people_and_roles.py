"""Issue 11 (7): the headteacher and administrator give and remove roles, invite and deactivate;
every change keeps who and why, and the school's DSLs and headteacher are told at once, even of
a change made in the Django admin."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, SecurityEvent, User
from incidents.models import Notification

pytestmark = pytest.mark.django_db


def told(kind="role_changed"):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_the_headteacher_gives_a_role_and_the_dsls_are_told(client, world):
    client.force_login(world.headteacher)
    url = reverse("person_roles", args=[world.school.pk, world.staff.pk])
    response = client.post(url, {"action": "give", "role": "deputy_dsl", "reason": "Cover"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.staff, role="deputy_dsl")
    recorded = membership.history.first()
    assert recorded.history_user == world.headteacher
    assert recorded.history_change_reason == "Role given: Cover"
    # The DSLs, and the new deputy themselves; not the headteacher who made the change.
    assert told() == ["hil-deputy_dsl", "hil-dsl", "hil-staff"]
    event = SecurityEvent.objects.filter(kind="role_given", user=world.staff).first()
    assert event.detail == (
        f"Deputy designated safeguarding lead at {world.school}, by {world.headteacher}: "
        "Role given: Cover"
    )


def test_a_reason_is_required_and_the_typing_is_kept(client, world):
    client.force_login(world.headteacher)
    url = reverse("person_roles", args=[world.school.pk, world.staff.pk])
    response = client.post(url, {"action": "give", "role": "dsl", "reason": ""})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=world.staff, role="dsl").exists()


def test_a_role_given_in_the_django_admin_is_told_too(client, world):
    world.administrator.is_staff = world.administrator.is_superuser = True
    world.administrator.save()
    client.force_login(world.administrator)
    client.post(
        reverse("admin:accounts_membership_add"),
        {"user": world.staff.pk, "school": world.school.pk, "role": "dsl"},
    )
    assert Membership.objects.filter(user=world.staff, role="dsl").exists()
    assert "hil-headteacher" in told() and "hil-dsl" in told()


def test_removing_a_role_keeps_that_it_was_held(client, world):
    client.force_login(world.administrator)
    url = reverse("person_roles", args=[world.school.pk, world.deputy_dsl.pk])
    client.post(url, {"action": "remove", "role": "deputy_dsl", "reason": "Stepped down"})
    assert not Membership.objects.filter(user=world.deputy_dsl, role="deputy_dsl").exists()
    gone = Membership.history.filter(user_id=world.deputy_dsl.pk, history_type="-").get()
    assert gone.history_change_reason == "Role removed: Stepped down"
    assert gone.history_user == world.administrator


def test_an_invitation_emails_a_link_to_choose_a_password(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people_invite", args=[world.school.pk]),
            {
                "first_name": "Nia",
                "last_name": "Newstarter",
                "email": "nia@example.invalid",
                "username": "hil-nia",
                "role": "staff",
                "reason": "New teaching assistant",
            },
        )
    assert response.status_code == 302
    nia = User.objects.get(username="hil-nia")
    assert not nia.has_usable_password()
    invitation = next(m for m in mail.outbox if m.to == ["nia@example.invalid"])
    assert "Nia" not in invitation.subject and "hil-nia" in invitation.body
    link = re.search(r"/accounts/password/reset/key/\S+", invitation.body).group(0)
    nias = Client()
    page = nias.get(link, follow=True)
    assert page.status_code == 200
    chosen = "nia-chooses-her-own-2026"
    nias.post(page.redirect_chain[-1][0], {"password1": chosen, "password2": chosen})
    nia.refresh_from_db()
    assert nia.check_password(chosen)


def test_a_leaver_is_deactivated_never_deleted(client, world):
    client.force_login(world.headteacher)
    url = reverse("person_roles", args=[world.school.pk, world.staff.pk])
    client.post(url, {"action": "deactivate", "reason": "Left in July"})
    world.staff.refresh_from_db()
    assert not world.staff.is_active
    assert User.objects.filter(pk=world.staff.pk).exists()


def test_the_page_shows_who_has_a_second_factor_and_the_trust_lead_only_reads(client, world):
    client.force_login(world.trust_lead)
    page = client.get(reverse("people", args=[world.school.pk])).text
    assert str(world.dsl) in page and "Second factor" in page
    assert "Invite someone" not in page
    assert client.get(reverse("people_invite", args=[world.school.pk])).status_code == 404


# The refusals: each says why, and changes nothing.


def roles_post(client, world, person, **data):
    url = reverse("person_roles", args=[world.school.pk, person.pk])
    return client.post(url, data)


def test_a_role_the_person_does_not_hold_here_is_not_removed(client, world):
    client.force_login(world.headteacher)
    response = roles_post(
        client, world, world.staff, action="remove", role="dsl", reason="Tidying up"
    )
    assert response.status_code == 400
    assert f"{world.staff} does not hold that role here." in response.text
    assert Membership.objects.filter(user=world.staff, school=world.school).exists()


def test_a_role_already_held_is_not_given_twice(client, world):
    client.force_login(world.headteacher)
    response = roles_post(client, world, world.dsl, action="give", role="dsl", reason="Again")
    assert response.status_code == 400
    assert "is already designated safeguarding lead here" in response.text.lower()
    assert Membership.objects.filter(user=world.dsl, role="dsl").count() == 1


def test_the_headteacher_cannot_remove_their_own_role(client, world):
    client.force_login(world.headteacher)
    response = roles_post(
        client, world, world.headteacher, action="remove", role="headteacher", reason="Leaving"
    )
    assert response.status_code == 400
    assert "You cannot remove your own role: ask a colleague who can." in response.text
    assert Membership.objects.filter(user=world.headteacher, role="headteacher").exists()


def test_no_one_deactivates_their_own_account(client, world):
    client.force_login(world.administrator)
    response = roles_post(client, world, world.administrator, action="deactivate", reason="Bye")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.text
    world.administrator.refresh_from_db()
    assert world.administrator.is_active


def test_someone_who_also_works_at_another_school_is_not_deactivated_from_this_one(client, world):
    """Their account is the other school's too: only their roles here may go."""
    Membership.objects.create(user=world.staff, school=world.other_school, role="staff")
    client.force_login(world.headteacher)
    response = roles_post(client, world, world.staff, action="deactivate", reason="Left")
    assert response.status_code == 400
    assert f"also works at {world.other_school}" in response.text
    world.staff.refresh_from_db()
    assert world.staff.is_active
    assert Membership.objects.filter(user=world.staff, school=world.school).exists()


@pytest.mark.parametrize("who", ["dsl", "deputy_dsl", "staff", "other_headteacher", "trust_lead"])
def test_only_the_schools_headteacher_or_administrator_changes_its_roles(client, world, who):
    client.force_login(getattr(world, who))
    response = roles_post(client, world, world.staff, action="give", role="dsl", reason="Why")
    assert response.status_code in (403, 404)
    assert not Membership.objects.filter(user=world.staff, role="dsl").exists()
