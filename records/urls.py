from django.urls import path

from . import views

urlpatterns = [
    path("inspection/", views.inspection_report, name="inspection_report"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
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
    path("schools/<int:school_pk>/pupils/<int:pk>/file/", views.pupil_file, name="pupil_file"),
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/file.json",
        views.pupil_file_json,
        name="pupil_file_json",
    ),
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/file.pdf",
        views.pupil_file_pdf,
        name="pupil_file_pdf",
    ),
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/transfers/add/",
        views.transfer_add,
        name="transfer_add",
    ),
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/transfers/<int:transfer_pk>/sent/",
        views.transfer_sent,
        name="transfer_sent",
    ),
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/transfers/<int:transfer_pk>/receipt/",
        views.transfer_receipt,
        name="transfer_receipt",
    ),
    path("schools/<int:pk>/import-file/", views.import_file, name="import_file"),
    path("schools/<int:pk>/viewing-delegations/add/", views.delegation_add, name="delegation_add"),
]
