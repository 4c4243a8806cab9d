from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path

from .health import health

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("accounts.urls")),
    path("", include("referrals.urls")),
    path("", include("records.urls")),
    path("health/", health, name="health"),
]


def admin_login(request, extra_context=None):
    """The admin signs in through the site's own page, so its lockout and security log apply.

    A signed-in user who is not staff is refused here, not sent back to a sign-in they have
    already done (which would loop).
    """
    if request.user.is_authenticated:
        raise PermissionDenied("Only the site's IT administrators use the admin.")
    return redirect_to_login(request.GET.get("next") or request.get_full_path())


# The admin is an IT person's tool and a second door: off in production unless asked for.
if settings.ADMIN_ENABLED:
    admin.site.login = admin_login
    urlpatterns.append(path("admin/", admin.site.urls))
