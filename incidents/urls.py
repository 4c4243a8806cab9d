from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report_concern, name="report_concern"),
    path("reports/", views.my_reports, name="my_reports"),
    path("reports/<str:reference>/", views.report_receipt, name="report_receipt"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
]
