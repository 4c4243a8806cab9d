from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import health

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("accounts.urls")),
    path("", include("referrals.urls")),
    path("", include("records.urls")),
    # Second factors, password change and reset, reauthentication (django-allauth).
    path("accounts/", include("allauth.urls")),
    path("health/", health, name="health"),
]

# The admin is an IT person's tool and a second door: off in production unless asked for. It
# signs in through the site's own page, so the lockout, second factor and security log apply.
if settings.ADMIN_ENABLED:
    admin.site.login = secure_admin_login(admin.site.login)
    urlpatterns.append(path("admin/", admin.site.urls))
