"""What records add to the incident, registered with the hub when the app is ready.

The imagery section (viewing, deletion, searches) of the page and the PDF, a deletion not yet
confirmed as a reason not to close (R23), viewings, deletions and searches in the chronology,
the viewing records waiting for the user's own confirmation on the dashboard (R21), the
access log of every opening of the record, and the chase of overdue work in the sweep (R24).
On the dashboard too: term dates (or bank holidays) that run out soon (issue 20); and when a
calendar changes, the provisional deadlines it decides are counted again.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.calendars import calendar_changed, coverage_warnings, schools_using
from accounts.models import School
from accounts.permissions import schools_where
from incidents import hub
from incidents.chronology import Event
from incidents.models import Incident

from .chasing import create_reminders
from .exports import clear_expired
from .models import DeletionRequest, ViewingRecord
from .schooldays import recompute
from .services import log_access


def register() -> None:
    hub.add_section("records/_incident.html", section, order=30)
    hub.add_panel("records/_dashboard.html", panel, order=10)
    hub.add_panel("records/_calendar.html", calendar_panel, order=5)
    hub.add_closing_check(closing_check)
    hub.add_chronology(chronology)
    hub.incident_opened.connect(opened, sender=Incident)
    hub.add_sweep("reminders", create_reminders)
    hub.add_sweep("expired exports", clear_expired)
    calendar_changed.connect(calendar_entered, dispatch_uid="records-recompute-deadlines")


def section(incident) -> dict:
    return {
        "viewings": incident.viewings.select_related("viewer", "staff_present"),
        "deletions": incident.deletions.select_related("young_person__pupil"),
        "searches": incident.searches.select_related(
            "searched_by", "authorised_by", "young_person__pupil"
        ),
        "evidence_preserved": bool(hub.evidence_preserved(incident)),
    }


def panel(user) -> dict:
    return {
        "to_confirm": ViewingRecord.objects.filter(
            Q(viewer=user, viewer_confirmed_at__isnull=True)
            | Q(staff_present=user, present_confirmed_at__isnull=True)
        ).select_related("incident")
    }


def calendar_panel(user) -> dict:
    """For the administrator (who enters the dates) and the DSLs (whose deadlines they count)."""
    today = timezone.localdate()
    editable = set(schools_where(user, "manage_policy").values_list("pk", flat=True))
    schools = School.objects.filter(
        Q(pk__in=editable) | Q(pk__in=schools_where(user, "change_incidents"))
    ).select_related("trust")
    warnings = [
        (school, message, school.pk in editable)
        for school in schools
        for message in coverage_warnings(school, today)
    ]
    return {"calendar_warnings": warnings}


def calendar_entered(sender, calendar, user=None, **kwargs) -> None:
    if calendar is not None:
        recompute(schools_using(calendar), user)


def closing_check(incident) -> list[str]:
    return [
        f"Deletion by {deletion.young_person.display_name} is not confirmed "
        f"(deadline {deletion.deadline:%d %b %Y})."
        for deletion in incident.deletions.filter(
            status=DeletionRequest.Status.PENDING
        ).select_related("young_person__pupil")
    ]


def chronology(incident) -> list[Event]:
    events = [
        Event(
            v.viewed_at,
            v.viewer,
            f"Imagery viewed ({v.get_reason_display().lower()})",
            v.place,
        )
        for v in incident.viewings.select_related("viewer")
    ]
    for d in incident.deletions.select_related("young_person__pupil", "asked_by"):
        name = d.young_person.display_name
        events.append(
            Event(
                d.asked_at,
                d.asked_by,
                f"{name} asked to delete the imagery",
                f"deadline {d.deadline:%d %b %Y}",
            )
        )
        if d.confirmed_at:
            events.append(
                Event(d.confirmed_at, None, f"Deletion confirmed: {name}", d.confirmed_how)
            )
    for s in incident.searches.select_related("searched_by", "young_person__pupil"):
        events.append(
            Event(
                s.searched_at,
                s.searched_by,
                f"Device searched: {s.young_person.display_name}",
                s.found,
            )
        )
    return events


def opened(sender, user, incident, what: str, **kwargs) -> None:
    log_access(user, incident, what)
