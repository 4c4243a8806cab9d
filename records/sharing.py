"""The information sharing log (R39): each decision to share information, or not to.

DfE Information sharing advice (2024) and Working Together (2023): with another school, an
agency, a platform or the parent of another young person, the decision is recorded with what,
with whom, why, whether consent was sought (and, where it was not, or was refused, why the
decision was made without it) and the lawful basis for sharing. A decision not to share is
recorded as carefully as one to share ("keep a record", the seventh golden rule).

A request to share can come long after a case is closed (a new school, a court): the record of
the decision is added to a closed incident too, under the incident's lock, but never to one
disposed of.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from incidents import hub
from incidents.chronology import Event
from incidents.services import lock, require_perm
from ypsi.recording import require_filled, save

from .models import SharingDecision


@transaction.atomic
def record_sharing(incident, user, **data) -> SharingDecision:
    require_perm(user, "change_incidents", incident)
    lock(incident, user)
    hub.refuse_if_sealed(incident)
    row = SharingDecision(incident=incident, recorded_by=user, **data)
    require_filled(
        (row.recipient, "with whom"),
        (row.what, "what information"),
        (row.why, "why"),
        (row.decided_by, "who decided"),
    )
    if row.consent == SharingDecision.Consent.GIVEN and not row.consent_from.strip():
        raise ValidationError("Say whose consent was given.")
    if row.consent != SharingDecision.Consent.GIVEN and not row.consent_note.strip():
        raise ValidationError(
            "Say why consent was not sought, or why the decision was made without it."
        )
    if row.decision == SharingDecision.Decision.SHARE:
        if not row.lawful_basis:
            raise ValidationError("Name the lawful basis for sharing.")
        if (
            row.lawful_basis == SharingDecision.LawfulBasis.CONSENT
            and row.consent != SharingDecision.Consent.GIVEN
        ):
            raise ValidationError("Consent is the basis only when it was sought and given.")
    else:
        row.lawful_basis = ""  # nothing was shared, so nothing needed a basis
    save(row, user, f"Information sharing decision: {row.get_decision_display().lower()}")
    return row


def section(incident) -> dict:
    return {
        "sharing_decisions": hub.recorded(
            incident, "sharing_decisions", incident.sharing_decisions.select_related("recorded_by")
        )
    }


def chronology(incident) -> list[Event]:
    return [
        Event(
            d.decided_at,
            d.recorded_by,
            f"Information {'shared with' if d.decision == SharingDecision.Decision.SHARE else 'not shared with'} "
            f"{d.recipient}",
            f"{d.what} Why: {d.why}",
        )
        for d in hub.recorded(
            incident, "sharing_decisions", incident.sharing_decisions.select_related("recorded_by")
        )
    ]
