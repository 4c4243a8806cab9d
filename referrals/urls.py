from django.urls import path

from . import views

urlpatterns = [
    path("incidents/<int:pk>/referrals/add/", views.referral_add, name="referral_add"),
    path(
        "incidents/<int:pk>/referrals/<int:referral_pk>/",
        views.referral_update,
        name="referral_update",
    ),
    path("incidents/<int:pk>/follow-ups/add/", views.follow_up_add, name="follow_up_add"),
    path("incidents/<int:pk>/devices/add/", views.device_add, name="device_add"),
    path(
        "incidents/<int:pk>/devices/<int:device_pk>/custody/",
        views.custody_add,
        name="custody_add",
    ),
    path(
        "incidents/<int:pk>/referrals/<int:referral_pk>/outcomes/add/",
        views.outcome_add,
        name="referral_outcome_add",
    ),
    path(
        "incidents/<int:pk>/referrals/<int:referral_pk>/acknowledged/",
        views.acknowledgement_add,
        name="referral_acknowledgement",
    ),
    path(
        "incidents/<int:pk>/referrals/<int:referral_pk>/escalations/add/",
        views.escalation_add,
        name="escalation_add",
    ),
    path(
        "incidents/<int:pk>/escalations/<int:escalation_pk>/outcome/",
        views.escalation_outcome,
        name="escalation_outcome",
    ),
    path("incidents/<int:pk>/advice-calls/add/", views.advice_call_add, name="advice_call_add"),
    path("incidents/<int:pk>/help/<slug:route>/", views.help_action_add, name="help_action_add"),
    path(
        "incidents/<int:pk>/sextortion-advice/add/",
        views.sextortion_advice_add,
        name="sextortion_advice_add",
    ),
]
