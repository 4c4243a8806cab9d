from allauth.account import views as allauth_views
from django.urls import path

from . import calendar_views, people_views, security_views, views

urlpatterns = [
    # The one sign-in page (django-allauth's), at the address everyone knows.
    path("login/", allauth_views.LoginView.as_view(), name="login"),
    path("logout/", allauth_views.LogoutView.as_view(), name="logout"),
    path("login/school-account/", security_views.school_sign_in, name="school_sign_in"),
    path("schools/<int:pk>/pupils/", views.pupil_list, name="pupil_list"),
    path("schools/<int:pk>/pupils/matches/", views.pupil_matches, name="pupil_matches"),
    path("schools/<int:pk>/pupils/add/", views.pupil_add, name="pupil_add"),
    path("schools/<int:pk>/pupils/import/", views.pupil_import, name="pupil_import"),
    path("schools/<int:pk>/policy/", views.school_policy, name="school_policy"),
    path("schools/<int:pk>/security-log/", security_views.security_log, name="security_log"),
    path("schools/<int:pk>/people/", people_views.people_list, name="people"),
    path("schools/<int:pk>/people/invite/", people_views.people_invite, name="people_invite"),
    path(
        "schools/<int:pk>/people/<int:user_pk>/roles/",
        people_views.person_roles,
        name="person_roles",
    ),
    path("schools/<int:pk>/calendar/", calendar_views.school_calendar, name="school_calendar"),
    path(
        "schools/<int:pk>/calendar/<str:kind>/<int:entry_pk>/remove/",
        calendar_views.calendar_remove,
        name="calendar_remove",
    ),
]
