"""What referrals add to the incident, registered with the hub when the app is ready.

Each rule stays here, where the referrals live: the police-involved evidence guard (R16), the
required referral before closing (R8), the first referral of a decision to refer or of a report
from the police (R14), and the referrals, follow-ups and custody chain in the chronology.
"""

import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from accounts.permissions import scoped
from incidents import hub
from incidents.chronology import Event
from incidents.models import DisclosureSource, Incident, Stage
from incidents.services import referral_required
from ypsi.pagination import first
from ypsi.recording import save

from . import chasing, services
from .help import ROUTES, SEXTORTION_ADVICE, SEXTORTION_POINTS
from .models import (
    POLICE_AGENCIES,
    STATUTORY,
    Agency,
    CustodyEvent,
    Escalation,
    Referral,
    ReferralOutcome,
)


def register() -> None:
    hub.add_section("referrals/_incident.html", section, order=10)
    hub.add_panel("referrals/_dashboard.html", panel, order=20)
    hub.add_closing_check(closing_check)
    hub.add_chronology(chronology)
    hub.add_evidence_guard(evidence_guard)
    # R38: what an agency has not sent back is chased, and waited for on the dashboard.
    hub.add_sweep("agency responses", chasing.chase)
    hub.add_overdue(chasing.overdue)
    hub.add_waiting(chasing.waiting)
    hub.set_referrer(
        hub.Referrer(
            agencies=lambda: Agency.choices,
            record=record_referral,
            # To the police, social care or the LADO: Early Help is not the referral required.
            referred=lambda incident: incident.referrals.filter(agency__in=STATUTORY).exists(),
        )
    )
    hub.incident_reported.connect(started_by_police, sender=Incident)


def section(incident) -> dict:
    # One read of the referrals for the section and for every check of the page after it (the
    # police involved, evidence to preserve, social care's prompts); none for a case with none.
    if hub.holds(incident, "referrals"):
        prefetch_related_objects(
            [incident],
            Prefetch(
                "referrals",
                Referral.objects.select_related("made_by").prefetch_related(
                    "outcomes", "escalations", "follow_ups"
                ),
            ),
        )
    return {
        "referrals": hub.recorded(incident, "referrals"),
        "advice_calls": hub.recorded(incident, "advice_calls"),
        "help_routes": ROUTES,
        "sextortion_advice_points": SEXTORTION_ADVICE,
        "sextortion_advice": hub.recorded(incident, "sextortion_advice"),
        "follow_ups": hub.recorded(
            incident, "follow_ups", incident.follow_ups.select_related("recorded_by", "referral")
        ),
        "devices": hub.recorded(
            incident,
            "devices",
            incident.devices.prefetch_related(
                Prefetch("custody", queryset=CustodyEvent.objects.select_related("by"))
            ),
        ),
        "social_care_prompts": services.social_care_prompts(incident),
        "police_involved": services.police_involved(incident),
        "today": timezone.localdate(),
    }


def panel(user) -> dict:
    missing = scoped(
        Referral.objects.filter(agency__in=POLICE_AGENCIES, reference=""),
        user,
        "change_incidents",
        via="incident__school",
    )
    return {
        "missing_references": first(
            missing.exclude(incident__stage=Stage.CLOSED).select_related("incident"),
            ("made_at", "pk"),
        )
    }


def closing_check(incident) -> list[str]:
    if referral_required(incident) and not any(
        r.agency in STATUTORY for r in incident.referrals.all()
    ):
        return ["A referral is required and none is recorded."]
    return []


def evidence_guard(incident, action: str) -> str:
    if services.police_involved(incident):
        return services.EVIDENCE_PRESERVED.format(action=action)
    return ""


def record_referral(incident, user, **details) -> Referral:
    referral = services.new_referral(incident, user, **details)
    save(referral, user, "Referral recorded")
    return referral


def started_by_police(sender, incident, reporter, **kwargs) -> None:
    """The police told the school: the incident starts with that referral on record (R14)."""
    if incident.disclosure_source == DisclosureSource.POLICE:
        referral = Referral(
            incident=incident,
            agency=Agency.POLICE,
            made_at=incident.disclosed_at,
            made_by=reporter,
            reason="The police told the school of this incident.",
        )
        save(referral, reporter, "Reported by the police")


def chronology(incident) -> list[Event]:
    events = []
    for r in hub.recorded(incident, "referrals", incident.referrals.select_related("made_by")):
        ref = (
            f" (reference {r.reference})"
            if r.reference
            else (" (crime reference number missing)" if r.missing_reference else "")
        )
        events.append(
            Event(r.made_at, r.made_by, f"Referral to {r.get_agency_display()}{ref}", r.reason)
        )
        if r.acknowledged_at:
            what = f"{r.get_agency_display()} acknowledged the referral"
            events.append(Event(r.acknowledged_at, None, what, r.acknowledged_by))
    # Escalations and outcomes are of a referral, custody of a device: none without one.
    referred = hub.holds(incident, "referrals")
    escalations = Escalation.objects.filter(referral__incident=incident)
    for e in escalations.select_related("recorded_by", "referral") if referred else ():
        events.append(
            Event(
                e.escalated_at,
                e.recorded_by,
                f"Escalated ({e.referral}) to {e.to_whom}",
                e.concern,
            )
        )
        if e.outcome_at:
            events.append(
                Event(
                    e.outcome_at,
                    e.recorded_by,
                    f"Outcome of the escalation to {e.to_whom}",
                    e.outcome,
                )
            )
    for f in hub.recorded(
        incident, "follow_ups", incident.follow_ups.select_related("recorded_by")
    ):
        events.append(
            Event(
                f.occurred_at,
                f.recorded_by,
                f.get_kind_display(),
                f"{f.with_whom}: {f.note}" if f.with_whom else f.note,
            )
        )
    outcomes = ReferralOutcome.objects.filter(referral__incident=incident)
    for o in outcomes.select_related("recorded_by", "referral") if referred else ():
        ref = f" (reference {o.reference})" if o.reference else ""
        at = timezone.make_aware(datetime.datetime.combine(o.decided_on, datetime.time.min))
        events.append(
            Event(
                at,
                o.recorded_by,
                f"Outcome of the {o.referral}: {o.get_kind_display()}{ref}",
                o.note,
            )
        )
    for a in hub.recorded(
        incident, "advice_calls", incident.advice_calls.select_related("recorded_by")
    ):
        events.append(
            Event(
                a.called_at,
                a.recorded_by,
                f"Anonymous advice call to {a.get_agency_display()}",
                f"{a.spoke_to}: {a.advice}",
            )
        )
    for a in hub.recorded(
        incident, "sextortion_advice", incident.sextortion_advice.select_related("recorded_by")
    ):
        points = "; ".join(SEXTORTION_POINTS[p] for p in a.points if p in SEXTORTION_POINTS)
        events.append(
            Event(a.given_at, a.recorded_by, f"Sextortion advice given to {a.given_to}", points)
        )
    custody = CustodyEvent.objects.filter(device__incident=incident)
    held = hub.holds(incident, "devices")
    for c in custody.select_related("by", "device") if held else ():
        events.append(
            Event(
                c.at,
                c.by,
                f"Device {c.get_kind_display().lower()}: {c.device.description}",
                _custody_detail(c),
            )
        )
    return events


def _custody_detail(c) -> str:
    parts = [
        c.from_whom,
        c.reason,
        c.location,
        c.officer_name,
        c.officer_number and f"no. {c.officer_number}",
        c.police_reference and f"ref. {c.police_reference}",
        c.returned_to,
        c.get_consent_display() if c.consent else "",
        c.note,
    ]
    return "; ".join(p for p in parts if p)
