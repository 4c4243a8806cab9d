"""The security log: written from the signals of Django, django-axes and django-allauth, so
every door that signs someone in (the site, the admin, a reauthentication) is recorded alike."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver
from simple_history.models import HistoricalRecords

from .models import Membership, School, SecurityEvent, SecurityLogEntry, User

Kind = SecurityEvent.Kind


def record(
    kind: str, *, request=None, user=None, username: str = "", detail: str = "", schools=()
) -> None:
    """The event, in the log of each school the user holds a role at or leads the trust of, and
    of `schools` (a role just removed: its school is no longer among the user's). In one
    transaction: a refusal is recorded after the view's has ended, and an event written without
    its entries would be in no school's log."""
    if user is None and username:
        user = User.objects.filter(username=username).first()
    with transaction.atomic():
        event = SecurityEvent.objects.create(
            user=user,
            username=username or (user.username if user else ""),
            kind=kind,
            address=request.META.get("REMOTE_ADDR") if request is not None else None,
            detail=detail[:300],
        )
        if user is None:
            return  # a name no account has: no school's
        ids = set(schools)
        ids |= set(Membership.objects.filter(user=user).values_list("school_id", flat=True))
        ids |= set(School.objects.filter(trust__leads__user=user).values_list("pk", flat=True))
        SecurityLogEntry.objects.bulk_create(
            SecurityLogEntry(school_id=pk, event=event, at=event.at) for pk in sorted(ids)
        )


def for_school(school):
    """What the school's headteacher and its trust's lead read: the events of its people."""
    return SecurityLogEntry.objects.filter(school=school).select_related("event__user")


@receiver(user_login_failed, dispatch_uid="security-log-failed")
def _failed(sender, credentials, request=None, **kwargs):
    record(Kind.SIGN_IN_FAILED, request=request, username=credentials.get("username", ""))


@receiver(user_locked_out, dispatch_uid="security-log-locked")
def _locked(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=username or "")


@receiver(user_logged_in, dispatch_uid="security-log-signed-in")
def _signed_in(sender, request, user, **kwargs):
    record(Kind.SIGNED_IN, request=request, user=user)


@receiver(mfa_signals.authentication_failed, dispatch_uid="security-log-mfa-failed")
def _mfa_failed(sender, request, user, **kwargs):
    record(Kind.MFA_FAILED, request=request, user=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="security-log-factor-added")
def _factor_added(sender, request, user, authenticator, **kwargs):
    record(Kind.FACTOR_ADDED, request=request, user=user, detail=authenticator.get_type_display())


@receiver(mfa_signals.authenticator_removed, dispatch_uid="security-log-factor-removed")
def _factor_removed(sender, request, user, authenticator, **kwargs):
    detail = authenticator.get_type_display()
    record(Kind.FACTOR_REMOVED, request=request, user=user, detail=detail)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="security-log-factor-reset")
def _factor_reset(sender, request, user, authenticator, **kwargs):
    record(Kind.FACTOR_RESET, request=request, user=user, detail=authenticator.get_type_display())


@receiver(account_signals.password_changed, dispatch_uid="security-log-password-changed")
@receiver(account_signals.password_set, dispatch_uid="security-log-password-set")
def _password_changed(sender, request, user, **kwargs):
    record(Kind.PASSWORD_CHANGED, request=request, user=user)


@receiver(account_signals.password_reset, dispatch_uid="security-log-password-reset")
def _password_reset(sender, request, user, **kwargs):
    record(Kind.PASSWORD_RESET, request=request, user=user)


# A role given or removed, by any door (the people page, the admin, a shell): in the security
# log, and `role_changed` sent so the school's DSLs and headteacher are told (incidents listens).
role_changed = Signal()


def _changed_by(instance):
    by = getattr(instance, "_history_user", None)
    if by is None:
        request = getattr(HistoricalRecords.context, "request", None)
        by = getattr(request, "user", None)
    return by if by is not None and by.is_authenticated else None


@receiver(post_save, sender=Membership, dispatch_uid="security-log-role-given")
def _role_given(sender, instance, created, **kwargs):
    if created:
        _role_event(instance, SecurityEvent.Kind.ROLE_GIVEN, given=True)


@receiver(post_delete, sender=Membership, dispatch_uid="security-log-role-removed")
def _role_removed(sender, instance, **kwargs):
    _role_event(instance, SecurityEvent.Kind.ROLE_REMOVED, given=False)


def _role_event(membership, kind, *, given: bool) -> None:
    by = _changed_by(membership)
    reason = getattr(membership, "_change_reason", "") or ""
    record(
        kind,
        user=membership.user,
        detail=f"{membership.get_role_display()} at {membership.school}, by {by or 'the system'}"
        + (f": {reason}" if reason else ""),
        schools=[membership.school_id],
    )
    role_changed.send(sender=Membership, membership=membership, given=given, by=by)
