from django.contrib import admin
from django.urls import include, path

from .health import health

urlpatterns = [
    path("", include("incidents.urls")),
    path("", include("accounts.urls")),
    path("", include("referrals.urls")),
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
