from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("schools/<int:pk>/pupils/", views.pupil_list, name="pupil_list"),
    path("schools/<int:pk>/pupils/add/", views.pupil_add, name="pupil_add"),
    path("schools/<int:pk>/pupils/import/", views.pupil_import, name="pupil_import"),
    path("schools/<int:pk>/policy/", views.school_policy, name="school_policy"),
]
