"""The user's notifications in the app (issue 12): what the emails say, with the unread ones
counted in the header, so that nothing reaches a person by email alone."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import school_ids

from ..models import Notification
from ..services.notifications import link, read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first. A reference is shown only while the user may still see its incident."""
    notes = list(
        Notification.objects.filter(recipient=request.user)
        .select_related("incident__school")
        .order_by("-created_at", "-pk")[:200]
    )
    visible = school_ids(request.user, "view_incidents")
    rows = [
        {
            "note": note,
            "link": link(note),
            "about": note.incident
            if note.incident and note.incident.school_id in visible
            else None,
        }
        for note in notes
    ]
    unread = sum(1 for note in notes if note.read_at is None)
    return render(request, "incidents/notifications.html", {"rows": rows, "unread": unread})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification reads it and goes where it points (behind its own checks)."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    read(request.user, [note])
    return redirect(link(note))
