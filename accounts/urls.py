from django.contrib.auth import views as auth_views
from django.urls import path

from . import calendar_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("schools/<int:pk>/pupils/", views.pupil_list, name="pupil_list"),
    path("schools/<int:pk>/pupils/add/", views.pupil_add, name="pupil_add"),
    path("schools/<int:pk>/pupils/import/", views.pupil_import, name="pupil_import"),
    path("schools/<int:pk>/policy/", views.school_policy, name="school_policy"),
    path("schools/<int:pk>/calendar/", calendar_views.school_calendar, name="school_calendar"),
    path(
        "schools/<int:pk>/calendar/<str:kind>/<int:entry_pk>/remove/",
        calendar_views.calendar_remove,
        name="calendar_remove",
    ),
]
