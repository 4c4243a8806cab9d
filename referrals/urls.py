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
]
