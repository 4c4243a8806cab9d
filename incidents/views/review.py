"""The initial review, the people involved, the decision and the headteacher's sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil
from accounts.permissions import (
    safeguarding_team,
)
from ypsi.forms import with_errors
from ypsi.views import apply_service

from .. import rules, services
from ..casefile import incident_for
from ..forms.review import (
    CriteriaForm,
    FactsForm,
    ManageForm,
    MeetingForm,
    PersonEditForm,
    ReferForm,
    SignOffForm,
    TypologyForm,
)
from ..models import Decision


@login_required
def incident_review(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    review = services.get_review(incident)
    section = request.POST.get("section") if request.method == "POST" else None

    def bound(name):
        return request.POST if section == name else None

    held = timezone.localtime(review.held_at) if review.held_at else None
    forms_ = {
        "facts": FactsForm(
            bound("facts"),
            prefix="facts",
            initial={
                "incident_type": incident.incident_type,
                "imagery_media": incident.imagery_media,
                "imagery_origin": incident.imagery_origin,
                "sexual_acts": incident.sexual_acts,
                "sextortion": incident.sextortion,
            },
        ),
        "meeting": MeetingForm(
            bound("meeting"),
            prefix="meeting",
            staff=safeguarding_team(incident.school),
            initial={
                "held_on": held.date() if held else None,
                "held_time": held.strftime("%H:%M") if held else "",
                "attendees": list(review.attendees.all()) if review.pk else [],
                "other_attendees": review.other_attendees,
                **{f"consideration_{k}": v for k, v in review.considerations.items()},
            },
        ),
        "criteria": CriteriaForm(
            bound("criteria"),
            prefix="criteria",
            initial={
                "aggravating_factors": review.aggravating_factors,
                **{f"c{c}_answer": review.judged(c)[0] for c in review.criteria},
                **{f"c{c}_note": review.judged(c)[1] for c in review.criteria},
            },
        ),
        "typology": TypologyForm(
            bound("typology"),
            prefix="typology",
            initial={"typology": incident.typology, "risk_level": incident.risk_level},
        ),
    }
    form = forms_.get(section)
    if form is not None and form.is_valid():
        d, user = form.cleaned_data, request.user
        actions = {
            "facts": lambda: (
                services.close_out_of_scope(incident, user, d["incident_type"], d["reason"])
                if d["incident_type"] in rules.OUT_OF_SCOPE_TYPES
                else services.record_facts(
                    incident,
                    user,
                    d["reason"],
                    incident_type=d["incident_type"],
                    imagery_media=d["imagery_media"],
                    imagery_origin=d["imagery_origin"],
                    sexual_acts=d["sexual_acts"],
                    sextortion=d["sextortion"],
                )
            ),
            "meeting": lambda: services.record_meeting(
                incident,
                user,
                held_at=d["held_at"],
                attendees=d["attendees"],
                other_attendees=d["other_attendees"],
                considerations=form.considerations(),
                reason=d["reason"],
            ),
            "criteria": lambda: services.record_criteria(
                incident,
                user,
                criteria=form.criteria(),
                aggravating_factors=d["aggravating_factors"],
                reason=d["reason"],
            ),
            "typology": lambda: services.record_facts(
                incident, user, d["reason"], typology=d["typology"], risk_level=d["risk_level"]
            ),
        }
        if apply_service(form, actions[section], user=request.user, incident=incident):
            messages.success(request, "Saved to the record.")
            return redirect(f"{reverse('incident_review', args=[pk])}#{section}")
    assessment = services.assess(incident)
    criteria_form = forms_["criteria"]
    ctx = {
        "incident": incident,
        "review": review,
        "forms": forms_,
        "assessment": assessment,
        "criteria_rows": [
            (
                view,
                criteria_form[f"c{view.criterion}_answer"],
                criteria_form[f"c{view.criterion}_note"],
            )
            for view in assessment.criteria
        ],
        "typologies": [(t.value, t.label, rules.TYPOLOGY_DEFINITIONS[t]) for t in rules.Typology],
        "forms_with_errors": with_errors(*forms_.values()),
        "section": section,
    }
    return render(
        request, "incidents/review.html", ctx, status=400 if ctx["forms_with_errors"] else 200
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
            )
        }
    form = PersonEditForm(
        request.POST or None, initial=initial, pupils=Pupil.objects.filter(school=incident.school)
    )
    if request.method == "POST" and form.is_valid():
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
            }
            ok = apply_service(
                form,
                lambda: services.correct_person(person, request.user, reason, **fields),
                user=request.user,
                incident=incident,
            )
        if ok:
            messages.success(request, "The person's details have been saved.")
            return redirect("incident_review", pk=pk)
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
    ctx = {
        "incident": incident,
        "assessment": assessment,
        "refusal": assessment.refusal(incident),
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
