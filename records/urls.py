from django.urls import path

from . import retention_views, sar_views, sharing_views, transfer_views, views

urlpatterns = [
    path("retention/", retention_views.retention_list, name="retention_list"),
    path(
        "incidents/<int:pk>/retention/",
        retention_views.incident_retention,
        name="incident_retention",
    ),
    path(
        "incidents/<int:pk>/retention/reviews/<int:review_pk>/",
        retention_views.retention_review,
        name="retention_review",
    ),
    path(
        "incidents/<int:pk>/retention/disposals/<int:disposal_pk>/",
        retention_views.disposal_decide,
        name="disposal_decide",
    ),
    path(
        "incidents/<int:pk>/retention/holds/add/",
        retention_views.retention_hold_add,
        name="retention_hold_add",
    ),
    path(
        "incidents/<int:pk>/retention/holds/<int:hold_pk>/lift/",
        retention_views.retention_hold_lift,
        name="retention_hold_lift",
    ),
    path(
        "incidents/<int:pk>/retention/advice/add/",
        retention_views.retention_advice_add,
        name="retention_advice_add",
    ),
    path("incidents/<int:pk>/sharing/add/", sharing_views.sharing_add, name="sharing_add"),
    path("schools/<int:school_pk>/subject-access/", sar_views.sar_list, name="sar_list"),
    path("schools/<int:school_pk>/subject-access/add/", sar_views.sar_add, name="sar_add"),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/",
        sar_views.sar_detail,
        name="sar_detail",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/extend/",
        sar_views.sar_extend,
        name="sar_extend",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/parts/<slug:key>/",
        sar_views.sar_part,
        name="sar_part",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/submit/",
        sar_views.sar_submit,
        name="sar_submit",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/approve/",
        sar_views.sar_approve,
        name="sar_approve",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/release/",
        sar_views.sar_release,
        name="sar_release",
    ),
    path(
        "schools/<int:school_pk>/subject-access/<int:pk>/response.pdf",
        sar_views.sar_pdf,
        name="sar_pdf",
    ),
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
    path(
        "schools/<int:school_pk>/pupils/<int:pk>/transfers/<int:transfer_pk>/send/",
        transfer_views.transfer_send,
        name="transfer_send",
    ),
    path(
        "schools/<int:school_pk>/incoming-files/",
        transfer_views.incoming_files,
        name="incoming_files",
    ),
    path(
        "schools/<int:school_pk>/incoming-files/<int:transfer_pk>/accept/",
        transfer_views.transfer_accept,
        name="transfer_accept",
    ),
    path(
        "schools/<int:school_pk>/received-files/<int:pk>/told/",
        transfer_views.received_told,
        name="received_told",
    ),
    path("schools/<int:pk>/import-file/", views.import_file, name="import_file"),
    path("schools/<int:pk>/viewing-delegations/add/", views.delegation_add, name="delegation_add"),
]
