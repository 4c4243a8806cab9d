"""Everything recorded about one incident, gathered once: the web page and the PDF both use it."""

from django.db.models import Prefetch

from accounts.permissions import get_for_user

from . import hub, services
from .models import Incident, InvolvedPerson, SignOff
from .rules import AgeBand


def incident_for(user, pk: int, needs: str | None = None) -> Incident:
    """The incident, through the permission helper: 404 to outsiders, 403 to readers who cannot
    `needs`. Every view that opens an incident comes here."""
    return get_for_user(
        Incident.objects.select_related("school", "reported_by"), user, pk=pk, needs=needs
    )


def case_queryset():
    people = InvolvedPerson.objects.select_related("pupil__school")
    return Incident.objects.select_related("school", "reported_by", "closed_by").prefetch_related(
        Prefetch("people", queryset=people)
    )


def case_file(incident: Incident) -> dict:
    """The incident's own record, then every section the hub has (agencies, managing in
    school, imagery), in order: one dict for the page and the PDF."""
    day = incident.incident_date
    templates, sections = hub.sections(incident)
    return sections | {
        "section_templates": templates,
        "incident": incident,
        "people": [
            (p, p.age_at(day), AgeBand(p.age_band_at(day)).label) for p in incident.people.all()
        ],
        "assessment": services.assess(incident),
        "review": services.get_review(incident),
        "decisions": incident.decisions.select_related("made_by").prefetch_related(
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("signed_by"))
        ),
        "awaiting_sign_off": services.awaiting_sign_off(incident.decisions.all()).exists(),
    }


def managing_section(incident: Incident) -> dict:
    """Managing in school (R17-R20): a section like any app's, between agencies and imagery."""
    return {
        "risk": getattr(incident, "risk_assessment", None),
        "conversations": incident.conversations.select_related("young_person__pupil"),
        "parent_contacts": incident.parent_contacts.select_related("young_person__pupil"),
        "actions": incident.actions.select_related("owner"),
    }
