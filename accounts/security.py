"""Sign-in rules a data protection officer asks for, around django-allauth (issue 11).

allauth does the sign-in, second factors (TOTP, recovery codes, security keys) and
reauthentication; django-axes the lockout. What is ours: who must have a second factor, the
idle timeout, the headers every page carries, and which acts ask for the password again.
"""

import time
from functools import wraps

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse

from ypsi.unavailable import keeps_typing_when_down

from .models import Membership, Role, SecurityEvent, TrustLead, User

# Roles that read case records or pupils' personal data: a password alone is not enough.
SECOND_FACTOR_ROLES = frozenset(
    {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SIGNATORY, Role.ADMINISTRATOR}
)
# Where a user without a second factor may still go: to set one up, or to leave.
ENROLMENT_PATHS = ("/accounts/", "/login/", "/logout/", "/static/", "/health/")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts are given by the school, never taken: no one signs themselves up."""
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A school's identity provider signs in its own people, and no one else."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        """The provider vouches only for the domains it is set up for: a trust's Google cannot
        sign someone in as a member of another school's Microsoft tenant."""
        domains = {
            d.lower() for d in sociallogin.account.get_provider().app.settings.get("domains", [])
        }
        emails = [e.email.lower() for e in sociallogin.email_addresses if e.verified]
        if not any(email.rsplit("@", 1)[-1] in domains for email in emails):
            raise ImmediateHttpResponse(
                render(
                    request,
                    "account/sso_refused.html",
                    {
                        "reason": "That account's email address is not one this school's sign-in answers for."
                    },
                    status=403,
                )
            )


def provider_for(email: str):
    """The school's or trust's sign-in (an allauth social application) for an email domain."""
    domain = email.rsplit("@", 1)[-1].lower()
    for app in SocialApp.objects.filter(provider="openid_connect"):
        if domain in {d.lower() for d in app.settings.get("domains", [])}:
            return app
    return None


def signing_in_as(request, credentials) -> str | None:
    """The account a sign-in is for, as django-axes counts it: allauth passes `username` to
    the backends, and its form posts `login`."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("login") or None


def needs_second_factor(user) -> bool:
    """Asked on every page of everyone without a second factor, most of them staff who only
    report: a trust lead or a role that reads records found in one query, not two (issue 14)."""
    if user.is_staff or user.is_superuser:
        return True
    role = Membership.objects.filter(user=OuterRef("pk"), role__in=SECOND_FACTOR_ROLES)
    lead = TrustLead.objects.filter(user=OuterRef("pk"))
    return User.objects.filter(Exists(lead) | Exists(role), pk=user.pk).exists()


class RequireSecondFactorMiddleware:
    """With MFA_REQUIRED (on whenever DEBUG is off), a user whose role needs a second factor
    and has none is taken to set one up before any page with case data."""

    def __init__(self, get_response):
        self.get_response = get_response

    @keeps_typing_when_down
    def __call__(self, request):
        user = request.user
        if (
            settings.MFA_REQUIRED
            and user.is_authenticated
            and not request.path.startswith(ENROLMENT_PATHS)
            # Whether they have one first: one query on each page for everyone set up, where
            # asking first whether their role needs one cost three (issue 14).
            and not is_mfa_enabled(user)
            and needs_second_factor(user)
        ):
            messages.info(
                request,
                "Your role reads safeguarding records, so ypsi asks for a second factor as well "
                "as your password. Set one up now: it takes a minute, with an authenticator app.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class IdleSessionMiddleware:
    """A session ends after SESSION_IDLE_MINUTES without a request (the absolute limit is
    SESSION_COOKIE_AGE). Pages say when, so typing in progress can be saved in time."""

    KEY = "ypsi_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    @keeps_typing_when_down
    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY, now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without "
                    "activity. Sign in again to carry on.",
                )
                return redirect(f"{reverse('login')}?next={request.get_full_path()}")
            if now - last >= 60 or self.KEY not in request.session:
                # Kept to the minute: writing the session on every request would cost a query.
                request.session[self.KEY] = now
        return self.get_response(request)


def session_settings(request) -> dict:
    """For the page's idle warning (static/js/idle.js)."""
    return {"session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60}


@receiver(user_logged_in, dispatch_uid="idle-clock-starts-at-sign-in")
def _idle_clock_starts(sender, request, user, **kwargs):
    """A sign-in starts the idle clock afresh, whatever the session held before."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionMiddleware.KEY] = time.time()


class SecurityHeadersMiddleware:
    """Headers for every answer: no browser feature a case page does not need, and no copy of a
    signed-in page kept in any cache (a shared school computer)."""

    PERMISSIONS_POLICY = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "display-capture=(), publickey-credentials-get=(self), publickey-credentials-create=(self)"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    @keeps_typing_when_down
    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class RefusedAccessMiddleware:
    """A signed-in user refused a case's address (404: not theirs; 403: not allowed) is in the
    security log with the address they came from: looking for another school's case is
    something a headteacher should be able to see."""

    CASE_PATHS = ("/incidents/", "/schools/", "/exports/", "/reports/", "/floods/")

    def __init__(self, get_response):
        self.get_response = get_response

    @keeps_typing_when_down
    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in (403, 404)
            and request.user.is_authenticated
            and request.path.startswith(self.CASE_PATHS)
        ):
            from .security_log import record

            record(
                SecurityEvent.Kind.REFUSED,
                request=request,
                user=request.user,
                detail=f"{response.status_code} {request.method} {request.path}",
            )
        return response


def weighty(view=None, *, on_get: bool = False, when=None):
    """Signing off, exporting and changing roles ask for the password or second factor again
    when the last check (the sign-in, or a check since) is older than
    ACCOUNT_REAUTHENTICATION_TIMEOUT; on unless DEBUG.

    A page's form is weighty when sent (POST); an export is weighty when fetched (`on_get`),
    or only for the requests `when(request)` picks out (the inspection page's PDF). allauth's
    middleware turns the refusal into its reauthentication page, which comes back here.
    """

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            asked = (on_get or request.method != "GET") if when is None else when(request)
            if settings.REAUTHENTICATE_WEIGHTY_ACTS and asked and not checked_recently(request):
                raise ReauthenticationRequired()
            return view(request, *args, **kwargs)

        return guarded

    return decorate(view) if view else decorate


def checked_recently(request) -> bool:
    records = get_authentication_records(request, request.user)
    last = max((r["at"] for r in records), default=0)
    return time.time() - last < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
