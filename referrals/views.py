from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from incidents.casefile import incident_for
from ypsi.views import record_page

from . import services
from .forms import CustodyForm, DeviceForm, FollowUpForm, ReferralForm, ReferralUpdateForm
from .models import Device, Referral


@login_required
def referral_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=ReferralForm(request.POST or None),
        save=lambda d: services.add_referral(incident, request.user, **d),
        title="Record a further referral",
        button="Record the referral",
        success="Referral recorded.",
        intro="An incident can have several referrals. The first referral to the police or children's social care is the decision to refer.",
    )


@login_required
def referral_update(request, pk, referral_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    referral = get_object_or_404(Referral, pk=referral_pk, incident=incident)
    initial = {f: getattr(referral, f) for f in ("to_whom", "how", "reference", "response")}
    form = ReferralUpdateForm(request.POST or None, initial=initial)

    def save(d):
        reason = d.pop("reason")
        services.update_referral(referral, request.user, reason, **d)

    return record_page(
        request,
        incident=incident,
        form=form,
        save=save,
        title=f"Update the {referral}",
        button="Save",
        success="Referral updated.",
    )


@login_required
def follow_up_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = FollowUpForm(request.POST or None, referrals=incident.referrals.all())
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_follow_up(incident, request.user, **d),
        title="Record a follow-up or meeting",
        button="Save",
        success="Follow-up recorded.",
        intro="Chasers, updates from agencies and inter-agency meetings attended: the record of tenacity in following up.",
    )


@login_required
def device_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=DeviceForm(request.POST or None),
        save=lambda d: services.add_device(incident, request.user, **d),
        title="Record a device confiscated",
        button="Save",
        success="Device recorded.",
        intro="Turn the device off and lock it away until the police collect it. Do not look at it.",
    )


@login_required
def custody_add(request, pk, device_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    device = get_object_or_404(Device, pk=device_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=CustodyForm(request.POST or None),
        save=lambda d: services.record_custody(device, request.user, **d),
        title=f"Custody of {device.description}",
        button="Save",
        success="Custody recorded.",
        intro="Record each step in order: turned off, locked away, then handed to the police or returned to a parent or carer.",
    )
