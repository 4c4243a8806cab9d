from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report_concern, name="report_concern"),
    path("reports/", views.my_reports, name="my_reports"),
    path("reports/<str:reference>/", views.report_receipt, name="report_receipt"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/review/", views.incident_review, name="incident_review"),
    path("incidents/<int:pk>/people/add/", views.person_edit, name="person_add"),
    path("incidents/<int:pk>/people/<int:person_pk>/", views.person_edit, name="person_edit"),
    path("incidents/<int:pk>/decide/", views.incident_decide, name="incident_decide"),
    path("incidents/<int:pk>/sign-off/", views.incident_sign_off, name="incident_sign_off"),
]
