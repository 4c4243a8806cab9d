"""Everything recorded about one incident, gathered once: the web page and the PDF both use it."""

from django.db.models import Prefetch

from accounts.permissions import get_for_user

from . import hub, services
from .models import Incident, InvolvedPerson, SignOff
from .rules import AgeBand, Consideration


def incident_for(user, pk: int, needs: str | None = None, what: str = "page") -> Incident:
    """The incident, through the permission helper: 404 to outsiders, 403 to readers who cannot
    `needs`. Every view that opens an incident comes here; a record disposed of is refused
    with why (hub.sealed). Each opening is in the access log as `what` (issue 11): every page
    of a case shows some of it."""
    incident = get_for_user(
        Incident.objects.select_related("school", "reported_by"), user, pk=pk, needs=needs
    )
    hub.refuse_if_sealed(incident)
    hub.incident_opened.send(sender=Incident, user=user, incident=incident, what=what)
    return incident


def case_queryset():
    """The incident with what every page of the whole case reads: its initial review (R5) in
    the same query, held or not yet."""
    people = InvolvedPerson.objects.select_related("pupil__school")
    return Incident.objects.select_related(
        "school", "reported_by", "closed_by", "review"
    ).prefetch_related(Prefetch("people", queryset=people))


def case_file(incident: Incident) -> dict:
    """The incident's own record, then every section the hub has (agencies, managing in
    school, imagery), in order: one dict for the page and the PDF. Never for a record whose
    content is withheld (disposed of under its retention rule)."""
    hub.refuse_if_sealed(incident)
    hub.take_stock(incident)
    day = incident.incident_date
    templates, sections = hub.sections(incident)
    decisions = list(
        hub.recorded(
            incident,
            "decisions",
            incident.decisions.select_related("made_by").prefetch_related(
                Prefetch("sign_offs", queryset=SignOff.objects.select_related("signed_by"))
            ),
        )
    )
    return sections | {
        "section_templates": templates,
        "incident": incident,
        "people": [
            (p, p.age_at(day), AgeBand(p.age_band_at(day)).label) for p in incident.people.all()
        ],
        "assessment": services.assess(incident),
        "review": services.get_review(incident),
        "meeting": meeting(services.get_review(incident)),
        "decisions": decisions,
        "awaiting_sign_off": any(d.awaits_sign_off for d in decisions),
    }


def meeting(review) -> dict:
    """The initial review meeting as recorded (R5): who attended, and each of the nine things
    it should establish with what was noted, or that nothing was."""
    attendees = list(review.attendees.all()) if review.pk else []
    return {
        "held_at": review.held_at,
        "attendees": [user.get_full_name() or user.username for user in attendees],
        "other_attendees": review.other_attendees,
        "considerations": [
            (label, review.considerations.get(value, "")) for value, label in Consideration.choices
        ],
    }


def managing_section(incident: Incident) -> dict:
    """Managing in school (R17-R20): a section like any app's, between agencies and imagery."""
    plans = list(
        hub.recorded(
            incident,
            "safety_plans",
            incident.safety_plans.select_related(
                "pictured__pupil", "other__pupil"
            ).prefetch_related("reviews__reviewed_by"),
        )
    )
    return {
        "risks": hub.recorded(
            incident,
            "risk_assessments",
            incident.risk_assessments.select_related("young_person__pupil"),
        ),
        "conversations": hub.recorded(
            incident, "conversations", incident.conversations.select_related("young_person__pupil")
        ),
        "parent_contacts": hub.recorded(
            incident,
            "parent_contacts",
            incident.parent_contacts.select_related("young_person__pupil"),
        ),
        "actions": hub.recorded(
            incident, "actions", incident.actions.select_related("owner", "young_person__pupil")
        ),
        # R43: both children in this school.
        "safety_plans": plans,
        "safety_plans_needed": services.safety_plans_needed(
            incident, plans, list(incident.people.all())
        ),
    }
