from django.urls import path

from . import views

urlpatterns = [
    path("inspection/", views.inspection_report, name="inspection_report"),
    path("incidents/<int:pk>/viewing/add/", views.viewing_add, name="viewing_add"),
    path(
        "incidents/<int:pk>/viewing/<int:record_pk>/confirm/",
        views.viewing_confirm,
        name="viewing_confirm",
    ),
    path("incidents/<int:pk>/deletions/add/", views.deletion_add, name="deletion_add"),
    path(
        "incidents/<int:pk>/deletions/<int:deletion_pk>/confirm/",
        views.deletion_confirm,
        name="deletion_confirm",
    ),
    path(
        "incidents/<int:pk>/deletions/<int:deletion_pk>/refused/",
        views.deletion_refused,
        name="deletion_refused",
    ),
    path("incidents/<int:pk>/searches/add/", views.search_add, name="search_add"),
    path("incidents/<int:pk>/history/", views.incident_history, name="incident_history"),
    path("incidents/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("incidents/<int:pk>/record.pdf", views.incident_pdf, name="incident_pdf"),
    path("schools/<int:pk>/viewing-delegations/add/", views.delegation_add, name="delegation_add"),
]
