"""The initial review as a task list (issue 12 item 2): its parts, and how far each one is done.

One rule, asked by the task list, the decide page, the decision to manage in school and the
dashboard's grouping: a part is completed when what the procedure needs from it is recorded, in
progress when something of it is, and not started otherwise. It reads the incident, its review
(with the attendees) and its people, nothing else, so a list of cases can prefetch them.
"""

from dataclasses import dataclass

from django.db import models

from .models import Incident, InitialReview
from .rules import (
    ADULT_QUESTION,
    UNVERIFIED_KINDS,
    AgeBand,
    AggravatingFactor,
    Answer,
    Criterion,
    ImageryOrigin,
)


class Part(models.TextChoices):
    # In the order of the guidance's initial review (UKCCIS "Initial review meeting").
    MEETING = "meeting", "Meeting and attendees"
    SCOPE = "scope", "Scope and imagery"
    PEOPLE = "people", "People involved"
    CRITERIA = "criteria", "The five criteria"
    TYPOLOGY = "typology", "Typology and risk"
    FACTORS = "factors", "Aggravating factors"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


@dataclass(frozen=True)
class PartState:
    part: str
    status: str
    missing: tuple[str, ...]  # what is still needed, in plain words

    @property
    def label(self) -> str:
        return Part(self.part).label

    @property
    def completed(self) -> bool:
        return self.status == Status.COMPLETED

    def describe(self) -> str:
        """ "Typology and risk (the risk level)": the part and what it still needs."""
        return f"{self.label} ({'; '.join(self.missing)})" if self.missing else self.label


def _review(incident: Incident) -> InitialReview | None:
    review = getattr(incident, "review", None)  # the reverse one-to-one, when recorded
    return review if review is not None and review.pk else None


def _meeting(incident, review) -> tuple[bool, list[str]]:
    attendees = list(review.attendees.all()) if review else []
    others = review.other_attendees.strip() if review else ""
    recorded = bool(review and (review.held_at or attendees or others or review.considerations))
    missing = []
    if not (review and review.held_at):
        missing.append("when it was held")
    if not (attendees or others):
        missing.append("who attended")
    return recorded, missing


def _scope(incident, review) -> tuple[bool, list[str]]:
    recorded = bool(
        incident.incident_type
        or incident.imagery_media
        or incident.imagery_origin != ImageryOrigin.NOT_KNOWN
        or incident.sexual_acts != Answer.NOT_KNOWN
        or incident.sextortion
        or incident.platforms
    )
    return recorded, [] if incident.incident_type else ["the type of incident"]


def _people(incident, review) -> tuple[bool, list[str]]:
    people = list(incident.people.all())
    if not people:
        return False, ["the people involved"]
    # Who is pictured is asked by criterion 4 where it matters (sexual acts not ruled out).
    missing = []
    day = incident.incident_date
    unknown = [
        p.display_name
        for p in people
        if p.kind not in UNVERIFIED_KINDS and p.age_band_at(day) == AgeBand.UNKNOWN
    ]
    if unknown:
        missing.append(
            "the age or age band of " + ", ".join(unknown) + " (or record them as an online "
            "contact whose age is not verified)"
        )
    return True, missing


def _criteria(incident, review) -> tuple[bool, list[str]]:
    judged = review.criteria if review else {}
    missing = []
    open_ = [
        c
        for c in Criterion.values
        if (judged.get(c) or {}).get("answer", Answer.NOT_KNOWN) == Answer.NOT_KNOWN
    ]
    if open_:
        missing.append("an answer, yes or no, to criterion " + ", ".join(open_))
    asked = any(p.kind in UNVERIFIED_KINDS for p in incident.people.all())
    if asked and not (judged.get(Criterion.ADULT) or {}).get("note", "").strip():
        missing.append(f"your reason for criterion 1 ({ADULT_QUESTION.lower()})")
    return bool(judged), missing


def _typology(incident, review) -> tuple[bool, list[str]]:
    missing = [
        what
        for what, value in (
            ("the typology", incident.typology),
            ("the risk level", incident.risk_level),
        )
        if not value
    ]
    return len(missing) < 2, missing


def _factors(incident, review) -> tuple[bool, list[str]]:
    if review is None:
        return False, ["an answer to each aggravating factor"]
    unanswered = review.factors_unanswered()
    missing = (
        ["an answer to " + ", ".join(unanswered).lower()]
        if unanswered and len(unanswered) < len(AggravatingFactor)
        else ["an answer to each aggravating factor"]
        if unanswered
        else []
    )
    return bool(review.aggravating_factors), missing


RULES = {
    Part.MEETING: _meeting,
    Part.SCOPE: _scope,
    Part.PEOPLE: _people,
    Part.CRITERIA: _criteria,
    Part.TYPOLOGY: _typology,
    Part.FACTORS: _factors,
}


def part_states(incident: Incident) -> list[PartState]:
    """Each part of the initial review with its status and what it still needs, in order."""
    review = _review(incident)
    states = []
    for part in Part:
        recorded, missing = RULES[part](incident, review)
        status = (
            Status.COMPLETED
            if not missing
            else Status.IN_PROGRESS
            if recorded
            else Status.NOT_STARTED
        )
        states.append(PartState(part.value, status, tuple(missing)))
    return states


def incomplete(incident: Incident) -> list[PartState]:
    return [s for s in part_states(incident) if not s.completed]
