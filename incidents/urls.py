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
    path("incidents/<int:pk>/risk-assessment/", views.risk_assessment, name="risk_assessment"),
    path("incidents/<int:pk>/conversations/add/", views.conversation_add, name="conversation_add"),
    path("incidents/<int:pk>/parents/add/", views.parent_contact_add, name="parent_contact_add"),
    path("incidents/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path(
        "incidents/<int:pk>/actions/<int:action_pk>/done/",
        views.action_complete,
        name="action_complete",
    ),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
    path("incidents/<int:pk>/reopen/", views.incident_reopen, name="incident_reopen"),
    path("incidents/<int:pk>/chronology/", views.incident_chronology, name="incident_chronology"),
]
