"""R6, R7, R13, R30: the decision procedure's pure rules, case by case and by property."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents import rules
from incidents.rules import Answer, Criterion, PersonFacts


def person(age=None, band="unknown", roles=("pictured",), name="Someone"):
    return PersonFacts(name=name, roles=tuple(roles), age=age, age_band=band)


def test_an_18_year_old_recipient_makes_criterion_1_hold():
    d = rules.derive_adult(
        [person(14), person(18, roles=("recipient",), name="Recipient")], "self"
    )
    assert d.answer == Answer.YES
    assert d.reasons == ("Involves an adult: Recipient (received it), aged 18",)


def test_a_recipient_aged_37_is_named_with_their_age():
    d = rules.derive_adult([person(37, roles=("recipient",), name="Recipient")], "shares")
    assert d.reasons == ("Involves an adult: Recipient (received it), aged 37",)


def test_the_18_and_over_band_is_an_adult_even_without_an_age():
    assert rules.derive_adult([person(band="18_plus")], "self").answer == Answer.YES


def test_an_unknown_age_leaves_criterion_1_not_yet_known():
    d = rules.derive_adult([person(15), person(name="Unknown online contact")], "self")
    assert d.answer == Answer.NOT_KNOWN
    assert "Unknown online contact" in d.reasons[0]


def test_imagery_made_by_an_adult_is_criterion_1_whatever_the_ages():
    assert rules.derive_adult([person(15)], "adult").answer == Answer.YES


def test_no_derived_criterion_for_an_11_year_old_in_imagery_without_sexual_acts():
    people = [person(11)]
    assert rules.derive_under_threshold(people, Answer.NO, 13).answer == Answer.NO
    assert rules.derive_adult(people, "self").answer == Answer.NO


def test_sexual_acts_with_a_12_year_old_pictured_makes_criterion_4_hold():
    d = rules.derive_under_threshold([person(12, name="Pupil")], Answer.YES, 13)
    assert d.answer == Answer.YES
    assert d.reasons == (
        "Sexual acts, and pictured under 13: Pupil (pictured in the imagery), aged 12",
    )


def test_a_13_year_old_is_not_under_the_national_threshold():
    assert rules.derive_under_threshold([person(13)], Answer.YES, 13).answer == Answer.NO


def test_a_school_with_threshold_17_refers_a_pictured_16_year_old():
    assert rules.derive_under_threshold([person(16)], Answer.YES, 17).answer == Answer.YES
    assert rules.derive_under_threshold([person(17)], Answer.YES, 17).answer == Answer.NO
    # "13 to 17" cannot say whether someone is under 17: not yet known, never "no".
    assert (
        rules.derive_under_threshold([person(band="13_17")], Answer.YES, 17).answer
        == Answer.NOT_KNOWN
    )


def test_only_the_pictured_count_for_criterion_4():
    people = [person(15), person(11, roles=("recipient",))]
    assert rules.derive_under_threshold(people, Answer.YES, 13).answer == Answer.NO


def test_unknown_sexual_acts_with_a_young_child_pictured_is_not_yet_known():
    d = rules.derive_under_threshold([person(10)], Answer.NOT_KNOWN, 13)
    assert d.answer == Answer.NOT_KNOWN
    assert "not yet known whether the imagery involves sexual acts" in d.reasons[0]


def test_sextortion_is_blackmail():
    assert rules.derive_coercion(True).answer == Answer.YES


def test_judgement_can_raise_a_derived_answer_but_never_lower_it():
    yes = rules.Derived(Answer.YES, ("adult",))
    assert rules.effective(Answer.NO, yes) == Answer.YES
    no = rules.Derived(Answer.NO, ())
    assert rules.effective(Answer.YES, no) == Answer.YES
    assert rules.effective(Answer.NOT_KNOWN, no) == Answer.NOT_KNOWN


def test_criterion_4_names_the_schools_threshold():
    assert rules.criterion_label(Criterion.UNDER_THRESHOLD, 17).endswith("under 17")


@pytest.mark.parametrize(
    "typology,people,risk,answers,expected",
    [
        ("aggravated_intent", [person(12)], "", {}, "12 or under"),
        ("aggravated_reckless", [person(15), person(19, roles=("recipient",))], "", {}, "adult"),
        ("aggravated_intent", [person(15)], "high", {}, "high risk"),
        ("aggravated_intent", [person(15)], "low", {"2": "yes"}, "criterion 2."),
        ("aggravated_intent", [person(15)], "low", {"3": "yes"}, "criterion 3."),
        ("aggravated_intent", [person(15)], "low", {"5": "yes"}, "criterion 5."),
    ],
)
def test_the_wolverhampton_rule_sends_aggravated_incidents_to_mash(
    typology, people, risk, answers, expected
):
    reasons = rules.wolverhampton_requires_mash(
        typology=typology, people=people, risk_level=risk, answers=answers
    )
    assert any(expected in r for r in reasons), reasons


def test_the_wolverhampton_rule_leaves_experimental_and_low_risk_aggravated_incidents_alone():
    assert not rules.wolverhampton_requires_mash(
        typology="experimental_romantic",
        people=[person(12)],
        risk_level="high",
        answers={"2": "yes"},
    )
    assert not rules.wolverhampton_requires_mash(
        typology="aggravated_reckless",
        people=[person(15)],
        risk_level="medium",
        answers={"4": "yes"},
    )


# Property: with any ages, roles, facts and judgements, a referral is required exactly when some
# criterion's effective answer is "yes", and the decision is blocked when any is "not yet known".

bands = st.sampled_from(["under_13", "13_17", "18_plus", "unknown"])
people_strategy = st.lists(
    st.builds(
        person,
        age=st.none() | st.integers(0, 60),
        band=bands,
        roles=st.lists(
            st.sampled_from(["pictured", "sender", "recipient", "possessor"]),
            min_size=1,
            unique=True,
        ),
    ),
    max_size=4,
)
answers_strategy = st.sampled_from(list(Answer.values))


@settings(max_examples=300, deadline=None)
@given(
    people=people_strategy,
    sexual_acts=answers_strategy,
    threshold=st.integers(10, 18),
    judged=st.fixed_dictionaries({c: answers_strategy for c in Criterion.values}),
    sextortion=st.booleans(),
    incident_type=st.sampled_from(["self", "shares", "possesses", "adult"]),
)
def test_a_referral_is_required_exactly_when_a_criterion_holds(
    people, sexual_acts, threshold, judged, sextortion, incident_type
):
    derived = {
        "1": rules.derive_adult(people, incident_type),
        "2": rules.derive_coercion(sextortion) if sextortion else None,
        "4": rules.derive_under_threshold(people, sexual_acts, threshold),
    }
    answers = {c: rules.effective(judged[c], derived.get(c)) for c in Criterion.values}
    reasons = rules.referral_reasons(answers, threshold)
    adult_present = any(rules.is_adult(p) for p in people) or incident_type == "adult"
    child_pictured_with_acts = sexual_acts == Answer.YES and any(
        "pictured" in p.roles and rules.is_under(p, threshold) for p in people
    )
    must_refer = (
        adult_present
        or child_pictured_with_acts
        or sextortion
        or any(a == Answer.YES for a in judged.values())
    )
    assert bool(reasons) == must_refer
    # Never "no" for criterion 1 while anyone's adulthood is unknown.
    if any(rules.is_adult(p) is None for p in people):
        assert answers["1"] != Answer.NO
