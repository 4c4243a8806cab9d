"""The pages of a transfer inside this installation (R42): the sending DSL sends the file, the
receiving DSLs see it arrive, accept it, and record that their DSL and SENCO were told. Rules
are in records/transfers.py."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Pupil, School
from accounts.permissions import get_for_user
from ypsi.views import record_page

from . import transfers
from .forms import AcceptFileForm, SendInAppForm, ToldForm
from .models import ReceivedFile, Transfer


@login_required
def transfer_send(request, school_pk, pk, transfer_pk):
    pupil = get_for_user(
        Pupil.objects.all(), request.user, pk=pk, school_id=school_pk, needs="change_incidents"
    )
    transfer = get_object_or_404(Transfer, pk=transfer_pk, pupil=pupil)
    return record_page(
        request,
        incident=None,
        form=SendInAppForm(request.POST or None),
        save=lambda d: transfers.send_in_app(transfer, request.user),
        title=f"Send {pupil}'s file inside ypsi to {transfer.to_school}",
        button="Send the file",
        success="File sent: the new school's DSLs are asked to accept it.",
        intro="The file goes only to the new school's DSLs, inside ypsi; this school keeps a "
        "copy of exactly what was sent. Their acceptance is the receipt.",
        then=reverse("pupil_file", args=[school_pk, pk]),
    )


def _school(request, school_pk) -> School:
    """A school where the user is a DSL: only they see what is sent to it."""
    return get_for_user(
        School.objects.all(), request.user, perm="change_incidents", via="pk", pk=school_pk
    )


@login_required
def incoming_files(request, school_pk):
    school = _school(request, school_pk)
    waiting = transfers.incoming(request.user).filter(receiving_school=school)
    return render(request, "records/incoming_files.html", {"school": school, "waiting": waiting})


@login_required
def transfer_accept(request, school_pk, transfer_pk):
    school = _school(request, school_pk)
    # Not only those waiting: a second click after acceptance is taken to what it recorded.
    transfer = get_object_or_404(
        Transfer.objects.select_related("pupil__school"),
        pk=transfer_pk,
        receiving_school=school,
        sent_content__isnull=False,
    )
    received = []
    response = record_page(
        request,
        incident=None,
        form=AcceptFileForm(request.POST or None),
        save=lambda d: received.append(transfers.accept_transfer(transfer, request.user)),
        title=f"Accept {transfer.pupil}'s file from {transfer.pupil.school}",
        button="Accept the file",
        success="File accepted: the school that sent it is told it has arrived.",
        intro=f"Sent on {date_format(timezone.localtime(transfer.sent_at))}. Accepting it adds it to the young "
        "person's file here (and them to the roster, if they are not on it yet).",
        then=reverse("incoming_files", args=[school.pk]),
    )
    if received:
        return redirect("received_told", school.pk, received[0].pk)
    return response


@login_required
def received_told(request, school_pk, pk):
    received = get_for_user(
        ReceivedFile.objects.select_related("pupil"),
        request.user,
        pk=pk,
        school_id=school_pk,
        needs="change_incidents",
    )
    return record_page(
        request,
        incident=None,
        form=ToldForm(request.POST or None),
        save=lambda d: transfers.record_told(received, request.user, **d),
        title=f"The DSL and SENCO told of {received.pupil}'s file",
        button="Save",
        success="Recorded: the DSL and the SENCO know.",
        intro="Make sure the DSL and the SENCO know the young person's file has arrived, so "
        "support is in place from the first day (KCSIE Annex C).",
        then=reverse("pupil_file", args=[received.school_id, received.pupil_id]),
    )
