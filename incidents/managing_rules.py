"""What managing an incident in school records, as data (R17-R20): the risk questions, the
kinds of action, the platforms involved, how parents were told. Kept apart from `rules.py`,
the initial review's decision procedure, so each stays readable."""

from django.db import models


class RiskQuestion(models.TextChoices):
    # UKCCIS "Assessing the risks" and Annex A (R17).
    WHY_SHARED = (
        "why_shared",
        "Why was the imagery shared? Was the young person coerced or put under pressure to produce it?",
    )
    WHO_SHARED = (
        "who_shared",
        "Who has shared the imagery? Where has it been shared? Was it shared and received with the knowledge of the pupil in it?",
    )
    ADULTS = "adults", "Are there any adults involved in the sharing of imagery?"
    IMPACT = "impact", "What is the impact on the pupils involved?"
    VULNERABILITY = (
        "vulnerability",
        "Do the pupils involved have additional vulnerabilities? Any concerns about the young person's vulnerability?",
    )
    CONSENT = (
        "consent",
        "Does the young person understand consent? Was it consensual, or was the young person put under pressure or coerced?",
    )
    BEFORE = "before", "Has the young person taken part in this kind of activity before?"
    BEYOND_RECIPIENT = (
        "beyond_recipient",
        "Has the imagery been shared beyond its intended recipient, without the consent of the young person who produced it?",
    )
    ONLINE = (
        "online",
        "Has the imagery been shared on social media or anywhere else online? What steps have been taken to contain it?",
    )
    AGES = "ages", "How old are the young people involved? Is there a significant age gap?"
    MORE_THAN_ONE = "more_than_one", "Did the young person send the image to more than one person?"
    IMPLICATIONS = (
        "implications",
        "Does the young person understand the possible implications of sharing the image?",
    )
    PARENTS = "parents", "Are there additional concerns if the parents or carers are informed?"


class ActionKind(models.TextChoices):
    # UKCCIS; Annex C; Annex D (R20).
    SUPPORT = "support", "Support for a young person"
    EDUCATION = "education", "Education"
    SANCTION = "sanction", "Sanction under the behaviour policy"
    HSB_REFERRAL = "hsb", "Referral to a harmful sexual behaviour service"
    STAFF_SUPPORT = "staff_support", "Support for staff who unavoidably saw imagery"
    REPORT_PLATFORM = "report_platform", "Report to the platform"
    REPORT_IWF = "report_iwf", "Report to the Internet Watch Foundation"
    REPORT_CHILDLINE = "report_childline", "Childline Report Remove"
    REPORT_CEOP = "report_ceop", "Report to NCA-CEOP"
    OTHER = "other", "Other"


class PlatformKind(models.TextChoices):
    # R4: devices, services and platforms, counted by kind in the inspection report.
    MESSAGING = "messaging", "Messaging app"
    SOCIAL_NETWORK = "social_network", "Social network"
    GAMING = "gaming", "Gaming"
    WEBCAM = "webcam", "Webcam or live streaming"
    NEARBY = "nearby", "Nearby sharing (such as AirDrop or Bluetooth)"
    AI_TOOL = "ai_tool", 'AI image tool (such as a "nudify" app)'
    DEVICE = "device", "Device (phone, tablet, computer)"
    OTHER = "other", "Other"


# The list every school starts from; a DSL adds what is missing (issue 13, R4).
STANDARD_PLATFORMS = (
    ("Messaging app", PlatformKind.MESSAGING),
    ("Social network", PlatformKind.SOCIAL_NETWORK),
    ("Online game or gaming chat", PlatformKind.GAMING),
    ("Webcam or live stream", PlatformKind.WEBCAM),
    ("AirDrop or other nearby sharing", PlatformKind.NEARBY),
    ('AI image tool ("nudify" app)', PlatformKind.AI_TOOL),
    ("Mobile phone", PlatformKind.DEVICE),
    ("School device or network", PlatformKind.DEVICE),
)


class ParentContactKind(models.TextChoices):
    # Issue 13 item 6: parents are kept informed over time, not only told once (R19).
    INFORMED = "informed", "Informed"
    UPDATE = "update", "Updated later"
    NOT_INFORMED = "not_informed", "Not informed: a decision not to inform them"


class NotInformingAgreedWith(models.TextChoices):
    # UKCCIS "Informing parents": "generally ... made in conjunction with other services such as
    # children's social care and/or the police". With no agency involved, the DSL and the
    # headteacher (the safer reading: two people, one of them the headteacher).
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "The police"
    SOCIAL_CARE_AND_POLICE = "both", "Children's social care and the police"
    DSL_AND_HEADTEACHER = "dsl_head", "The DSL and the headteacher (no agency is involved)"


class ParentContactMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    LETTER = "letter", "By letter or email"
    SUPPORTED = "supported", "The young person was supported to tell them"
