"""The guidance's own words, shown where the DSL acts (issue 13 item 7).

Text, not rules: what `rules.py` decides is explained here in UKCCIS's words, so the page quotes
the advice rather than paraphrasing it.
"""

from django.db import models

# Issue 13 item 7: age-appropriate guidance shown beside criterion 3, in UKCCIS's own words
# ("Younger children" and "Sexual behaviour", with Chaffin et al and the Hackett continuum).
CRITERION_3_GUIDANCE = (
    "The understanding of children and young people around the potential implications of taking "
    "and/or sharing youth produced sexual imagery is likely to be influenced by the age and "
    "ability of the children involved.",
    "It is vital for professionals to distinguish normal from abnormal sexual behaviours. "
    "Chaffin et al (2002, p208) suggest a child's sexual behaviour would be considered abnormal "
    "if it:",
)
CRITERION_3_ABNORMAL = (
    "occurs at a frequency greater than would be developmentally expected",
    "interferes with the child's development",
    "occurs with coercion, intimidation or force",
    "is associated with emotional distress",
    "occurs between children of divergent ages or developmental abilities",
    "repeatedly recurs in secrecy after intervention by caregivers",
)
CRITERION_3_HACKETT = (
    (
        "Normal",
        "Developmentally expected; socially acceptable; consensual, mutual, reciprocal; shared decision making",
    ),
    (
        "Inappropriate",
        "Single instances of inappropriate sexual behaviour; socially acceptable behaviour within peer group; context for behaviour may be inappropriate; generally consensual and reciprocal",
    ),
    (
        "Problematic",
        "Problematic and concerning behaviours; developmentally unusual and socially unexpected; no overt elements of victimisation; consent issues may be unclear; may lack reciprocity or equal power; may include levels of compulsivity",
    ),
    (
        "Abusive",
        "Victimising intent or outcome; included misuse of power; coercion and force to ensure victim compliant; intrusive; informed consent lacking, or not able to be freely given by victim; may include elements of expressive violence",
    ),
    (
        "Violent",
        "Physically violent; highly intrusive; instrumental violence which is physiologically and/or sexually arousing to the perpetrator; sadism",
    ),
)
CRITERION_3_UNDER_13 = (
    "In some cases children under 13 (and indeed older) may create youth produced sexual imagery "
    "as a result of age appropriate curiosity or risk-taking behaviour or simply due to naivety "
    "rather than any sexual intent. This is likely to be the behaviour more commonly identified "
    "within primary schools. Some common examples could include sending pictures of their "
    "genitals to their friends as a dare or taking a photo of another child whilst getting "
    "changed for PE. Within this context it is unlikely that police or social care involvement "
    "is required or proportionate but DSLs will need to use their professional judgement to "
    "consider the specific context and the children involved."
)


class AnnexGStep(models.TextChoices):
    # UKCCIS Annex G "Flowchart for responding to incidents", the review's outline (item 7).
    DISCLOSURE = "disclosure", "Initial disclosure"
    INITIAL_REVIEW = "initial_review", "Initial review with safeguarding team"
    REFERRAL = "referral", "Police/social care/MASH referral"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment/Dealing with the incident"
    MANAGEMENT = "management", "Management in school"


ANNEX_G_TEXT = {
    AnnexGStep.DISCLOSURE: "This could come from a pupil directly, a parent, a pupil's friend.",
    AnnexGStep.INITIAL_REVIEW: (
        "At this initial stage the safeguarding team review the information and consider the 5 "
        "points for immediate referral. They make an initial decision about whether the "
        "incident can be dealt with in house."
    ),
    AnnexGStep.REFERRAL: (
        "Refer to your local arrangements for dealing with incidents and contact local services."
    ),
    AnnexGStep.RISK_ASSESSMENT: (
        "Consider the risk of harm and at any point if there are 'causes for concern' you can "
        "refer back to police/social care."
    ),
    AnnexGStep.MANAGEMENT: (
        "Ensure parents are informed and the incident recorded following all child protection "
        "and safeguarding procedures."
    ),
}


def criterion_3(under_13: list[str]) -> dict:
    """What to show beside criterion 3: the guidance on what is and is not usual for the young
    people's age, with the "Younger children" passage when anyone involved is under 13."""
    return {
        "paragraphs": CRITERION_3_GUIDANCE,
        "abnormal": CRITERION_3_ABNORMAL,
        "hackett": CRITERION_3_HACKETT,
        "under_13": CRITERION_3_UNDER_13 if under_13 else "",
        "under_13_names": under_13,
    }
