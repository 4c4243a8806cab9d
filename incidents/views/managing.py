"""Managing an incident in school, closing and reopening it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import safeguarding_team
from ypsi.views import record_page

from .. import services
from ..casefile import incident_for
from ..forms.managing import (
    ActionForm,
    CloseForm,
    CompleteActionForm,
    ConversationForm,
    ParentContactForm,
    ReopenForm,
    RiskAssessmentForm,
    SafetyPlanForm,
    SafetyPlanReviewForm,
)


@login_required
def risk_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    # One young person at a time (R17): ?young_person= opens theirs to continue it.
    people = incident.people.all()
    chosen = people.filter(pk=request.GET.get("young_person") or 0).first()
    existing = chosen and incident.risk_assessments.filter(young_person=chosen).first()
    initial = {"young_person": chosen}
    if existing:
        initial |= {f"q_{k}": v for k, v in existing.answers.items()} | {
            "summary": existing.summary,
            "risk_level": existing.risk_level,
        }
    form = RiskAssessmentForm(request.POST or None, initial=initial, people=people)
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_risk_assessment(
            incident,
            request.user,
            young_person=d["young_person"],
            answers=form.answers(),
            risk_level=d["risk_level"],
            summary=d["summary"],
            reason=d["reason"],
        ),
        title="Further review and risk assessment",
        button="Save the assessment",
        success="Risk assessment saved.",
        intro="For each young person in turn: the pictured child, the sender and the recipients are assessed in their own right. Including an interview with the young people. Use your professional judgement with colleagues.",
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
    form = ActionForm(
        request.POST or None,
        staff=safeguarding_team(incident.school),
        people=incident.people.all(),
    )
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
def safety_plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    pairs = services.safety_plans_needed(incident)
    if not pairs:
        # Nothing to plan for: say so, rather than a form that cannot be filled in.
        return render(request, "incidents/safety_plan_not_needed.html", {"incident": incident})
    form = SafetyPlanForm(request.POST or None, pairs=pairs)
    return record_page(
        request,
        incident=incident,
        form=form,
        save=lambda d: services.record_safety_plan(incident, request.user, **form.plan()),
        title="Record a safety plan",
        button="Save the safety plan",
        success="Safety plan recorded.",
        intro="The pictured young person and one who made or shared the imagery both attend "
        "this school: record what keeps them apart where needed, who knows, and the support "
        "for each (KCSIE, child-on-child abuse). It is reviewed by the date you give.",
        then=incident.get_absolute_url() + "#safety-plans",
    )


@login_required
def safety_plan_review(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk, needs="change_incidents")
    plan = get_object_or_404(incident.safety_plans, pk=plan_pk)
    return record_page(
        request,
        incident=incident,
        form=SafetyPlanReviewForm(request.POST or None),
        save=lambda d: services.review_safety_plan(plan, request.user, **d),
        title=f"Review the {plan}",
        button="Save the review",
        success="Review recorded.",
        then=incident.get_absolute_url() + "#safety-plans",
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
