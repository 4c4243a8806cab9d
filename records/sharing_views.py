"""The page that records an information sharing decision (R39); the log is a section of the
incident's page and PDF. Rules are in records/sharing.py."""

from django.contrib.auth.decorators import login_required

from incidents.casefile import incident_for
from ypsi.views import record_page

from . import sharing
from .sar_forms import SharingForm


@login_required
def sharing_add(request, pk):
    incident = incident_for(request.user, pk, needs="change_incidents")
    return record_page(
        request,
        incident=incident,
        form=SharingForm(request.POST or None, initial={"decided_by": str(request.user)}),
        save=lambda d: sharing.record_sharing(incident, request.user, **d),
        title="Record an information sharing decision",
        button="Record the decision",
        success="Information sharing decision recorded.",
        intro="Record each decision to share information, or not to: with another school, an "
        "agency, a platform or the parent of another young person. Share only what is "
        "necessary and proportionate, and never the imagery.",
        then=f"{incident.get_absolute_url()}#sharing",
    )
