"""People and roles at a school (issue 11, item 7): invite, give and remove roles, deactivate.

The headteacher and the school administrator do this here; the trust's lead reads it. No one
types a password for someone else: an invitation is a link to choose one. Every change keeps
who and why in the history; the school's DSLs and headteacher hear of it at once, whichever
door it came through (accounts/signals.py: the admin too), so no one quietly gives themselves
access.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from ypsi.recording import save

from .models import Membership, Role, School, User
from .permissions import has_school_perm, school_ids


def require_people_manager(user, school: School) -> None:
    if not has_school_perm(user, "manage_policy", school):
        raise PermissionDenied("Only the headteacher or the school administrator changes roles.")


def require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError("Say why: it is kept in the record of who may see what.")
    return reason.strip()


def people_of(school: School) -> list[dict]:
    """Everyone with a role at the school, their roles, whether they have a second factor."""
    members = (
        User.objects.filter(memberships__school=school)
        .distinct()
        .prefetch_related("memberships")
        .order_by("last_name", "first_name", "username")
    )
    return [
        {
            "user": user,
            "memberships": [m for m in user.memberships.all() if m.school_id == school.pk],
            "second_factor": is_mfa_enabled(user),
        }
        for user in members
    ]


@transaction.atomic
def invite(by, school: School, *, first_name, last_name, email, username, role, reason) -> User:
    """A new account with no password: the email's link lets its owner choose one."""
    require_people_manager(by, school)
    reason = require_reason(reason)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken: choose another.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            "Someone already has an account with that email: give them a role instead."
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    give_role(by, school, user, role, reason)
    transaction.on_commit(lambda: send_invitation(user, school, role))
    return user


def send_invitation(user: User, school: School, role: str) -> None:
    """Names the school and the role, nothing of any case; the link expires (PASSWORD_RESET_TIMEOUT)."""
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    send_mail(
        subject=f"Your ypsi account for {school}",
        message=(
            f"You have been given an account on ypsi, {school}'s safeguarding records, as "
            f"{Role(role).label.lower()}.\n\nYour username is {user.username}. Choose your "
            f"password here (the link works once, for a few days):\n{settings.SITE_URL}{path}\n\n"
            "If you did not expect this, tell your headteacher."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def give_role(by, school: School, user: User, role: str, reason: str) -> Membership:
    require_people_manager(by, school)
    reason = require_reason(reason)
    if role not in Role.values:
        raise ValidationError("Choose a role.")
    if Membership.objects.filter(user=user, school=school, role=role).exists():
        raise ValidationError(f"{user} is already {Role(role).label.lower()} here.")
    membership = Membership(user=user, school=school, role=role)
    save(membership, by, f"Role given: {reason}")
    return membership


@transaction.atomic
def remove_role(by, membership: Membership, reason: str) -> None:
    """The role goes; the history keeps that it was held, and who removed it, and why."""
    require_people_manager(by, membership.school)
    reason = require_reason(reason)
    if membership.user_id == by.pk and membership.role in (Role.HEADTEACHER, Role.ADMINISTRATOR):
        raise ValidationError("You cannot remove your own role: ask a colleague who can.")
    membership._history_user = by
    membership._change_reason = f"Role removed: {reason}"
    membership.delete()


@transaction.atomic
def deactivate(by, school: School, user: User, reason: str) -> None:
    """A leaver's account is stopped, never deleted (R27: who did what is kept)."""
    require_people_manager(by, school)
    reason = require_reason(reason)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    managed = school_ids(by, "manage_policy")
    elsewhere = user.memberships.exclude(school_id__in=managed).select_related("school")
    if elsewhere.exists():
        names = ", ".join(sorted({str(m.school) for m in elsewhere}))
        raise ValidationError(
            f"{user} also works at {names}: remove their roles here, and ask that school."
        )
    for membership in user.memberships.filter(school=school):
        membership._history_user = by
        membership._change_reason = f"Left: {reason}"
        membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
