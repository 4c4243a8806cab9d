"""The initial review: scope, imagery facts, typology, the meeting and the criteria (R3, R5-R7)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ypsi.recording import save

from .. import guidance, rules, stages
from ..models import Incident, InitialReview, InvolvedPerson, Platform, Stage
from .assessment import get_review
from .common import require_open, require_reason, start_review
from .decision import facts_changed
from .intake import Person, check_person, person_row

# What a field holds before anything is recorded in it: filling one in is not a change.
BLANK = ("", None, False, [], {}, rules.Answer.NOT_KNOWN)


def replaces(old, new) -> bool:
    """Whether saving `new` changes what is already recorded as `old`, so that a reason is
    asked (R27): filling in what was blank, or adding to a list, is not (issue 12: the first
    save of a part never asks "why are you making this change?")."""
    if old in BLANK:
        return False
    if isinstance(old, list):
        return bool(set(old) - set(new or []))
    return old != new


@transaction.atomic
def record_facts(
    incident: Incident, user, reason: str, *, new_platform: tuple[str, str] = ("", ""), **fields
) -> None:
    """Scope, imagery facts, typology and risk: fields of the incident the DSL records.

    `new_platform` (name, kind), when named, is added to the school's list and to this
    incident's platforms in the same step (R4)."""
    if new_platform[0].strip():
        platform = add_platform(incident, user, name=new_platform[0], kind=new_platform[1])
        fields["platforms"] = [*fields.get("platforms", incident.platforms), platform.name]
    allowed = {
        "incident_type",
        "imagery_media",
        "imagery_origin",
        "sexual_acts",
        "sextortion",
        "typology",
        "risk_level",
        "platforms",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not a recorded fact: {', '.join(sorted(unknown))}")
    require_open(user, incident)
    if "platforms" in fields:
        offered = dict(offered_platforms(incident.school))
        missing = [p for p in fields["platforms"] if p not in offered]
        if missing:
            raise ValidationError(
                "Choose from the school's list, or add to it first: " + ", ".join(missing)
            )
        fields["platforms"] = [p for p in offered if p in fields["platforms"]]
    start_review(incident, user)
    corrected = any(replaces(getattr(incident, f), v) for f, v in fields.items())
    reason = require_reason(reason) if corrected else reason.strip() or "Initial review recorded"
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.full_clean(exclude=["reference"])
    save(incident, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def close_out_of_scope(incident: Incident, user, incident_type: str, reason: str) -> None:
    """Not YPSI (R3): closed with its reason, and kept on record (R25)."""
    require_open(user, incident)
    if incident_type not in rules.OUT_OF_SCOPE_TYPES:
        raise ValidationError(
            "Only adult pornography or messages without imagery are out of scope."
        )
    reason = require_reason(reason)
    start_review(incident, user)
    incident.incident_type = incident_type
    incident.closure_reason = f"Not YPSI: {reason}"
    stages.move(incident, Stage.CLOSED, user, f"Closed as not YPSI: {reason}")


@transaction.atomic
def record_meeting(
    incident: Incident,
    user,
    *,
    held_at,
    attendees,
    other_attendees: str,
    considerations: dict[str, str],
    reason: str = "",
) -> InitialReview:
    require_open(user, incident)
    if held_at and held_at > timezone.now():
        raise ValidationError("The meeting cannot be in the future.")
    unknown = set(considerations) - set(rules.Consideration.values)
    if unknown:
        raise ValueError(f"Unknown consideration: {', '.join(sorted(unknown))}")
    start_review(incident, user)
    review = get_review(incident)
    considerations = {k: v.strip() for k, v in considerations.items() if v.strip()}
    before = set(review.attendees.all()) if review.pk else set()
    corrected = (
        replaces(review.held_at, held_at)
        or replaces(review.other_attendees, other_attendees.strip())
        or bool(before - set(attendees))
        or any(replaces(v, considerations.get(k, "")) for k, v in review.considerations.items())
    )
    reason = (
        require_reason(reason)
        if corrected
        else reason.strip() or "Initial review meeting recorded"
    )
    review.held_at = held_at
    review.other_attendees = other_attendees.strip()
    review.considerations = considerations
    save(review, user, reason)
    review.attendees.set(attendees)
    return review


@transaction.atomic
def record_criteria(
    incident: Incident,
    user,
    *,
    criteria: dict[str, tuple[str, str]],
    reason: str = "",
) -> InitialReview:
    """The DSL's judgement on each criterion, with a note (R6). With an online contact whose
    age is not verified, or an AI application, criterion 1 asks whether an adult could be
    involved, and an answer needs its reason (R36)."""
    require_open(user, incident)
    for criterion, (answer, _note) in criteria.items():
        if criterion not in rules.Criterion.values or answer not in rules.Answer.values:
            raise ValueError(f"Bad criterion answer: {criterion}={answer}")
    answer, note = criteria.get(rules.Criterion.ADULT, (rules.Answer.NOT_KNOWN, ""))
    unverified = [p for p in incident.people.all() if p.kind in rules.UNVERIFIED_KINDS]
    if unverified and answer != rules.Answer.NOT_KNOWN and not note.strip():
        raise ValidationError(
            f"Criterion 1: {rules.ADULT_QUESTION} Give the reason for your answer: "
            + ", ".join(f"{p.display_name} is {p.get_kind_display().lower()}" for p in unverified)
            + "."
        )
    start_review(incident, user)
    review = get_review(incident)
    new = {c: {"answer": a, "note": n.strip()} for c, (a, n) in criteria.items()}
    corrected = any(
        replaces(old.get("answer"), new.get(c, {}).get("answer"))
        or replaces(old.get("note"), new.get(c, {}).get("note"))
        for c, old in review.criteria.items()
    )
    reason = require_reason(reason) if corrected else reason.strip() or "Criteria recorded"
    review.criteria = new
    save(review, user, reason)
    facts_changed(incident, user, reason)
    return review


@transaction.atomic
def record_aggravating_factors(
    incident: Incident, user, *, factors: dict[str, tuple[str, str]], reason: str = ""
) -> InitialReview:
    """Each aggravating factor answered yes or no, with a note for a yes (R9); a factor left
    blank is not yet answered, so the part can be saved and finished later."""
    require_open(user, incident)
    for factor, (answer, _note) in factors.items():
        if factor not in rules.AggravatingFactor.values or answer not in ("", "yes", "no"):
            raise ValueError(f"Bad aggravating factor answer: {factor}={answer}")
    unexplained = [
        rules.AggravatingFactor(f).label.lower()
        for f, (answer, note) in factors.items()
        if answer == rules.Answer.YES and not note.strip()
    ]
    if unexplained:
        raise ValidationError(
            "Say what you know of each aggravating factor you answer yes: "
            + ", ".join(unexplained)
            + "."
        )
    start_review(incident, user)
    review = get_review(incident)
    new = {f: {"answer": a, "note": n.strip()} for f, (a, n) in factors.items() if a}
    corrected = any(
        replaces(old.get("answer"), new.get(f, {}).get("answer", ""))
        or replaces(old.get("note"), new.get(f, {}).get("note", ""))
        for f, old in review.aggravating_factors.items()
    )
    reason = (
        require_reason(reason) if corrected else reason.strip() or "Aggravating factors recorded"
    )
    review.aggravating_factors = new
    save(review, user, reason)
    facts_changed(incident, user, reason)
    return review


@transaction.atomic
def correct_person(person: InvolvedPerson, user, reason: str, **fields) -> None:
    """Correct what is known of a person: the only way to change a derived criterion (R7)."""
    incident = person.incident
    require_open(user, incident, person)
    reason = require_reason(reason)
    for name, value in fields.items():
        setattr(person, name, value)
    check_person(incident.school, _as_person(person))
    save(person, user, reason)
    facts_changed(incident, user, reason)


@transaction.atomic
def add_person(incident: Incident, user, person: Person, reason: str) -> InvolvedPerson:
    require_open(user, incident)
    reason = require_reason(reason)
    check_person(incident.school, person)
    row = person_row(incident, person)
    save(row, user, reason)
    facts_changed(incident, user, reason)
    return row


def _as_person(p: InvolvedPerson) -> Person:
    return Person(
        roles=list(p.roles), pupil=p.pupil, name=p.name, group_size=p.group_size, kind=p.kind
    )


def offered_platforms(school) -> list[tuple[str, str]]:
    """The devices, apps and platforms a DSL picks from: the standard list, then the school's
    own additions (R4), as (name, kind)."""
    standard = [(name, kind) for name, kind in rules.STANDARD_PLATFORMS]
    own = [(p.name, p.kind) for p in school.platforms.all()]
    return standard + [p for p in own if p[0] not in dict(standard)]


@transaction.atomic
def add_platform(incident: Incident, user, *, name: str, kind: str) -> Platform:
    """A DSL extends the school's list with what this incident involved (R4)."""
    require_open(user, incident)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Name the device, app or platform to add.")
    if kind not in rules.PlatformKind.values:
        raise ValidationError("Say what kind of device, app or platform it is.")
    if name.lower() in {n.lower() for n, _kind in offered_platforms(incident.school)}:
        raise ValidationError(f"{name} is already on the list: choose it there.")
    platform = Platform(school=incident.school, name=name, kind=kind, added_by=user)
    save(platform, user, f"Added to the school's list of platforms for {incident}")
    return platform


def platform_counts(incidents) -> list[tuple[str, str, int]]:
    """How many of `incidents` involved each device, app or platform, most first, with its
    kind: what the inspection report counts (R4, R26). One query, and only for the schools'
    own additions."""
    counts: dict[str, int] = {}
    for incident in incidents:
        for name in incident.platforms:
            counts[name] = counts.get(name, 0) + 1
    kinds = dict(rules.STANDARD_PLATFORMS)
    own = [n for n in counts if n not in kinds]
    if own:
        schools = {incident.school_id for incident in incidents}
        kinds |= dict(
            Platform.objects.filter(school__in=schools, name__in=own).values_list("name", "kind")
        )
    return sorted(
        (
            (n, rules.PlatformKind(kinds.get(n, rules.PlatformKind.OTHER)).label, c)
            for n, c in counts.items()
        ),
        key=lambda t: (-t[2], t[0]),
    )


def annex_g(incident: Incident) -> list[dict]:
    """The UKCCIS Annex G flowchart as the review's outline: each step, in its words, marked
    done, current (where the case is now), not taken, or still to come (item 7)."""
    G = guidance.AnnexGStep
    stage = incident.stage
    assessed = incident.risk_assessments.exists()
    if stage in (Stage.REPORTED, Stage.UNDER_REVIEW):
        states = {G.INITIAL_REVIEW: "current", G.REFERRAL: "to come", G.RISK_ASSESSMENT: "to come"}
    elif stage == Stage.REFERRED:
        states = {G.INITIAL_REVIEW: "done", G.REFERRAL: "current", G.RISK_ASSESSMENT: "to come"}
    elif stage == Stage.MANAGED_IN_SCHOOL:
        states = {
            G.INITIAL_REVIEW: "done",
            G.REFERRAL: "not taken",
            G.RISK_ASSESSMENT: "done" if assessed else "current",
        }
    else:
        referred = incident.decisions.filter(kind="refer").exists()
        states = {
            G.INITIAL_REVIEW: "done",
            G.REFERRAL: "done" if referred else "not taken",
            G.RISK_ASSESSMENT: "done" if assessed else "not taken",
        }
    states[G.DISCLOSURE] = "done"
    states[G.MANAGEMENT] = {
        Stage.MANAGED_IN_SCHOOL: "current" if assessed else "to come",
        Stage.CLOSED: "done",
    }.get(stage, "to come")
    return [
        {
            "step": step.value,
            "label": step.label,
            "text": guidance.ANNEX_G_TEXT[step],
            "state": states[step],
        }
        for step in G
    ]
