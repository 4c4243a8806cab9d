from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, School
from accounts.permissions import (
    get_for_user,
    has_school_perm,
    own_reports,
    safeguarding_team,
    school_staff,
    schools_where,
    scoped,
)
from records.models import AccessLog, ViewingRecord
from records.services import log_access
from referrals.models import POLICE_AGENCIES, Referral
from ypsi.forms import with_errors
from ypsi.views import apply_service, record_page

from . import rules, services
from .casefile import case_file, case_queryset, incident_for
from .chronology import chronology
from .forms import (
    ActionForm,
    CloseForm,
    CompleteActionForm,
    ConcernForm,
    ConversationForm,
    CriteriaForm,
    FactsForm,
    IncidentFilterForm,
    ManageForm,
    MeetingForm,
    ParentContactForm,
    PersonEditForm,
    PersonFormSet,
    ReferForm,
    ReopenForm,
    RiskAssessmentForm,
    SignOffForm,
    TypologyForm,
)
from .models import Action, Decision, Incident, Stage


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    awaiting = scoped(Incident.objects.filter(stage=Stage.REPORTED), user).select_related("school")
    ctx = {
        "awaiting_review": awaiting,
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
        "missing_references": scoped(
            Referral.objects.filter(agency__in=POLICE_AGENCIES, reference=""),
            user,
            "change_incidents",
            via="incident__school",
        )
        .exclude(incident__stage=Stage.CLOSED)
        .select_related("incident"),
        "to_confirm": ViewingRecord.objects.filter(
            Q(viewer=user, viewer_confirmed_at__isnull=True)
            | Q(staff_present=user, present_confirmed_at__isnull=True)
        ).select_related("incident"),
        "to_sign": services.awaiting_sign_off(
            scoped(Decision.objects.all(), user, "sign_off_decisions", via="incident__school")
        ).select_related("incident__school", "made_by"),
    }
    return render(request, "incidents/dashboard.html", ctx)


@login_required
def report_concern(request: HttpRequest) -> HttpResponse:
    schools = schools_where(request.user, "report_concern")
    school = _chosen_school(request, schools)
    if school is None:
        return render(request, "incidents/choose_school.html", {"schools": schools})

    pupils = Pupil.objects.filter(school=school)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_person" in data:
        # "Add another person" re-displays everything typed, with one more person form.
        data = data.copy()
        data["person-TOTAL_FORMS"] = str(int(data.get("person-TOTAL_FORMS", 1)) + 1)
        form = ConcernForm(data)
        people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
        return _render_report(request, school, form, people, validate=False)

    form = ConcernForm(data, initial={"received_by": request.user.get_full_name()})
    people = PersonFormSet(data, prefix="person", form_kwargs={"pupils": pupils})
    if data is not None and form.is_valid() and people.is_valid():
        d = form.cleaned_data
        try:
            incident = services.report_concern(
                reporter=request.user,
                school=school,
                disclosure_source=d["disclosure_source"],
                discloser=d["discloser"],
                disclosed_at=d["disclosed_at"],
                received_by=d["received_by"],
                account=d["account"],
                devices_and_platforms=d["devices_and_platforms"],
                spread=d["spread"],
                people=[f.to_person() for f in people if f.has_changed()],
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            return redirect("report_receipt", reference=incident.reference)
    return _render_report(request, school, form, people, validate=data is not None)


def _chosen_school(request: HttpRequest, schools) -> School | None:
    if not schools.exists():
        raise PermissionDenied(
            "Your account is not linked to a school, so you cannot report here."
        )
    chosen = request.POST.get("school") or request.GET.get("school")
    if chosen:
        return schools.filter(pk=chosen).first()
    return schools.first() if schools.count() == 1 else None


def _render_report(request, school, form, people, *, validate: bool) -> HttpResponse:
    if not validate:
        form.errors.clear()
        for f in people:
            f._errors = {}
    ctx = {
        "school": school,
        "form": form,
        "people": people,
        "forms_with_errors": with_errors(form, *people) if validate else [],
    }
    return render(request, "incidents/report.html", ctx, status=400 if validate else 200)


@login_required
def report_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    reports = own_reports(Incident.objects.select_related("school"), request.user)
    report = get_object_or_404(reports, reference=reference)
    return render(request, "incidents/receipt.html", {"report": report})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = own_reports(Incident.objects.select_related("school"), request.user)
    return render(request, "incidents/my_reports.html", {"reports": reports})


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
    log_access(request.user, incident, AccessLog.What.INCIDENT)
    school = incident.school
    ctx = case_file(incident) | {
        "can_change": has_school_perm(request.user, "change_incidents", school),
        "can_sign": has_school_perm(request.user, "sign_off_decisions", school),
    }
    return render(request, "incidents/incident_detail.html", ctx)


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
        if apply_service(form, actions[section]):
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
                form, lambda: services.add_person(incident, request.user, p, reason)
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
                form, lambda: services.correct_person(person, request.user, reason, **fields)
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


@login_required
def risk_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    existing = getattr(incident, "risk_assessment", None)
    initial = {}
    if existing is not None:
        initial = {f"q_{k}": v for k, v in existing.answers.items()} | {
            "summary": existing.summary
        }
    form = RiskAssessmentForm(request.POST or None, initial=initial)
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_risk_assessment(
            incident,
            request.user,
            answers=form.answers(),
            summary=d["summary"],
            reason=d["reason"],
        ),
        title="Further review and risk assessment",
        button="Save the assessment",
        success="Risk assessment saved.",
        intro="Including an interview with the young people. Use your professional judgement with colleagues.",
    )


@login_required
def conversation_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = ConversationForm(request.POST or None, people=incident.people.all())
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_conversation(incident, request.user, **d),
        title="Record a conversation with a young person",
        button="Save",
        success="Conversation recorded.",
        intro="If possible the DSL holds the conversation; if the young person prefers another teacher, that is facilitated.",
    )


@login_required
def parent_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = ParentContactForm(request.POST or None, people=incident.people.all())
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_parent_contact(incident, request.user, **d),
        title="Parents or carers",
        button="Save",
        success="Saved.",
        intro="Parents should be informed at an early stage unless informing them would put the young person at risk of harm.",
    )


@login_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    form = ActionForm(request.POST or None, staff=school_staff(incident.school))
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.add_action(incident, request.user, **d),
        title="Add an action",
        button="Add the action",
        success="Action added.",
    )


@login_required
def action_complete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    action = get_object_or_404(incident.actions, pk=action_pk)
    return record_page(
        request,
        incident=incident,
        form=CompleteActionForm(request.POST or None),
        save=lambda d: services.complete_action(action, request.user, outcome=d["outcome"]),
        title=f"Mark done: {action.description}",
        button="Mark as done",
        success="Action done.",
    )


@login_required
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=CloseForm(request.POST or None),
        save=lambda d: services.close_incident(incident, request.user, summary=d["summary"]),
        title="Close the incident",
        button="Close the incident",
        success="The incident is closed.",
        extra={"blockers": services.closing_blockers(incident)},
    )


@login_required
def incident_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=ReopenForm(request.POST or None),
        save=lambda d: services.reopen_incident(incident, request.user, reason=d["reason"]),
        title="Reopen the incident",
        button="Reopen",
        success="The incident is reopened.",
    )


@login_required
def incident_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    log_access(request.user, incident, AccessLog.What.CHRONOLOGY)
    return render(
        request,
        "incidents/chronology.html",
        {"incident": incident, "events": chronology(incident)},
    )
