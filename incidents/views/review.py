"""The initial review, the people involved, the decision and the headteacher's sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Pupil
from accounts.permissions import (
    safeguarding_team,
)
from accounts.security import weighty
from ypsi.forms import with_errors
from ypsi.views import apply_service

from .. import guidance, rules, services, tasklist
from ..casefile import incident_for
from ..forms.review import (
    CriteriaForm,
    FactorsForm,
    FactsForm,
    ManageForm,
    MeetingForm,
    PersonEditForm,
    ReferForm,
    SignOffForm,
    TypologyForm,
)
from ..models import Decision, Stage
from ..tasklist import Part


@login_required
@require_GET
def incident_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The initial review as a task list (issue 12): each part on its own page, saved on its
    own, with its status, and the way to the decision."""
    incident = incident_for(request.user, pk, needs="change_incidents")
    ctx = {
        "incident": incident,
        "parts": tasklist.part_states(incident),
        "annex_g": services.annex_g(incident),
    }
    return render(request, "incidents/review.html", ctx)


def _meeting_form(request, incident, review):
    held = timezone.localtime(review.held_at) if review.held_at else None
    return MeetingForm(
        request.POST or None,
        prefix="meeting",
        staff=safeguarding_team(incident.school),
        initial={
            "held_on": held.date() if held else None,
            "held_time": held.strftime("%H:%M") if held else "",
            "attendees": list(review.attendees.all()) if review.pk else [],
            "other_attendees": review.other_attendees,
            **{f"consideration_{k}": v for k, v in review.considerations.items()},
        },
    )


def _save_meeting(incident, user, form):
    d = form.cleaned_data
    services.record_meeting(
        incident,
        user,
        held_at=d["held_at"],
        attendees=d["attendees"],
        other_attendees=d["other_attendees"],
        considerations=form.considerations(),
        reason=d["reason"],
    )


def _scope_form(request, incident, review):
    return FactsForm(
        request.POST or None,
        prefix="facts",
        platforms=services.offered_platforms(incident.school),
        initial={
            "platforms": incident.platforms,
            "incident_type": incident.incident_type,
            "imagery_media": incident.imagery_media,
            "imagery_origin": incident.imagery_origin,
            "sexual_acts": incident.sexual_acts,
            "sextortion": incident.sextortion,
        },
    )


def _save_scope(incident, user, form):
    d = form.cleaned_data
    if d["incident_type"] in rules.OUT_OF_SCOPE_TYPES:
        services.close_out_of_scope(incident, user, d["incident_type"], d["reason"])
        return
    services.record_facts(
        incident,
        user,
        d["reason"],
        incident_type=d["incident_type"],
        imagery_media=d["imagery_media"],
        imagery_origin=d["imagery_origin"],
        sexual_acts=d["sexual_acts"],
        sextortion=d["sextortion"],
        platforms=d["platforms"],
        new_platform=(d["new_platform"], d["new_platform_kind"]),
    )


def _criteria_form(request, incident, review):
    questions = {
        v.criterion: v.derived.question
        for v in services.assess(incident).criteria
        if v.derived is not None and v.derived.question
    }
    return CriteriaForm(
        request.POST or None,
        prefix="criteria",
        questions=questions,
        initial={
            **{f"c{c}_answer": review.judged(c)[0] for c in review.criteria},
            **{f"c{c}_note": review.judged(c)[1] for c in review.criteria},
        },
    )


def _save_criteria(incident, user, form):
    services.record_criteria(
        incident, user, criteria=form.criteria(), reason=form.cleaned_data["reason"]
    )


def _typology_form(request, incident, review):
    return TypologyForm(
        request.POST or None,
        prefix="typology",
        initial={"typology": incident.typology, "risk_level": incident.risk_level},
    )


def _save_typology(incident, user, form):
    d = form.cleaned_data
    services.record_facts(
        incident, user, d["reason"], typology=d["typology"], risk_level=d["risk_level"]
    )


def _factors_form(request, incident, review):
    return FactorsForm(
        request.POST or None,
        prefix="factors",
        initial={"aggravating_factors": review.aggravating_factors},
    )


def _save_factors(incident, user, form):
    d = form.cleaned_data
    services.record_aggravating_factors(
        incident, user, factors=d["aggravating_factors"], reason=d["reason"]
    )


# Each part with a form: how its form is made from the record, and how it is saved.
PART_FORMS = {
    Part.MEETING: (_meeting_form, _save_meeting),
    Part.SCOPE: (_scope_form, _save_scope),
    Part.CRITERIA: (_criteria_form, _save_criteria),
    Part.TYPOLOGY: (_typology_form, _save_typology),
    Part.FACTORS: (_factors_form, _save_factors),
}


def _after_saving(incident, part: str, then: str) -> str:
    """Where a saved part leads: on to the next part not yet completed for "save and
    continue", back to the task list for "save and come back later" or when nothing is left."""
    states = tasklist.part_states(incident)
    if incident.stage != Stage.CLOSED and then == "continue":
        order = [s.part for s in states]
        after = order[order.index(part) + 1 :] + order[: order.index(part)]
        todo = {s.part for s in states if not s.completed}
        for nxt in after:
            if nxt in todo:
                return reverse("review_part", args=[incident.pk, nxt]) + "#review-saved"
    return reverse("incident_review", args=[incident.pk]) + "#review-saved"


@login_required
def review_part(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """One part of the initial review, on its own page with its own form, so saving it never
    touches what is typed elsewhere (issue 12)."""
    if part not in Part.values:
        raise Http404("No such part of the initial review.")
    incident = incident_for(request.user, pk, needs="change_incidents")
    review = services.get_review(incident)
    state = next(s for s in tasklist.part_states(incident) if s.part == part)
    ctx = {"incident": incident, "review": review, "state": state, "part": part}
    if part == Part.PEOPLE:
        return render(request, "incidents/review_people.html", ctx)
    make, save = PART_FORMS[part]
    form = make(request, incident, review)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if apply_service(form, lambda: save(incident, user, form), user=user, incident=incident):
            incident.refresh_from_db()
            messages.success(request, f"{state.label}: saved to the record.", extra_tags="review")
            return redirect(_after_saving(incident, part, request.POST.get("then", "")))
    ctx |= {"form": form, "forms_with_errors": with_errors(form)}
    if part == Part.CRITERIA:
        assessment = services.assess(incident)
        ctx |= {
            "assessment": assessment,
            "criteria_rows": [
                (view, form[f"c{view.criterion}_answer"], form[f"c{view.criterion}_note"])
                for view in assessment.criteria
            ],
            "criterion_3": guidance.criterion_3(assessment.under_13),
        }
    elif part == Part.TYPOLOGY:
        ctx["typologies"] = [
            (t.value, t.label, rules.TYPOLOGY_DEFINITIONS[t]) for t in rules.Typology
        ]
    elif part == Part.FACTORS:
        ctx["factor_rows"] = form.factor_rows()
    return render(
        request, f"incidents/review_{part}.html", ctx, status=400 if form.errors else 200
    )


@login_required
def person_edit(request: HttpRequest, pk: int, person_pk: int | None = None) -> HttpResponse:
    """Correct what is known of a person, or add one: the facts derived criteria rest on."""
    incident = incident_for(request.user, pk, needs="change_incidents")
    person = get_object_or_404(incident.people, pk=person_pk) if person_pk else None
    initial = {}
    if person is not None:
        initial = {
            f: getattr(person, f)
            for f in (
                "pupil",
                "name",
                "date_of_birth",
                "age",
                "age_band",
                "sex",
                "year_group",
                "school_name",
                "roles",
                "group_size",
                "sen_or_disability",
                "looked_after",
                "known_to_social_care",
                "kind",
            )
        }
    # "Find pupils" shows the pupils the search finds with everything typed, saving nothing.
    searching = request.method == "POST" and "find_pupils" in request.POST
    form = PersonEditForm(
        request.POST or None,
        initial=initial,
        pupils=Pupil.objects.filter(school=incident.school),
        search=searching,
    )
    if searching:
        form._errors = {}  # not checked yet: nothing is being saved
    elif request.method == "POST" and form.is_valid():
        p, reason = form.to_person(), form.cleaned_data["reason"]
        if person is None:
            ok = apply_service(
                form,
                lambda: services.add_person(incident, request.user, p, reason),
                user=request.user,
                incident=incident,
            )
        else:
            fields = {
                "pupil": p.pupil,
                "name": "" if p.pupil else p.name,
                "date_of_birth": None if p.pupil else p.date_of_birth,
                "age": None if p.pupil else p.age,
                "age_band": p.age_band,
                "sex": p.sex,
                "year_group": p.year_group,
                "school_name": p.school_name,
                "roles": p.roles,
                "group_size": p.group_size,
                "sen_or_disability": p.sen_or_disability,
                "looked_after": p.looked_after,
                "known_to_social_care": p.known_to_social_care,
                "kind": p.kind,
            }
            ok = apply_service(
                form,
                lambda: services.correct_person(person, request.user, reason, **fields),
                user=request.user,
                incident=incident,
            )
        if ok:
            messages.success(request, "The person's details have been saved.")
            return redirect("review_part", pk=pk, part=Part.PEOPLE)
    ctx = {
        "incident": incident,
        "person": person,
        "form": form,
        "forms_with_errors": with_errors(form),
    }
    return render(request, "incidents/person_form.html", ctx, status=400 if form.errors else 200)


@login_required
def incident_decide(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    choice = request.POST.get("decision") if request.method == "POST" else None
    now = timezone.localtime()
    refer = ReferForm(
        request.POST if choice == "refer" else None,
        prefix="refer",
        initial={"made_on": now.date(), "made_time": now.strftime("%H:%M")},
    )
    manage = ManageForm(request.POST if choice == "manage" else None, prefix="manage")
    user = request.user
    if choice == "refer" and refer.is_valid():
        d = refer.cleaned_data
        if apply_service(
            refer,
            lambda: services.decide_refer(
                incident, user, agency=d["agency"], made_at=d["made_at"], reason=d["reason"]
            ),
            user=user,
            incident=incident,
        ):
            messages.success(request, "The referral has been recorded.")
            return redirect("incident_detail", pk=pk)
    if choice == "manage" and manage.is_valid():
        d = manage.cleaned_data
        if apply_service(
            manage,
            lambda: services.decide_manage_in_school(
                incident,
                user,
                reason=d["reason"],
                aggravating_answer=d["aggravating_answer"],
                headteacher_input=d["headteacher_input"],
            ),
            user=user,
            incident=incident,
        ):
            messages.success(
                request, "Decision recorded. It now awaits the headteacher's sign-off."
            )
            return redirect("incident_detail", pk=pk)
    assessment = services.assess(incident)
    parts = tasklist.part_states(incident)
    ctx = {
        "incident": incident,
        "assessment": assessment,
        "refusal": assessment.refusal(incident),
        "parts": parts,
        "unfinished": [s for s in parts if not s.completed],
        "current": services.current_decision(incident),
        "review": services.get_review(incident),
        "refer": refer,
        "manage": manage,
        "forms_with_errors": with_errors(refer, manage),
    }
    return render(
        request, "incidents/decide.html", ctx, status=400 if ctx["forms_with_errors"] else 200
    )


@login_required
@weighty
def incident_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="sign_off_decisions")
    decision = services.current_decision(incident)
    if decision is not None and decision.kind != Decision.Kind.MANAGE_IN_SCHOOL:
        decision = None
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and decision is not None and form.is_valid():
        send_back = request.POST.get("action") == "send_back"
        if apply_service(
            form,
            lambda: services.sign_off(
                decision, request.user, comment=form.cleaned_data["comment"], send_back=send_back
            ),
            user=request.user,
            incident=incident,
        ):
            messages.success(
                request, "Sent back to the DSL." if send_back else "Decision signed off."
            )
            return redirect("incident_detail", pk=pk)
    ctx = {
        "incident": incident,
        "decision": decision,
        "assessment": services.assess(incident),
        "review": services.get_review(incident),
        "form": form,
        "forms_with_errors": with_errors(form),
    }
    return render(request, "incidents/sign_off.html", ctx, status=400 if form.errors else 200)
