from django.urls import path

from .views import cases, intake, managing, notifications, review, search

urlpatterns = [
    path("", cases.dashboard, name="dashboard"),
    path("report/", intake.report_concern, name="report_concern"),
    path("floods/<int:pk>/suspend/", cases.flood_suspend, name="flood_suspend"),
    path("reports/", intake.my_reports, name="my_reports"),
    path("reports/<str:reference>/", intake.report_receipt, name="report_receipt"),
    path("incidents/", cases.incident_list, name="incident_list"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("search/", search.search, name="search"),
    path("incidents/<int:pk>/", cases.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/review/", review.incident_review, name="incident_review"),
    path("incidents/<int:pk>/review/<slug:part>/", review.review_part, name="review_part"),
    path("incidents/<int:pk>/people/add/", review.person_edit, name="person_add"),
    path("incidents/<int:pk>/people/<int:person_pk>/", review.person_edit, name="person_edit"),
    path("incidents/<int:pk>/decide/", review.incident_decide, name="incident_decide"),
    path("incidents/<int:pk>/sign-off/", review.incident_sign_off, name="incident_sign_off"),
    path("incidents/<int:pk>/risk-assessment/", managing.risk_assessment, name="risk_assessment"),
    path(
        "incidents/<int:pk>/conversations/add/", managing.conversation_add, name="conversation_add"
    ),
    path(
        "incidents/<int:pk>/parents/add/", managing.parent_contact_add, name="parent_contact_add"
    ),
    path("incidents/<int:pk>/actions/add/", managing.action_add, name="action_add"),
    path(
        "incidents/<int:pk>/actions/<int:action_pk>/done/",
        managing.action_complete,
        name="action_complete",
    ),
    path("incidents/<int:pk>/safety-plans/add/", managing.safety_plan_add, name="safety_plan_add"),
    path(
        "incidents/<int:pk>/safety-plans/<int:plan_pk>/review/",
        managing.safety_plan_review,
        name="safety_plan_review",
    ),
    path("incidents/<int:pk>/close/", managing.incident_close, name="incident_close"),
    path("incidents/<int:pk>/reopen/", managing.incident_reopen, name="incident_reopen"),
    path("incidents/<int:pk>/chronology/", cases.incident_chronology, name="incident_chronology"),
]
