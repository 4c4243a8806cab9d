"""What the recorded facts and judgements mean: the five criteria, derived and judged (R5-R8)."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from .. import rules
from ..models import Incident, InitialReview, InvolvedPerson


@dataclass
class CriterionView:
    criterion: str
    label: str
    judged: str
    note: str
    derived: rules.Derived | None
    answer: str  # what counts: the judgement, raised (never lowered) by what the facts show


@dataclass
class Assessment:
    criteria: list[CriterionView]
    referral_reasons: list[str]
    unanswered: list[str]
    local_rule_reasons: list[str]
    prompts: list[str]
    previous_incidents: list[Incident]
    # Who is under 13, for the UKCCIS "Younger children" guidance beside criterion 3 (item 7).
    under_13: list[str] = field(default_factory=list)

    @property
    def answers(self) -> dict[str, str]:
        return {c.criterion: c.answer for c in self.criteria}

    def refusal(self, incident: Incident) -> list[str]:
        """Why the incident may not be managed in school; empty when it may (R8, R9, R13)."""
        problems = []
        if not incident.incident_type:
            problems.append("Record the type of incident first (R3).")
        elif incident.incident_type == rules.IncidentType.ADULT_PRODUCED:
            problems.append(
                "Imagery of under-18s made or shared by an adult is child sexual abuse: "
                "schools should always inform the police."
            )
        elif incident.incident_type in rules.OUT_OF_SCOPE_TYPES:
            problems.append("This incident is outside the advice: close it as not YPSI.")
        if self.referral_reasons:
            problems.append(
                "An immediate referral to police and/or children's social care should be made: "
                + "; ".join(self.referral_reasons)
            )
        if self.unanswered:
            problems.append(
                "Answer every criterion before deciding. Not yet known: "
                + "; ".join(self.unanswered)
                + ". If in doubt, refer."
            )
        if self.local_rule_reasons:
            problems.append(
                "Local procedure: this incident must go to the first point of contact: "
                + "; ".join(self.local_rule_reasons)
            )
        return problems


def ai_prompts(incident_type: str, imagery_origin: str) -> list[str]:
    """R30 and issue 13 item 5: an AI-generated or manipulated image is still an indecent image
    of a child, and one made of another child was made without their consent."""
    prompts = []
    if imagery_origin in (rules.ImageryOrigin.AI_GENERATED, rules.ImageryOrigin.MANIPULATED):
        prompts.append(
            'The imagery is recorded as AI-generated or digitally manipulated: "pseudo-images" '
            "of children are indecent images in law, and are treated as real imagery in every "
            "criterion."
        )
    if incident_type == rules.IncidentType.MAKES_ANOTHERS:
        prompts.append(
            "Imagery of another child was made without the pictured child taking part: consider "
            "whether they were coerced or harmed (criterion 2, criterion 5) and whether the "
            "behaviour is harmful sexual behaviour."
        )
    return prompts


def person_facts(incident: Incident) -> list[rules.PersonFacts]:
    day = incident.incident_date
    return [
        rules.PersonFacts(
            name=p.display_name,
            roles=tuple(p.roles),
            age=p.age_at(day),
            age_band=p.age_band_at(day),
            age_from=p.age_source(),
            kind=p.kind,
        )
        for p in incident.people.all()
    ]


def get_review(incident: Incident) -> InitialReview:
    try:
        return incident.review
    except InitialReview.DoesNotExist:
        return InitialReview(incident=incident)


def assess(incident: Incident) -> Assessment:
    """What the recorded facts and judgements mean, with the reasons shown on the page."""
    school = incident.school
    threshold = school.under_age_threshold
    people = person_facts(incident)
    review = get_review(incident)
    derived = {
        rules.Criterion.ADULT: rules.derive_adult(people, incident.incident_type),
        rules.Criterion.COERCION: rules.derive_coercion(incident.sextortion),
        rules.Criterion.UNDER_THRESHOLD: rules.derive_under_threshold(
            people, incident.sexual_acts, threshold
        ),
    }
    views = []
    for criterion in rules.Criterion.values:
        judged, note = review.judged(criterion)
        d = derived.get(criterion)
        if d is not None and d.answer == rules.Answer.NO and criterion == rules.Criterion.COERCION:
            d = None  # sextortion is one way criterion 2 holds, not the only one
        views.append(
            CriterionView(
                criterion=criterion,
                label=rules.criterion_label(criterion, threshold),
                judged=judged,
                note=note,
                derived=d,
                answer=rules.effective(judged, d, note),
            )
        )
    answers = {v.criterion: v.answer for v in views}
    local = []
    if school.wolverhampton_rule:
        # "The risk assessment of the young people finds high risk": the review's level, or
        # any one young person's own assessment afterwards (R17), whichever is high.
        assessed_high = incident.risk_assessments.filter(risk_level=rules.RiskLevel.HIGH)
        local = rules.wolverhampton_requires_mash(
            typology=incident.typology,
            people=people,
            risk_level=(rules.RiskLevel.HIGH if assessed_high.exists() else incident.risk_level),
            answers=answers,
        )
    prompts = []
    if incident.sextortion:
        prompts.append(
            "Financially motivated sexual extortion is usually carried out by adult offenders: an "
            "adult is very likely involved (criterion 1). Blackmail is criterion 2."
        )
    prompts += ai_prompts(incident.incident_type, incident.imagery_origin)
    with_sen = [
        p.display_name
        for p in incident.people.all()
        if p.sen_or_disability or (p.pupil_id and p.pupil.sen_or_disability)
    ]
    if with_sen:
        prompts.append(
            "Recorded with SEN or a disability: "
            + ", ".join(with_sen)
            + ". Criterion 2 asks whether there are concerns about their capacity to consent."
        )
    pupils = [p.pupil_id for p in incident.people.all() if p.pupil_id]
    # Every earlier one, however many (a pattern is what the DSL must see), by reference only.
    earlier = InvolvedPerson.objects.filter(incident=OuterRef("pk"), pupil__in=pupils)
    previous = (
        list(
            Incident.objects.filter(Exists(earlier), reported_at__lt=incident.reported_at)
            .exclude(pk=incident.pk)
            .only("reference")
        )
        if pupils
        else []
    )
    return Assessment(
        criteria=views,
        referral_reasons=rules.referral_reasons(answers, threshold),
        unanswered=rules.unanswered(answers, threshold),
        local_rule_reasons=local,
        prompts=prompts,
        previous_incidents=previous,
        under_13=[p.name for p in people if rules.is_under(p, 13)],
    )


def facts_snapshot(incident: Incident) -> dict:
    """Everything a decision rests on, to tell when it has changed since it was signed."""
    review = get_review(incident)
    assessment = assess(incident)
    return {
        "incident_type": incident.incident_type,
        "imagery": [
            sorted(incident.imagery_media),
            incident.imagery_origin,
            incident.sexual_acts,
            incident.sextortion,
        ],
        "typology": [incident.typology, incident.risk_level],
        "criteria": {c.criterion: [c.answer, c.note] for c in assessment.criteria},
        "aggravating_factors": {
            f: list(review.factor(f))
            for f in rules.AggravatingFactor.values
            if review.factor(f)[0]
        },
        # A kind is added only where it is not a person's, so snapshots from before R36 match.
        "people": [
            [p.name, sorted(p.roles), p.age, p.age_band]
            + ([p.kind] if p.kind != rules.PersonKind.PERSON else [])
            for p in person_facts(incident)
        ],
        "vulnerabilities": [[p.display_name, p.vulnerabilities] for p in incident.people.all()],
    }
