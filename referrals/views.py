from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import school_staff
from incidents.casefile import incident_for
from ypsi.views import record_page

from . import services
from .forms import (
    AcknowledgementForm,
    AdviceCallForm,
    CustodyForm,
    DeviceForm,
    EscalationForm,
    EscalationOutcomeForm,
    FollowUpForm,
    HelpActionForm,
    OutcomeForm,
    ReferralForm,
    ReferralUpdateForm,
    SextortionAdviceForm,
)
from .help import ROUTES_BY_KEY, SEXTORTION_ADVICE
from .models import Device, Escalation, Referral

LOCAL_CONTACTS = "includes/local_contacts.html"


def _contacts(incident) -> dict:
    """R13: the school's first point of contact and numbers, beside the form that needs them."""
    return {"aside": LOCAL_CONTACTS, "school": incident.school}


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
        extra=_contacts(incident),
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
        extra=_contacts(incident),
    )


@login_required
def acknowledgement_add(request, pk, referral_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    referral = get_object_or_404(Referral, pk=referral_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=AcknowledgementForm(request.POST or None),
        save=lambda d: services.record_acknowledgement(referral, request.user, **d),
        title=f"The {referral} was acknowledged",
        button="Record the acknowledgement",
        success="Acknowledgement recorded.",
        intro="Children's social care should acknowledge a referral within one working day. "
        "Until this is recorded, the DSL and deputies are reminded each day after it was due.",
        then=incident.get_absolute_url() + f"#referral-{referral.pk}",
    )


@login_required
def escalation_add(request, pk, referral_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    referral = get_object_or_404(Referral, pk=referral_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=EscalationForm(request.POST or None),
        save=lambda d: services.record_escalation(referral, request.user, **d),
        title=f"Escalate the {referral}",
        button="Record the escalation",
        success="Escalation recorded.",
        intro="When you disagree with the agency's decision, or the child's situation does not "
        "improve, use the local escalation (professional disagreement) procedure and record it.",
        then=incident.get_absolute_url() + f"#referral-{referral.pk}",
        extra=_contacts(incident),
    )


@login_required
def escalation_outcome(request, pk, escalation_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    escalation = get_object_or_404(Escalation, pk=escalation_pk, referral__incident=incident)
    return record_page(
        request,
        incident=incident,
        form=EscalationOutcomeForm(request.POST or None),
        save=lambda d: services.record_escalation_outcome(escalation, request.user, **d),
        title=f"Outcome of the escalation to {escalation.to_whom}",
        button="Record the outcome",
        success="Outcome recorded.",
        then=incident.get_absolute_url() + f"#referral-{escalation.referral_id}",
    )


@login_required
def follow_up_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    referrals = incident.referrals.all()
    # From a referral's "Record a follow-up call": that referral, and a chaser, chosen already.
    wanted = request.GET.get("referral", "")
    chosen = referrals.filter(pk=wanted).first() if wanted.isdigit() else None
    initial = {"referral": chosen, "kind": "chaser"} if chosen else {}
    form = FollowUpForm(request.POST or None, referrals=referrals, initial=initial)
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


@login_required
def outcome_add(request, pk, referral_pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    referral = get_object_or_404(Referral, pk=referral_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=OutcomeForm(request.POST or None),
        save=lambda d: services.record_outcome(referral, request.user, **d),
        title=f"Outcome of the {referral}",
        button="Record the outcome",
        success="Outcome recorded.",
        intro="What the police or children's social care decided, with its date and their reference. A referral can have several (a strategy meeting, then an assessment).",
    )


@login_required
def advice_call_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=AdviceCallForm(request.POST or None),
        save=lambda d: services.record_advice_call(incident, request.user, **d),
        title="Record an anonymous advice call",
        button="Record the call",
        success="Advice call recorded.",
        intro="A call for advice without naming the young people, often made before deciding whether to refer.",
        extra=_contacts(incident),
    )


@login_required
def help_action_add(request, pk, route):
    incident = incident_for(request.user, pk, needs="change_incidents")
    chosen = ROUTES_BY_KEY.get(route)
    if chosen is None:
        raise Http404("No such route.")
    form = HelpActionForm(
        request.POST or None,
        staff=school_staff(incident.school),
        initial={"owner": request.user, "description": chosen.what},
    )
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.add_help_action(incident, request.user, route=route, **d),
        title=chosen.name,
        button="Add the action",
        success="Action added: record its outcome when it is done.",
        intro=f"{chosen.what} How: {chosen.how}.",
        then=incident.get_absolute_url() + "#actions",
    )


@login_required
def sextortion_advice_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=SextortionAdviceForm(request.POST or None),
        save=lambda d: services.record_sextortion_advice(incident, request.user, **d),
        title="Record the sextortion advice given",
        button="Record the advice",
        success="Advice recorded.",
        intro=" ".join(text for _, text in SEXTORTION_ADVICE),
    )
