"""The DSL's daily view of cases: the dashboard, the list, an incident and its chronology."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.permissions import (
    get_for_user,
    has_school_perm,
    own_reports,
    school_ids,
    schools_listed,
    schools_where,
    scoped,
)
from ypsi.pagination import keyset_page

from .. import hub, services, workspace
from ..casefile import case_file, case_queryset, incident_for
from ..chronology import chronology
from ..forms.intake import IncidentFilterForm
from ..models import Incident, InvolvedPerson, ReportFlood, Stage


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every open case the user may see, under what happens next to it (issue 12)."""
    user = request.user
    can_view = bool(school_ids(user, "view_incidents"))
    groups = workspace.open_cases(user) if can_view else []
    shown = [case.incident for group in groups for case in group.cases]
    hub.incidents_listed.send(sender=Incident, user=user, incidents=shown, what="list")
    ctx = {
        "groups": groups,
        "open_count": sum(g.count for g in groups),
        **notices(user),
        "can_view_incidents": can_view,
        "can_report": bool(school_ids(user, "report_concern")),
        "roster_schools": schools_listed(user, "manage_roster"),
        "policy_schools": schools_listed(user, "manage_policy"),
        "my_reports": own_reports(Incident.objects.all(), user)[:5],
    }
    templates, panels = hub.panels(user)
    return render(
        request, "incidents/dashboard.html", panels | ctx | {"panel_templates": templates}
    )


def notices(user) -> dict:
    """The latest DASHBOARD_NOTICES notices of many reports, and how many there are in all:
    each notice is a banner, so a trust with many at once still gets a page it can read."""
    floods = floods_awaiting(user).order_by("-last_report_at", "-pk")
    shown = list(floods[: settings.DASHBOARD_NOTICES])
    for flood in shown:
        # The administrator, who sees no incident, sees the notice to act on it, not the
        # references.
        flood.can_read = has_school_perm(user, "view_incidents", flood.school)
        flood.can_suspend = has_school_perm(user, "manage_policy", flood.school)
    more = floods.count() - len(shown) if len(shown) == settings.DASHBOARD_NOTICES else 0
    return {"floods": shown, "more_floods": more}


def floods_awaiting(user):
    """Unusual numbers of reports from one account, each with how many are still to review and
    the first DASHBOARD_CASES_PER_GROUP of them (like the dashboard's groups)."""
    awaiting = Incident.objects.filter(stage=Stage.REPORTED)
    seen = school_ids(user, "view_incidents") | school_ids(user, "manage_policy")
    count = (
        awaiting.filter(flood=OuterRef("pk")).order_by().values("flood").annotate(n=Count("pk"))
    )
    return (
        ReportFlood.objects.filter(Exists(awaiting.filter(flood=OuterRef("pk"))))
        .filter(school_id__in=sorted(seen))
        .select_related("reporter", "school", "suspended_by")
        .prefetch_related(
            Prefetch(
                "incidents",
                # What the notice lists of each: its link and when it was reported.
                awaiting.only("reference", "reported_at", "flood").order_by("reported_at", "pk")[
                    : settings.DASHBOARD_CASES_PER_GROUP
                ],
                to_attr="listed",
            )
        )
        .annotate(awaiting=Subquery(count.values("n")))
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
    user = request.user
    if not school_ids(user, "view_incidents"):
        raise PermissionDenied("Only the safeguarding team and the headteacher see incidents.")
    filters = IncidentFilterForm(
        request.GET or None,
        schools=lambda: (
            schools_where(user, "view_incidents").order_by("name", "pk").values_list("pk", "name")
        ),
    )
    people = (
        InvolvedPerson.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Only the columns the table shows and pages by (an incident row is some fifty: issue 14);
    # the ids, the school's too, are always read.
    listed = Incident.objects.select_related("school").only(
        "reference", "stage", "reported_at", "school__name"
    )
    incidents = filters.apply(scoped(listed, user)).annotate(
        people_count=Coalesce(Subquery(people), 0)
    )
    page = keyset_page(request, incidents, ("-reported_at", "-pk"))
    hub.incidents_listed.send(sender=Incident, user=user, incidents=page.items, what="list")
    ctx = {
        "incidents": page,
        "filters": filters,
        "several_schools": len(school_ids(user, "view_incidents")) > 1,
    }
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
    incident = incident_for(request.user, pk, what="chronology")
    return render(
        request,
        "incidents/chronology.html",
        {"incident": incident, "events": chronology(incident)},
    )
