"""R36: an online contact whose age is not verified, or an AI application, makes criterion 1 a
question the DSL answers with a reason ("could an adult be involved?"), enforced in the service,
and the answer is in the record, the PDF's criteria and the chronology."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import services, tasklist
from incidents.chronology import chronology
from incidents.rules import Answer, Criterion, PersonKind

from .factories import IncidentFactory, InvolvedPersonFactory, complete_review
from .test_record import pdf_text

pytestmark = pytest.mark.django_db

ALL_NO = {c: (Answer.NO, "") for c in Criterion.values}


@pytest.fixture
def incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Sam", age=14, roles=["pictured", "sender"])
    InvolvedPersonFactory(
        incident=incident,
        name="'Jayden' on a game chat",
        kind=PersonKind.ONLINE_CONTACT,
        roles=["recipient"],
    )
    return incident


def criterion_1(incident):
    return services.assess(incident).criteria[0]


def test_an_unverified_contact_makes_criterion_1_a_question_not_an_unknown_age(world, incident):
    view = criterion_1(incident)
    assert view.derived.question == "Could an adult be involved?"
    assert view.answer == Answer.NOT_KNOWN
    assert any("an online contact, age not verified" in r for r in view.derived.reasons)
    # The people part does not ask for an age that cannot be known.
    people = next(s for s in tasklist.part_states(incident) if s.part == "people")
    assert people.completed


def test_an_answer_without_a_reason_is_refused_by_the_service(world, incident):
    with pytest.raises(ValidationError, match="Could an adult be involved"):
        services.record_criteria(incident, world.dsl, criteria=ALL_NO)
    with pytest.raises(ValidationError, match="Could an adult be involved"):
        complete_review(incident, world.dsl)
    assert services.get_review(incident).pk is not None  # the meeting was saved, not criterion 1
    assert services.get_review(incident).criteria == {}


def test_no_with_a_reason_lets_the_school_manage_and_the_record_keeps_it(
    client, world, incident, tmp_path
):
    reason = "The account is a classmate's: his mother showed us it is his."
    complete_review(incident, world.dsl, criteria=ALL_NO | {"1": (Answer.NO, reason)})
    assert criterion_1(incident).answer == Answer.NO
    decision = services.decide_manage_in_school(incident, world.dsl, reason="Known to us.")
    assert decision.kind == "manage"
    client.force_login(world.dsl)
    page = client.get(reverse("incident_detail", args=[incident.pk])).text
    assert f"DSL: {reason}".replace("'", "&#x27;") in page
    assert "An online contact, age not verified" in page
    text = " ".join(
        pdf_text(client.get(reverse("incident_pdf", args=[incident.pk])).content, tmp_path).split()
    )
    assert "An online contact, age not verified" in text
    assert "Could an adult be involved?" in text and "his mother showed us it is his" in text
    chronology_text = text[text.index("Appendix A") : text.index("Appendix B")]
    assert "Criterion 1, could an adult be" in chronology_text  # the table wraps the line
    assert "involved? Answered no The account is a classmate" in chronology_text
    events = [e for e in chronology(incident) if e.what.startswith("Criterion 1")]
    assert [(e.what, e.detail, e.who) for e in events] == [
        ("Criterion 1, could an adult be involved? Answered no", reason, world.dsl)
    ]


def test_without_a_reason_criterion_1_stays_open_and_managing_in_school_is_refused(
    world, incident
):
    complete_review(incident, world.dsl, criteria=ALL_NO | {"1": (Answer.NOT_KNOWN, "")})
    with pytest.raises(
        ValidationError, match=r"Not yet known: 1\. The incident involves an adult"
    ):
        services.decide_manage_in_school(incident, world.dsl, reason="Fine")
    criteria = next(s for s in tasklist.part_states(incident) if s.part == "criteria")
    assert "your reason for criterion 1 (could an adult be involved?)" in criteria.missing


def test_yes_makes_criterion_1_hold(world, incident):
    complete_review(
        incident, world.dsl, criteria=ALL_NO | {"1": (Answer.YES, "Asked for more images")}
    )
    assert criterion_1(incident).answer == Answer.YES
    with pytest.raises(ValidationError, match=r"1\. The incident involves an adult"):
        services.decide_manage_in_school(incident, world.dsl, reason="Fine")


def test_an_ai_application_asks_the_same_and_a_claimed_adult_age_still_counts(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Sam", age=14, roles=["pictured"])
    bot = InvolvedPersonFactory(
        incident=incident,
        name="Companion app",
        kind=PersonKind.AI_APPLICATION,
        roles=["recipient"],
    )
    assert criterion_1(incident).derived.question
    bot.age = 25  # what the app's persona says it is
    bot.save()
    assert criterion_1(incident).derived.answer == Answer.YES


def test_the_dsl_records_an_online_contact_on_the_person_page(client, world, incident):
    person = incident.people.get(name="Sam")
    client.force_login(world.dsl)
    url = reverse("person_add", args=[incident.pk])
    page = client.get(url).text
    assert "An online contact, age not verified" in page and "An AI application" in page
    response = client.post(
        url,
        {
            "kind": "ai_application",
            "name": "Chatbot in an app",
            "age_band": "unknown",
            "sex": "not_known",
            "roles": ["recipient"],
            "reason": "Sam said he sent it to a chatbot",
        },
    )
    assert response.status_code == 302
    assert incident.people.get(name="Chatbot in an app").kind == PersonKind.AI_APPLICATION
    assert person.kind == PersonKind.PERSON
    criteria_page = client.get(reverse("review_part", args=[incident.pk, "criteria"])).text
    assert "could an adult be involved?" in criteria_page
    refused = client.post(
        reverse("review_part", args=[incident.pk, "criteria"]),
        {"then": "later"}
        | {f"criteria-c{c}_answer": "no" for c in Criterion.values}
        | {"criteria-reason": ""},
    )
    assert refused.status_code == 400
    assert "Give the reason for your answer." in refused.text
