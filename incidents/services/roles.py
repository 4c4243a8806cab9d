"""A role given or removed at a school is told at once to its DSLs and headteacher (issue 11).

Whoever made the change, by whatever door (the people page, the Django admin), those who
answer for the school's records hear of it: no one quietly gives themselves access.
"""

from django.db import transaction
from django.urls import reverse

from accounts.models import Role, User

from ..models import Notification
from .notifications import enqueue_notifications


def tell_of_role_change(sender, membership, given: bool, by=None, **kwargs) -> None:
    """`by` is None only for the system itself (loading demo data, a migration): a person at a
    page or in the admin is always known, through the request."""
    if by is None:
        return
    school = membership.school
    told = User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER],
    ).distinct()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Notification.Kind.ROLE_CHANGED,
            link=reverse("people", args=[school.pk]),
        )
        for user in told
        if user.pk != by.pk
    )
    transaction.on_commit(enqueue_notifications)
