"""What records add to the incident, registered with the hub when the app is ready.

The imagery section (viewing, deletion, searches) of the page and the PDF, a deletion not yet
confirmed as a reason not to close (R23) and, past its deadline, as overdue work; viewings,
deletions and searches in the chronology, the viewing records waiting for the user's own
confirmation on the dashboard (R21), the access log of every opening of the record, and the chase of overdue work in the sweep (R24).
On the dashboard too: term dates (or bank holidays) that run out soon (issue 20); and when a
calendar changes, the provisional deadlines it decides are counted again. And the files sent
inside ypsi to the user's schools, waiting for a DSL to accept them (R42).
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.calendars import calendar_changed, coverage_warnings, schools_using
from accounts.permissions import school_ids, schools_listed, scoped
from incidents import hub
from incidents.chronology import Event
from incidents.models import Incident
from ypsi.pagination import first

from . import retention, sar, sharing, transfers
from .chasing import create_reminders
from .exports import clear_expired, republish_queued
from .models import DeletionRequest, Disposal, RetentionReview, ViewingRecord
from .schooldays import recompute
from .services import log_access, log_exports


def register() -> None:
    hub.add_section("records/_incident.html", section, order=30)
    hub.add_panel("records/_dashboard.html", panel, order=10)
    hub.add_panel("records/_calendar.html", calendar_panel, order=5)
    hub.add_closing_check(closing_check)
    hub.add_chronology(chronology)
    hub.add_overdue(overdue)
    hub.incident_opened.connect(opened, sender=Incident)
    hub.incidents_listed.connect(listed, sender=Incident)
    hub.add_sweep("reminders", create_reminders)
    hub.add_sweep("expired exports", clear_expired)
    hub.add_sweep("exports republished", republish_queued)
    calendar_changed.connect(calendar_entered, dispatch_uid="records-recompute-deadlines")
    # Retention (R32, R40): the rule and review date on the record, the reviews due and the
    # disposals to agree on the dashboard, a month missed by the task listed by the sweep, and
    # a record disposed of withheld from every page and export.
    hub.add_section("records/_retention.html", retention_section, order=90)
    hub.add_panel("records/_retention_panel.html", retention_panel, order=30)
    hub.add_chronology(retention_chronology)
    hub.add_sweep("retention reviews listed", retention.catch_up)
    hub.add_seal(retention.seal)
    # Subject access requests (R41): chased until released; open ones on the dashboard.
    hub.add_sweep("subject access requests", sar.chase)
    hub.add_panel("records/_sar_panel.html", sar.panel, order=35)
    # Information sharing decisions (R39): on the page and in the PDF, and in the chronology.
    hub.add_section("records/_sharing.html", sharing.section, order=40)
    hub.add_chronology(sharing.chronology)
    # A transfer inside this installation (R42): the receiving DSLs see the files sent to them.
    hub.add_panel("records/_incoming_panel.html", incoming_panel, order=37)


def section(incident) -> dict:
    return {
        "viewings": hub.recorded(
            incident, "viewings", incident.viewings.select_related("viewer", "staff_present")
        ),
        "deletions": hub.recorded(
            incident, "deletions", incident.deletions.select_related("young_person__pupil")
        ),
        "searches": hub.recorded(
            incident,
            "searches",
            incident.searches.select_related(
                "searched_by", "authorised_by", "young_person__pupil"
            ),
        ),
        "evidence_preserved": bool(hub.evidence_preserved(incident)),
    }


def incoming_panel(user) -> dict:
    return {
        "incoming_files": first(transfers.incoming(user), ("sent_at", "pk")),
        "incoming_schools": schools_listed(user, "change_incidents"),
    }


def panel(user) -> dict:
    return {
        "to_confirm": first(
            ViewingRecord.objects.filter(
                Q(viewer=user, viewer_confirmed_at__isnull=True)
                | Q(staff_present=user, present_confirmed_at__isnull=True)
            ).select_related("incident"),
            ("viewed_at", "pk"),
        )
    }


def calendar_panel(user) -> dict:
    """For the administrator (who enters the dates) and the DSLs (whose deadlines they count)."""
    today = timezone.localdate()
    editable = school_ids(user, "manage_policy")
    warnings = [
        (school, message, school.pk in editable)
        for school in schools_listed(user, "manage_policy", "change_incidents")
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


def overdue(incident_ids) -> list[tuple[int, datetime.datetime, str]]:
    """Deletions pending, overdue the day after their deadline, on the dashboard as in the
    chase; with the police involved a deletion is on hold, never overdue (R16)."""
    pending = (
        DeletionRequest.objects.filter(
            incident__in=incident_ids, status=DeletionRequest.Status.PENDING
        )
        .select_related("young_person__pupil", "incident")
        .prefetch_related("incident__referrals")
    )
    return [
        (
            d.incident_id,
            hub.overdue_from(d.deadline),
            f"Deletion by {d.young_person.display_name} not confirmed "
            f"(deadline {d.deadline:%-d %b %Y})",
        )
        for d in pending
        if not hub.evidence_preserved(d.incident)
    ]


def chronology(incident) -> list[Event]:
    """Viewings and their confirmations, deletions asked, confirmed or refused, and searches."""
    events = []
    for v in hub.recorded(
        incident, "viewings", incident.viewings.select_related("viewer", "staff_present")
    ):
        events.append(
            Event(
                v.viewed_at,
                v.viewer,
                f"Imagery viewed ({v.get_reason_display().lower()})",
                v.place,
            )
        )
        if v.viewer_confirmed_at:
            events.append(Event(v.viewer_confirmed_at, v.viewer, "Viewing record confirmed"))
        if v.present_confirmed_at:
            events.append(
                Event(
                    v.present_confirmed_at,
                    v.staff_present,
                    "Viewing record confirmed by the member of staff present",
                )
            )
    for d in hub.recorded(
        incident, "deletions", incident.deletions.select_related("young_person__pupil", "asked_by")
    ):
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
            witnessed = f"; witnessed by {d.witnessed_by}" if d.witnessed_by else ""
            events.append(
                Event(
                    d.confirmed_at,
                    None,
                    f"Deletion confirmed: {name}",
                    f"{d.confirmed_how}{witnessed}",
                )
            )
    # A refusal has no time of its own on the record: its first history row is when it was.
    refused = {}
    for row in (
        DeletionRequest.history.filter(
            incident_id=incident.pk, status=DeletionRequest.Status.REFUSED
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        refused.setdefault(row.id, row)
    for row in refused.values():
        events.append(
            Event(
                row.history_date,
                row.history_user,
                "Refused to delete the imagery",
                row.refusal_note,
            )
        )
    for s in hub.recorded(
        incident,
        "searches",
        incident.searches.select_related("searched_by", "young_person__pupil"),
    ):
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


def listed(sender, user, incidents, what: str, **kwargs) -> None:
    """One insert for the page, however many cases it lists."""
    log_exports(user, incidents, what=what)


def retention_section(incident) -> dict:
    return {"retention": retention.retention_for(incident)}


def retention_panel(user) -> dict:
    return {
        "retention_due": first(
            scoped(
                RetentionReview.objects.filter(reviewed_at__isnull=True),
                user,
                "change_incidents",
                via="incident__school",
            ).select_related("incident__school"),
            ("due_on", "pk"),
        ),
        "disposals_to_agree": first(
            scoped(
                Disposal.objects.filter(status=Disposal.Status.PROPOSED),
                user,
                "sign_off_decisions",
                via="incident__school",
            ).select_related("incident__school", "proposed_by"),
            ("proposed_at", "pk"),
        ),
    }


def retention_chronology(incident) -> list[Event]:
    events = []
    for h in hub.recorded(
        incident,
        "retention_holds",
        incident.retention_holds.select_related("placed_by", "lifted_by"),
    ):
        events.append(Event(h.placed_at, h.placed_by, "Legal hold placed", h.reason))
        if h.lifted_at:
            events.append(Event(h.lifted_at, h.lifted_by, "Legal hold lifted", h.lifted_reason))
    for r in hub.recorded(
        incident,
        "retention_reviews",
        incident.retention_reviews.filter(reviewed_at__isnull=False).select_related("reviewed_by"),
    ):
        events.append(
            Event(
                r.reviewed_at,
                r.reviewed_by,
                f"Retention review: {r.get_outcome_display()}",
                r.reason,
            )
        )
    return events
