from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from ypsi.forms import with_errors
from ypsi.pagination import keyset_page

from .forms import PolicyForm, PupilForm, RosterImportForm
from .models import School
from .names import roster_search
from .permissions import get_for_user, has_school_perm
from .roster import COLUMNS, RosterError, import_roster, read_upload
from .services import change_history


def _school(request, pk: int, perm: str) -> School:
    return get_for_user(
        School.objects.select_related("trust"), request.user, perm=perm, via="pk", pk=pk
    )


@login_required
def pupil_list(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk, "manage_roster")
    query = request.GET.get("q", "")[:100]
    ctx = {
        "school": school,
        "query": query,
        "pupils": keyset_page(
            request, roster_search(school.pupils.all(), query), ("search_name", "pk")
        ),
        "pupil_count": school.pupils.count(),
        # Child protection files are the safeguarding team's, not the administrator's (R29).
        "can_view_files": has_school_perm(request.user, "view_incidents", school),
        "can_import_files": has_school_perm(request.user, "change_incidents", school),
    }
    return render(request, "accounts/pupil_list.html", ctx)


# The pupil picker's autocomplete (static/js/pupil-picker.js): a few pupils per search, a query
# no longer than the picker's box takes, and a bound on how often one account may ask, so the
# roster cannot be read out through it faster than by the report page itself.
PUPIL_MATCHES = 10
PUPIL_QUERY_LENGTH = 100
PUPIL_SEARCHES_PER_MINUTE = 120


@login_required
@require_GET
@never_cache
@ratelimit(key="user", rate=lambda group, request: f"{PUPIL_SEARCHES_PER_MINUTE}/m", block=False)
def pupil_matches(request: HttpRequest, pk: int) -> JsonResponse:
    """The pupils of a school whose name (folded) or UPN matches `q`: id, name and year group
    only. For those who may report a concern at the school, as the report page is: anyone
    else is not told the school exists (404)."""
    school = _school(request, pk, "report_concern")
    if request.limited:
        return JsonResponse({"error": "Too many searches: wait a minute."}, status=429)
    query = request.GET.get("q", "")[:PUPIL_QUERY_LENGTH]
    found = roster_search(school.pupils.all(), query) if query.strip() else school.pupils.none()
    pupils = found.only("pk", "first_name", "last_name", "year_group")[:PUPIL_MATCHES]
    return JsonResponse(
        {"pupils": [{"id": p.pk, "name": str(p), "year_group": p.year_group} for p in pupils]}
    )


@login_required
def pupil_add(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk, "manage_roster")
    form = PupilForm(request.POST or None, instance=None)
    form.instance.school = school
    if request.method == "POST" and form.is_valid():
        pupil = form.save(commit=False)
        pupil._change_reason = "Added to the roster by hand"
        pupil.save()
        messages.success(request, f"{pupil} has been added to the roster.")
        return redirect("pupil_list", pk=school.pk)
    ctx = {"school": school, "form": form, "forms_with_errors": with_errors(form)}
    return render(request, "accounts/pupil_form.html", ctx, status=400 if form.errors else 200)


@login_required
def pupil_import(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk, "manage_roster")
    form = RosterImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            text = read_upload(form.cleaned_data["file"], form.cleaned_data["encoding"])
            result = import_roster(school, text, request.user)
        except ValidationError as e:
            form.add_error("file", e)
        except RosterError as e:
            problems = e.problems
        else:
            messages.success(request, str(result))
            return redirect("pupil_list", pk=school.pk)
    ctx = {
        "school": school,
        "form": form,
        "problems": problems,
        "columns": COLUMNS,
        "forms_with_errors": with_errors(form),
    }
    return render(
        request,
        "accounts/pupil_import.html",
        ctx,
        status=400 if (problems or form.errors) else 200,
    )


@login_required
def school_policy(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, pk, "manage_policy")
    form = PolicyForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        school = form.save(commit=False)
        school._change_reason = form.cleaned_data["reason"]
        school.save()
        messages.success(request, "The policy settings have been saved.")
        return redirect("school_policy", pk=school.pk)
    ctx = {
        "school": school,
        "form": form,
        "history": change_history(school),
        "forms_with_errors": with_errors(form),
    }
    return render(request, "accounts/policy.html", ctx, status=400 if form.errors else 200)
