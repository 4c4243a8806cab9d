"""The guidance's decision procedure as data and pure functions (R3, R5-R9, R12, R13, R30).

Nothing here touches the database: the services gather the facts, these functions say what they
mean. Wording is the guidance's own (UKCCIS "Initial review meeting", Annex F Resource Sheet 1,
KAS "Aggravating factors", WOL "Initial review meeting").
"""

from dataclasses import dataclass
from datetime import date

from django.db import models

# The rules of managing in school, where the code has always found them.
from .managing_rules import STANDARD_PLATFORMS as STANDARD_PLATFORMS
from .managing_rules import ActionKind as ActionKind
from .managing_rules import NotInformingAgreedWith as NotInformingAgreedWith
from .managing_rules import ParentContactKind as ParentContactKind
from .managing_rules import ParentContactMethod as ParentContactMethod
from .managing_rules import PlatformKind as PlatformKind
from .managing_rules import RiskQuestion as RiskQuestion


class PersonRole(models.TextChoices):
    # R4: a person's part in the incident. One person may have several (pictured and sender).
    PICTURED = "pictured", "Pictured in the imagery"
    MAKER = "maker", "Made the imagery"
    SENDER = "sender", "Sent the imagery"
    SHARER = "sharer", "Shared it on"
    RECIPIENT = "recipient", "Received it"
    POSSESSOR = "possessor", "Has it"


class PersonKind(models.TextChoices):
    # R36: beside young people and adults, parties whose age cannot be known (UKCIS 2024: imagery
    # shared with someone believed to be under 18; KCSIE 2026: AI applications that simulate
    # other users).
    PERSON = "person", "A young person or an adult"
    ONLINE_CONTACT = "online_contact", "An online contact, age not verified"
    AI_APPLICATION = "ai_application", "An AI application"


# Either makes criterion 1 a question the DSL answers with a reason (R36).
UNVERIFIED_KINDS = (PersonKind.ONLINE_CONTACT, PersonKind.AI_APPLICATION)
ADULT_QUESTION = "Could an adult be involved?"


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    FROM_13_TO_17 = "13_17", "13 to 17"
    ADULT = "18_plus", "18 and over"
    UNKNOWN = "unknown", "Not known"


def band_for_age(age: int) -> str:
    if age < 13:
        return AgeBand.UNDER_13
    if age < 18:
        return AgeBand.FROM_13_TO_17
    return AgeBand.ADULT


def age_on(date_of_birth: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


class ImageryOrigin(models.TextChoices):
    # R30: "pseudo-images" are indecent images in law.
    REAL = "real", "Real"
    MANIPULATED = "manipulated", "Digitally manipulated"
    AI_GENERATED = "ai", "AI-generated"
    NOT_KNOWN = "not_known", "Not known"


class ImageryMedium(models.TextChoices):
    PHOTO = "photo", "Photo"
    VIDEO = "video", "Video"
    LIVE_STREAM = "live_stream", "Live stream"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not yet known"


# Safety order: a "yes" outweighs "not yet known", which outweighs "no".
_WEIGHT = {Answer.NO: 0, Answer.NOT_KNOWN: 1, Answer.YES: 2}


def strongest(*answers: str) -> str:
    return max(answers, key=lambda a: _WEIGHT[a])


class Criterion(models.TextChoices):
    # UKCCIS: "An immediate referral to police and/or children's social care should be made if at
    # this initial stage:" (R6)
    ADULT = "1", "1. The incident involves an adult"
    COERCION = (
        "2",
        (
            "2. There is reason to believe that a young person has been coerced, blackmailed or "
            "groomed, or there are concerns about their capacity to consent (for example owing to "
            "special educational needs)"
        ),
    )
    UNUSUAL_OR_VIOLENT = (
        "3",
        (
            "3. What you know about the imagery suggests the content depicts sexual acts which are "
            "unusual for the young person's developmental stage, or are violent"
        ),
    )
    UNDER_THRESHOLD = (
        "4",
        "4. The imagery involves sexual acts and any pupil in the imagery is under 13",
    )
    IMMEDIATE_RISK = (
        "5",
        (
            "5. You have reason to believe a pupil is at immediate risk of harm owing to the sharing "
            "of the imagery, for example, the young person is presenting as suicidal or self-harming"
        ),
    )


def criterion_label(criterion: str, threshold: int) -> str:
    """Criterion 4 names the school's own age threshold (R7)."""
    label = Criterion(criterion).label
    return (
        label.replace("under 13", f"under {threshold}")
        if criterion == Criterion.UNDER_THRESHOLD
        else label
    )


class Consideration(models.TextChoices):
    # UKCCIS "Initial review meeting": what the meeting should aim to establish (R5).
    IMMEDIATE_RISK = (
        "immediate_risk",
        "Whether there is an immediate risk to a young person or young people",
    )
    REFERRAL = (
        "referral",
        "If a referral should be made to the police and/or children's social care",
    )
    VIEWING = (
        "viewing",
        (
            "If it is necessary to view the imagery in order to safeguard the young person (in most "
            "cases, imagery should not be viewed)"
        ),
    )
    FURTHER_INFORMATION = (
        "further_information",
        "What further information is required to decide on the best response",
    )
    SPREAD = (
        "spread",
        "Whether the imagery has been shared widely and via what services and/or platforms",
    )
    DELETION = (
        "deletion",
        "Whether immediate action should be taken to delete or remove images from devices or online services",
    )
    RELEVANT_FACTS = (
        "relevant_facts",
        "Any relevant facts about the young people involved which would influence risk assessment",
    )
    OTHER_SETTINGS = (
        "other_settings",
        "If there is a need to contact another school, college, setting or individual",
    )
    PARENTS = (
        "parents",
        "Whether to contact parents or carers of the pupils involved (in most cases parents should be involved)",
    )


class AggravatingFactor(models.TextChoices):
    # KAS: "Aggravating factors i.e. ... (age is not an aggravating factor)" (R9)
    COERCION = "coercion", "Coercion"
    BLACKMAIL = "blackmail", "Blackmail"
    GROOMING = "grooming", "Grooming"
    ADULTS = "adults", "Adults"
    BAIT_SITES = "bait_sites", "Bait sites"
    EXPLOITATION = "exploitation", "Exploitation"
    EXTENSIVE_SHARING = "extensive_sharing", "Extensive sharing"
    INAPPROPRIATE_SHARING = "inappropriate_sharing", "Inappropriate sharing"
    MALICIOUS_INTENT = "malicious_intent", "Malicious intent"
    PERSISTENT_BEHAVIOUR = "persistent_behaviour", "Persistent behaviour"
    PROFIT_MOTIVE = "profit_motive", "Profit motive"


class IncidentType(models.TextChoices):
    # UKCCIS "The types of incidents which this advice covers" and "does not cover" (R3).
    SELF_GENERATED = "self", "A young person creates and shares imagery of themselves"
    SHARES_ANOTHERS = "shares", "A young person shares imagery of another young person"
    POSSESSES_ANOTHERS = "possesses", "A young person has imagery of another young person"
    # Issue 13 item 5: what the form could not say before (UKCIS 2024: made, not only shared).
    MADE_NOT_SHARED = (
        "made_not_shared",
        "A young person made imagery of themselves and has not shared it",
    )
    MAKES_ANOTHERS = (
        "makes_anothers",
        'A young person made imagery of another child (including with AI "nudify" tools)',
    )
    ADULT_PRODUCED = (
        "adult",
        ("Imagery of someone under 18 made or shared by an adult: this is child sexual abuse"),
    )
    ADULT_PORNOGRAPHY = "adult_porn", "Young people sharing adult pornography (not covered)"
    TEXT_ONLY = "text_only", "Sexual messages with no imagery (not covered)"


OUT_OF_SCOPE_TYPES = (IncidentType.ADULT_PORNOGRAPHY, IncidentType.TEXT_ONLY)


class Typology(models.TextChoices):
    # Wolak and Finkelhor, UKCCIS Annex F Resource Sheet 1 (R12).
    AGGRAVATED_ADULT = "aggravated_adult", "Aggravated: adult involved"
    AGGRAVATED_INTENT = "aggravated_intent", "Aggravated: youth only, intent to harm"
    AGGRAVATED_RECKLESS = "aggravated_reckless", "Aggravated: youth only, reckless misuse"
    EXPERIMENTAL_ROMANTIC = "experimental_romantic", "Experimental: romantic"
    EXPERIMENTAL_ATTENTION = "experimental_attention", "Experimental: sexual attention seeking"
    EXPERIMENTAL_OTHER = "experimental_other", "Experimental: other"

    @property
    def aggravated(self) -> bool:
        return self.value.startswith("aggravated")


TYPOLOGY_DEFINITIONS = {
    Typology.AGGRAVATED_ADULT: (
        "Adult offenders attempt to develop relationships by grooming teenagers, in criminal sex "
        "offenses even without the added element of youth-produced images. The youth-produced "
        "sexual images may be solicited by adult offenders."
    ),
    Typology.AGGRAVATED_INTENT: (
        "Cases that arise from interpersonal conflict such as break-ups and fights among friends; "
        "involve criminal or abusive conduct such as blackmail, threats or deception; or involve "
        "sexual abuse or exploitation by young people."
    ),
    Typology.AGGRAVATED_RECKLESS: (
        "No intent to harm but images are taken or sent without the knowing or willing "
        "participation of the young person who is pictured; a victim may have been harmed."
    ),
    Typology.EXPERIMENTAL_ROMANTIC: (
        "Young people in ongoing relationships make images for themselves or each other, and "
        "images were not intended to be distributed beyond the pair."
    ),
    Typology.EXPERIMENTAL_ATTENTION: (
        "Images are made and sent between or among young people who were not known to be "
        "romantic partners, or one young person takes pictures and sends them to many others or "
        "posts them online."
    ),
    Typology.EXPERIMENTAL_OTHER: (
        "No aggravating elements, but not romantic or attention seeking: young people who take "
        "pictures of themselves for themselves, or pre-adolescent children (9 or younger) with no "
        "apparent sexual motive."
    ),
}


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about one person involved."""

    name: str
    roles: tuple[str, ...]
    age: int | None  # at the incident date, when known
    age_band: str  # AgeBand value: under_13, 13_17, 18_plus, unknown
    # Where the age comes from, for the review's reasons: "the date of birth on the roster".
    age_from: str = ""
    kind: str = PersonKind.PERSON

    def role_text(self) -> str:
        roles = [PersonRole(r).label.lower() for r in self.roles if r in PersonRole.values]
        if self.kind in UNVERIFIED_KINDS:
            roles.insert(0, PersonKind(self.kind).label.lower())
        return ", ".join(roles)

    def describe(self) -> str:
        age = (
            f"aged {self.age}"
            if self.age is not None
            else {
                "under_13": "under 13",
                "13_17": "aged 13 to 17",
                "18_plus": "18 or over",
            }.get(self.age_band, "age not known")
        )
        source = f" ({self.age_from})" if self.age_from else ""
        return f"{self.name} ({self.role_text()}), {age}{source}"


@dataclass(frozen=True)
class Derived:
    answer: str
    reasons: tuple[str, ...]
    # Set when the facts cannot say and the DSL must answer this question with a reason (R36).
    question: str = ""


def is_adult(p: PersonFacts) -> bool | None:
    if p.age is not None:
        return p.age >= 18
    return {"18_plus": True, "under_13": False, "13_17": False}.get(p.age_band)


def is_under(p: PersonFacts, threshold: int) -> bool | None:
    """Whether the person is under the threshold age; None when what is known cannot say."""
    if p.age is not None:
        return p.age < threshold
    if p.age_band == "under_13":
        return True if threshold >= 13 else None
    if p.age_band == "13_17":
        return True if threshold >= 18 else (False if threshold <= 13 else None)
    if p.age_band == "18_plus":
        return False if threshold <= 18 else None
    return None


def derive_adult(people: list[PersonFacts], incident_type: str) -> Derived:
    """Criterion 1 from the facts: anyone involved aged 18 or over (R7).

    An online contact whose age is not verified, or an AI application, has no age to go on
    (one it claims counts only when it makes them an adult): the DSL is asked whether an adult
    could be involved, and answers with a reason (R36)."""
    if incident_type == IncidentType.ADULT_PRODUCED:
        return Derived(Answer.YES, ("The imagery was made or shared by an adult",))
    adults = [p for p in people if is_adult(p)]
    if adults:
        return Derived(Answer.YES, tuple(f"Involves an adult: {p.describe()}" for p in adults))
    unverified = [p for p in people if p.kind in UNVERIFIED_KINDS]
    asked = tuple(f"{ADULT_QUESTION} Answer with your reason: {p.describe()}" for p in unverified)
    unknown = [p for p in people if is_adult(p) is None and p.kind not in UNVERIFIED_KINDS]
    if unknown:
        return Derived(
            Answer.NOT_KNOWN,
            tuple(
                f"Age not known, so it is not known whether an adult is involved: {p.describe()}"
                for p in unknown
            )
            + asked,
        )
    if unverified:
        return Derived(Answer.NOT_KNOWN, asked, question=ADULT_QUESTION)
    return Derived(Answer.NO, ("Everyone recorded is under 18",))


def derive_under_threshold(people: list[PersonFacts], sexual_acts: str, threshold: int) -> Derived:
    """Criterion 4 from the facts: sexual acts and a pictured young person under the threshold."""
    if sexual_acts == Answer.NO:
        return Derived(Answer.NO, ("The imagery is recorded as not involving sexual acts",))
    pictured = [p for p in people if "pictured" in p.roles]
    if not pictured:
        return Derived(Answer.NOT_KNOWN, ("No one is recorded as pictured in the imagery",))
    under = [p for p in pictured if is_under(p, threshold)]
    unknown = [p for p in pictured if is_under(p, threshold) is None]
    if sexual_acts == Answer.YES and under:
        return Derived(
            Answer.YES,
            tuple(f"Sexual acts, and pictured under {threshold}: {p.describe()}" for p in under),
        )
    if under or unknown:
        reasons = []
        if sexual_acts == Answer.NOT_KNOWN:
            reasons.append("It is not yet known whether the imagery involves sexual acts")
        reasons += [
            f"Pictured, age against {threshold} not known: {p.describe()}" for p in unknown
        ]
        reasons += [
            f"Pictured under {threshold}: {p.describe()}"
            for p in under
            if sexual_acts != Answer.YES
        ]
        return Derived(Answer.NOT_KNOWN, tuple(reasons))
    return Derived(Answer.NO, (f"Everyone pictured is {threshold} or over",))


def derive_coercion(sextortion: bool) -> Derived:
    """R30: financially motivated sexual extortion is blackmail, so criterion 2 holds."""
    if sextortion:
        return Derived(Answer.YES, ("Financially motivated sexual extortion is blackmail",))
    return Derived(Answer.NO, ())


def effective(judged: str, derived: Derived | None, note: str = "") -> str:
    """The answer that counts: a derived answer can be raised by judgement, never lowered; a
    question the facts leave to the DSL is answered only by an answer with a reason (R36)."""
    if derived is None:
        return judged
    if derived.question:
        return judged if note.strip() else Answer.NOT_KNOWN
    return strongest(judged, derived.answer)


def referral_reasons(answers: dict[str, str], threshold: int) -> list[str]:
    """Why a referral is required, in the guidance's words; empty when none is (R8)."""
    return [
        criterion_label(c, threshold) for c in Criterion.values if answers.get(c) == Answer.YES
    ]


def unanswered(answers: dict[str, str], threshold: int) -> list[str]:
    return [
        criterion_label(c, threshold)
        for c in Criterion.values
        if answers.get(c, Answer.NOT_KNOWN) == Answer.NOT_KNOWN
    ]


def wolverhampton_requires_mash(
    *, typology: str, people: list[PersonFacts], risk_level: str, answers: dict[str, str]
) -> list[str]:
    """WOL: an aggravated incident goes to MASH when any of these holds (R13)."""
    if not typology or not Typology(typology).aggravated:
        return []
    reasons = []
    young = [p for p in people if is_adult(p) is False]
    if any(is_under(p, 13) for p in young):
        reasons.append("Aggravated, and a young person involved is 12 or under")
    if any(is_adult(p) for p in people) or answers.get(Criterion.ADULT) == Answer.YES:
        reasons.append("Aggravated, and an adult (18 or over) is involved")
    if risk_level == RiskLevel.HIGH:
        reasons.append("Aggravated, and the risk assessment of the young people finds high risk")
    for c in (Criterion.COERCION, Criterion.UNUSUAL_OR_VIOLENT, Criterion.IMMEDIATE_RISK):
        if answers.get(c) == Answer.YES:
            reasons.append(f"Aggravated, and criterion {Criterion(c).label}")
    return reasons
