"""One search box for the safeguarding team (issue 12 item 5, issue 21 item 3).

A reference (case aside: 'hil-2026-0002'), a young person's name (accents, case and apostrophes
aside) or UPN, or who told: the incidents the user may see that match, newest first, a page at a
time. Like every list, through `scoped`: another school's incident is never found.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.names import words
from accounts.permissions import school_ids, scoped
from ypsi.pagination import keyset_page

from .. import hub
from ..forms.intake import person_matches
from ..models import Incident, InvolvedPerson

MAX_QUERY = 100


def matching(incidents, query: str):
    query = query.strip()
    if not words(query):
        return incidents.none()
    upn = InvolvedPerson.objects.filter(incident=OuterRef("pk"), pupil__upn=query.upper())
    discloser = Q()
    for word in words(query):
        discloser &= Q(search_discloser__contains=word)
    return incidents.filter(
        Q(reference__istartswith=query) | person_matches(query) | Q(Exists(upn)) | discloser
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not school_ids(user, "view_incidents"):
        raise PermissionDenied("Only the safeguarding team and the headteacher search incidents.")
    query = request.GET.get("q", "")[:MAX_QUERY]
    people = Prefetch("people", queryset=InvolvedPerson.objects.select_related("pupil"))
    incidents = matching(scoped(Incident.objects.select_related("school"), user), query)
    page = keyset_page(request, incidents.prefetch_related(people), ("-reported_at", "-pk"))
    hub.incidents_listed.send(sender=Incident, user=user, incidents=page.items, what="list")
    ctx = {
        "query": query,
        "incidents": page,
        "several_schools": len(school_ids(user, "view_incidents")) > 1,
    }
    return render(request, "incidents/search.html", ctx)
