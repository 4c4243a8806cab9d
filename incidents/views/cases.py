"""The DSL's daily view of cases: the dashboard, the list, an incident and its chronology."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import (
    get_for_user,
    has_school_perm,
    own_reports,
    schools_where,
    scoped,
)

from .. import hub, services
from ..casefile import case_file, case_queryset, incident_for
from ..chronology import chronology
from ..forms.intake import IncidentFilterForm
from ..models import Action, Decision, Incident, ReportFlood, Stage


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    awaiting = scoped(Incident.objects.filter(stage=Stage.REPORTED), user).select_related("school")
    ctx = {
        "awaiting_review": awaiting.filter(flood=None),
        "floods": floods_awaiting(user),
        "can_view_incidents": schools_where(user, "view_incidents").exists(),
        "can_report": schools_where(user, "report_concern").exists(),
        "roster_schools": schools_where(user, "manage_roster"),
        "policy_schools": schools_where(user, "manage_policy"),
        "my_reports": own_reports(Incident.objects.all(), user)[:5],
        "overdue_actions": scoped(
            Action.objects.filter(done_at__isnull=True, due__lt=timezone.localdate()),
            user,
            "change_incidents",
            via="incident__school",
        ).select_related("incident", "owner"),
        "to_sign": services.awaiting_sign_off(
            scoped(Decision.objects.all(), user, "sign_off_decisions", via="incident__school")
        ).select_related("incident__school", "made_by"),
    }
    templates, panels = hub.panels(user)
    return render(
        request, "incidents/dashboard.html", panels | ctx | {"panel_templates": templates}
    )


def floods_awaiting(user):
    """Unusual numbers of reports from one account, each with its reports still to review."""
    awaiting = Incident.objects.filter(stage=Stage.REPORTED).order_by("reported_at")
    reading, suspending = (
        schools_where(user, "view_incidents"),
        schools_where(user, "manage_policy"),
    )
    # The administrator, who sees no incident, sees the notice to act on it, not the references.
    return (
        ReportFlood.objects.filter(incidents__stage=Stage.REPORTED)
        .filter(Q(school__in=reading) | Q(school__in=suspending))
        .distinct()
        .select_related("reporter", "school", "suspended_by")
        .prefetch_related(Prefetch("incidents", awaiting, to_attr="awaiting"))
        .annotate(
            can_read=Exists(reading.filter(pk=OuterRef("school"))),
            can_suspend=Exists(suspending.filter(pk=OuterRef("school"))),
        )
    )


@login_required
def flood_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend the account behind an unusual number of reports, from the dashboard's notice."""
    flood = get_for_user(
        ReportFlood.objects.select_related("reporter", "school"),
        request.user,
        perm="manage_policy",
        pk=pk,
    )
    if request.method == "POST":
        try:
            services.suspend_reporter(flood, request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request,
                f"{flood.reporter.get_full_name() or flood.reporter} can no longer sign in. "
                "Their reports are still on the dashboard to review.",
            )
        return redirect(reverse("dashboard") + f"#flood-{flood.pk}")
    return render(request, "incidents/flood_suspend.html", {"flood": flood})


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    schools = schools_where(request.user, "view_incidents")
    if not schools.exists():
        raise PermissionDenied("Only the safeguarding team and the headteacher see incidents.")
    filters = IncidentFilterForm(request.GET or None, schools=schools)
    incidents = filters.apply(scoped(Incident.objects.select_related("school"), request.user))
    incidents = incidents.annotate(people_count=Count("people", distinct=True))
    ctx = {"incidents": incidents, "filters": filters, "several_schools": schools.count() > 1}
    return render(request, "incidents/incident_list.html", ctx)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_for_user(case_queryset(), request.user, pk=pk)
    hub.incident_opened.send(
        sender=Incident, user=request.user, incident=incident, what="incident"
    )
    school = incident.school
    ctx = case_file(incident) | {
        "can_change": has_school_perm(request.user, "change_incidents", school),
        "can_sign": has_school_perm(request.user, "sign_off_decisions", school),
    }
    return render(request, "incidents/incident_detail.html", ctx)


@login_required
def incident_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    hub.incident_opened.send(
        sender=Incident, user=request.user, incident=incident, what="chronology"
    )
    return render(
        request,
        "incidents/chronology.html",
        {"incident": incident, "events": chronology(incident)},
    )
