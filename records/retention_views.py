"""Pages of retention and disposal (R32, R40): the review list, one record's retention, and the
forms that review, agree, hold and record advice. Rules are in records/retention.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.permissions import get_for_user, has_school_perm, schools_where
from incidents.models import Incident
from ypsi.views import record_page

from . import retention
from .models import AccessLog, Disposal, RetentionHold, RetentionReview
from .retention_forms import AdviceForm, DisposalDecisionForm, HoldForm, LiftHoldForm, ReviewForm
from .services import log_access


def _incident(request, pk, needs=None) -> Incident:
    """Found even once disposed of: this page shows what is left, the disposal record."""
    queryset = Incident.objects.select_related("school").prefetch_related(
        "people__pupil", "retention_holds", "retention_advice", "retention_reviews", "referrals"
    )
    incident = get_for_user(queryset, request.user, pk=pk, needs=needs)
    log_access(request.user, incident, AccessLog.What.PAGE)
    return incident


@login_required
def retention_list(request):
    """The DSL's review list, and the disposals waiting for the headteacher's agreement."""
    dsl_schools = schools_where(request.user, "change_incidents")
    head_schools = schools_where(request.user, "sign_off_decisions")
    if not (dsl_schools.exists() or head_schools.exists()):
        raise PermissionDenied("Only the school's DSLs and headteacher review records.")
    reviews = RetentionReview.objects.filter(
        reviewed_at__isnull=True, incident__school__in=dsl_schools
    ).select_related("incident__school")
    disposals = Disposal.objects.filter(
        Q(incident__school__in=dsl_schools) | Q(incident__school__in=head_schools),
        status=Disposal.Status.PROPOSED,
    ).select_related("incident__school", "proposed_by")
    holds = RetentionHold.objects.filter(
        Q(incident__school__in=dsl_schools) | Q(incident__school__in=head_schools),
        lifted_at__isnull=True,
    ).select_related("incident__school", "placed_by")
    ctx = {"reviews": reviews, "disposals": disposals, "holds": holds}
    return render(request, "records/retention_list.html", ctx)


@login_required
def incident_retention(request, pk):
    incident = _incident(request, pk)
    disposal = retention.disposed(incident)
    school = incident.school
    ctx = {
        "incident": incident,
        "disposal": disposal,
        "retention": None if disposal else retention.retention_for(incident),
        "holds": incident.retention_holds.select_related("placed_by", "lifted_by"),
        "advice": incident.retention_advice.select_related("recorded_by"),
        "reviews": incident.retention_reviews.select_related("reviewed_by"),
        "disposals": incident.disposals.select_related("proposed_by", "decided_by"),
        "can_change": has_school_perm(request.user, "change_incidents", school),
        "can_agree": has_school_perm(request.user, "sign_off_decisions", school),
    }
    return render(request, "records/retention.html", ctx)


def _back(incident) -> str:
    return reverse("incident_retention", args=[incident.pk])


@login_required
def retention_review(request, pk, review_pk):
    incident = _incident(request, pk, needs="change_incidents")
    review = get_object_or_404(RetentionReview, pk=review_pk, incident=incident)
    current = retention.retention_for(incident)
    initial = {"next_review_on": retention.default_next_review(incident)}
    return record_page(
        request,
        incident=incident,
        form=ReviewForm(request.POST or None, initial=initial),
        save=lambda d: retention.record_review(review, request.user, **d),
        title=f"Retention review of {incident.reference}",
        button="Record the review",
        success="Review recorded.",
        intro=f"Due {review.due_on:%d %B %Y}. Rule: {current.rule_label}. {current.basis}"
        + (f" {current.blocked}" if current.blocked else ""),
        then=_back(incident),
    )


@login_required
def disposal_decide(request, pk, disposal_pk):
    incident = _incident(request, pk, needs="sign_off_decisions")
    disposal = get_object_or_404(Disposal, pk=disposal_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=DisposalDecisionForm(request.POST or None),
        save=lambda d: retention.decide_disposal(disposal, request.user, **d),
        title=f"Agree to the disposal of {incident.reference}?",
        button="Record your decision",
        success="Decision recorded.",
        intro=f"Proposed by {disposal.proposed_by} under '{disposal.get_rule_display()}': "
        f"{disposal.reason} What goes: {disposal.what}",
        then=_back(incident),
    )


def _may_hold(request, incident) -> None:
    school = incident.school
    if not (
        has_school_perm(request.user, "change_incidents", school)
        or has_school_perm(request.user, "sign_off_decisions", school)
    ):
        raise PermissionDenied("Only the school's DSLs and headteacher place a legal hold.")


@login_required
def retention_hold_add(request, pk):
    incident = _incident(request, pk)
    _may_hold(request, incident)
    return record_page(
        request,
        incident=incident,
        form=HoldForm(request.POST or None),
        save=lambda d: retention.place_hold(incident, request.user, **d),
        title=f"Place a legal hold on {incident.reference}",
        button="Place the hold",
        success="Legal hold placed.",
        intro="A legal hold overrides every retention rule: nothing is disposed of until it is lifted.",
        then=_back(incident),
    )


@login_required
def retention_hold_lift(request, pk, hold_pk):
    incident = _incident(request, pk)
    _may_hold(request, incident)
    hold = get_object_or_404(RetentionHold, pk=hold_pk, incident=incident)
    return record_page(
        request,
        incident=incident,
        form=LiftHoldForm(request.POST or None),
        save=lambda d: retention.lift_hold(hold, request.user, **d),
        title=f"Lift the legal hold on {incident.reference}",
        button="Lift the hold",
        success="Legal hold lifted.",
        intro=f"Held since {hold.placed_at:%d %B %Y}: {hold.reason}",
        then=_back(incident),
    )


@login_required
def retention_advice_add(request, pk):
    incident = _incident(request, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=AdviceForm(request.POST or None),
        save=lambda d: retention.record_advice(incident, request.user, **d),
        title=f"Police or court advice on keeping {incident.reference}",
        button="Record the advice",
        success="Advice recorded.",
        intro="The record is kept as they advise, and never for less time than the school's rule.",
        then=_back(incident),
    )
