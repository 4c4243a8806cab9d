"""Retention and disposal (R32, R40): named rules, the review list, holds, disposal with the
headteacher's agreement, and a record disposed of withheld from every page and export."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import RetentionRule
from incidents import hub, services
from incidents.models import Stage
from records import retention
from records.models import Disposal, RetentionListing, RetentionReview
from records.tasks import list_retention_due
from referrals.models import Referral

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

# Riley (the youngest, born 1 January 2011) is 25 on 1 January 2036.
RILEY_25 = datetime.date(2036, 1, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def closed(world):
    """A closed incident: Riley (on roll, born 1 January 2011) and a partner aged 17.

    Made closed directly: retention reads only the people and the dates, whatever the decision."""
    incident = IncidentFactory(school=world.school, stage=Stage.CLOSED, closed_at=timezone.now())
    pupil = PupilFactory(
        school=world.school,
        first_name="Riley",
        last_name="Roster",
        date_of_birth=datetime.date(2011, 1, 1),
    )
    InvolvedPersonFactory(incident=incident, pupil=pupil, name="", roles=["pictured", "sender"])
    InvolvedPersonFactory(incident=incident, name="Partner", age=17, roles=["recipient"])
    return incident


def due_review(incident, time_machine, day=RILEY_25):
    time_machine.move_to(at(day), tick=False)
    retention.list_due()
    return incident.retention_reviews.get(reviewed_at__isnull=True)


def propose(review, user, **extra):
    fields = {
        "outcome": "dispose",
        "rule": RetentionRule.IRMS,
        "reason": "IRMS: the youngest is 25 and the review found no reason to keep it.",
    }
    return retention.record_review(review, user, **(fields | extra))


def test_it_keeps_a_record_to_the_25th_birthday_of_the_youngest_under_irms(closed):
    got = retention.retention_for(closed)
    assert got.rule == RetentionRule.IRMS
    # The partner, 17 with no date of birth, could have been born as late as the incident's
    # date 15 years before; Riley is younger still only if born after that.
    partner_25 = retention.add_years(retention.add_years(closed.incident_date, -17), 25)
    assert got.review_on == max(RILEY_25, partner_25)
    assert "Nothing is disposed of before its review date" in got.blocked


def test_a_young_person_of_unknown_age_keeps_the_record_25_years_from_the_incident(world):
    incident = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=incident, name="Someone", age=None, age_band="unknown")
    got = retention.retention_for(incident)
    assert got.review_on == retention.add_years(incident.incident_date, 25)


def test_under_the_iicsa_rule_the_record_is_kept_75_years_and_disposal_is_refused(
    world, closed, time_machine
):
    review = due_review(closed, time_machine)
    world.school.retention_rule = RetentionRule.IICSA
    world.school.save()
    closed.refresh_from_db()
    got = retention.retention_for(closed)
    assert got.review_on == retention.add_years(closed.incident_date, 75)
    with pytest.raises(ValidationError, match="IICSA rule"):
        propose(review, world.dsl, rule=RetentionRule.IICSA)
    assert not Disposal.objects.exists()


def test_a_legal_hold_overrides_every_rule_and_refuses_disposal(world, closed, time_machine):
    review = due_review(closed, time_machine)
    retention.place_hold(closed, world.headteacher, reason="Civil claim notified by solicitors")
    got = retention.retention_for(closed)
    assert got.rule == RetentionRule.LEGAL_HOLD and got.review_on is None
    with pytest.raises(ValidationError, match="legal hold"):
        propose(review, world.dsl, rule=RetentionRule.LEGAL_HOLD)


def test_a_hold_placed_after_the_proposal_stops_the_headteacher_agreeing(
    world, closed, time_machine
):
    disposal = propose(due_review(closed, time_machine), world.dsl)
    retention.place_hold(closed, world.dsl, reason="Inquiry request to preserve")
    with pytest.raises(ValidationError, match="legal hold"):
        retention.decide_disposal(disposal, world.headteacher, agree=True)
    disposal.refresh_from_db()
    assert disposal.status == Disposal.Status.PROPOSED


def test_with_the_police_involved_the_record_is_kept_as_they_advise(world, closed, time_machine):
    Referral.objects.create(incident=closed, agency="police", made_by=world.dsl, reason="x")
    review = due_review(closed, time_machine)
    with pytest.raises(ValidationError, match="record their advice"):
        propose(review, world.dsl, rule=RetentionRule.POLICE_OR_COURT)
    retention.record_advice(
        closed,
        world.dsl,
        source="police",
        advised_by="DC Example, CID",
        advised_on=datetime.date(2035, 6, 1),
        keep_until=datetime.date(2040, 1, 1),
        note="Keep until 2040: a linked investigation.",
    )
    got = retention.retention_for(closed)
    assert (got.rule, got.review_on) == (RetentionRule.POLICE_OR_COURT, datetime.date(2040, 1, 1))
    with pytest.raises(ValidationError, match="before its review date"):
        propose(review, world.dsl, rule=RetentionRule.POLICE_OR_COURT)


def test_police_advice_never_shortens_the_schools_rule(world, closed):
    retention.record_advice(
        closed,
        world.dsl,
        source="court",
        advised_by="Family court",
        advised_on=timezone.localdate(),
        keep_until=timezone.localdate() + datetime.timedelta(days=30),
        note="Keep for the proceedings.",
    )
    assert retention.retention_for(closed).review_on >= RILEY_25


def test_the_monthly_task_lists_what_falls_due_once_and_disposes_of_nothing(
    world, closed, time_machine
):
    time_machine.move_to(at(datetime.date(2035, 12, 1)), tick=False)
    assert list_retention_due.delay().get() == 0  # due next month, not this one
    time_machine.move_to(at(datetime.date(2036, 1, 1)), tick=False)
    assert list_retention_due.delay().get() == 1
    assert list_retention_due.delay().get() == 0
    review = RetentionReview.objects.get()
    assert (review.due_on, review.rule) == (RILEY_25, RetentionRule.IRMS)
    assert not Disposal.objects.exists()
    assert retention.seal(closed) == ""


def test_the_sweep_lists_a_month_the_task_missed_and_only_once(world, closed, time_machine):
    time_machine.move_to(at(datetime.date(2036, 1, 15)), tick=False)
    assert hub.run_sweeps()["retention reviews listed"] == 1
    assert hub.run_sweeps()["retention reviews listed"] == 0
    assert RetentionListing.objects.get().month == datetime.date(2036, 1, 1)


def test_the_beat_schedule_runs_the_listing_monthly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == "records.tasks.list_retention_due"
    assert entry["schedule"].day_of_month == {1}


def test_the_review_defaults_to_keep_with_the_next_review_at_75_years(world, closed, time_machine):
    review = due_review(closed, time_machine)
    retention.record_review(review, world.dsl, outcome="keep")
    review.refresh_from_db()
    assert review.next_review_on == retention.add_years(closed.incident_date, 75)
    assert retention.retention_for(closed).review_on == review.next_review_on


def test_a_disposal_must_name_the_rule_that_applies_and_give_a_reason(world, closed, time_machine):
    review = due_review(closed, time_machine)
    with pytest.raises(ValidationError, match="names the rule applied"):
        propose(review, world.dsl, rule=RetentionRule.IICSA)
    with pytest.raises(ValidationError, match="Give the reason"):
        propose(review, world.dsl, reason="  ")


def test_a_record_is_not_disposed_of_before_its_review_date(world, closed, time_machine):
    review = due_review(closed, time_machine)
    time_machine.move_to(at(datetime.date(2035, 12, 31)), tick=False)
    with pytest.raises(ValidationError, match="before its review date"):
        propose(review, world.dsl)


def test_disposal_takes_the_headteachers_agreement_not_the_proposers(world, closed, time_machine):
    disposal = propose(due_review(closed, time_machine), world.dsl)
    assert retention.seal(closed) == ""  # proposed is not disposed of
    with pytest.raises(PermissionDenied):
        retention.decide_disposal(disposal, world.deputy_dsl, agree=True)
    retention.decide_disposal(disposal, world.headteacher, agree=True, comment="Agreed")
    disposal.refresh_from_db()
    assert disposal.status == Disposal.Status.DISPOSED
    assert (disposal.rule, disposal.decided_by) == (RetentionRule.IRMS, world.headteacher)
    assert "Riley" not in disposal.what and closed.reference in disposal.what


def test_a_headteacher_who_proposed_cannot_agree_to_their_own_disposal(
    world, closed, time_machine
):
    from accounts.models import Role

    from .factories import MembershipFactory

    MembershipFactory(user=world.headteacher, school=world.school, role=Role.DSL)
    disposal = propose(due_review(closed, time_machine), world.headteacher)
    with pytest.raises(ValidationError, match="someone other than"):
        retention.decide_disposal(disposal, world.headteacher, agree=True)


def test_a_declined_disposal_keeps_the_record_and_sets_the_next_review(
    world, closed, time_machine
):
    disposal = propose(due_review(closed, time_machine), world.dsl)
    with pytest.raises(ValidationError, match="Say why"):
        retention.decide_disposal(disposal, world.headteacher, agree=False)
    retention.decide_disposal(disposal, world.headteacher, agree=False, comment="Keep: IICSA")
    disposal.review.refresh_from_db()
    assert disposal.review.next_review_on > RILEY_25
    assert retention.seal(closed) == ""


def test_an_open_incident_is_not_reviewed_for_disposal(world, closed, time_machine):
    managed = IncidentFactory(school=world.school)
    InvolvedPersonFactory(incident=managed, age=15)
    time_machine.move_to(at(RILEY_25), tick=False)
    closed.retention_reviews.all()  # the closed one is listed, the open one never
    assert retention.list_due() == 1  # the closed record only
    assert not managed.retention_reviews.exists()
    review = RetentionReview.objects.create(incident=managed, rule="irms", due_on=RILEY_25)
    with pytest.raises(ValidationError, match="Close the incident"):
        propose(review, world.dsl)


@pytest.fixture
def disposed(world, closed, time_machine):
    disposal = propose(due_review(closed, time_machine), world.dsl)
    retention.decide_disposal(disposal, world.headteacher, agree=True)
    return closed


def test_a_disposed_record_shows_no_personal_data_on_any_page_or_export(client, world, disposed):
    client.force_login(world.dsl)
    for name in ("incident_detail", "incident_chronology", "incident_history", "incident_pdf"):
        response = client.get(reverse(name, args=[disposed.pk]))
        assert response.status_code == 403, name
        assert b"Riley" not in response.content and b"disposed of" in response.content
    pupil = disposed.people.get(pupil__isnull=False).pupil
    page = client.get(reverse("pupil_file", args=[world.school.pk, pupil.pk]))
    assert disposed.reference not in page.text
    data = client.get(reverse("pupil_file_json", args=[world.school.pk, pupil.pk])).json()
    assert disposed.reference not in str(data)
    page = client.get(reverse("incident_retention", args=[disposed.pk])).text
    assert "Disposal record" in page and "Riley" not in page


def test_the_history_of_a_disposed_record_is_kept_unchanged(world, closed, time_machine):
    person = closed.people.get(pupil__isnull=True)
    before = list(person.history.values_list("history_id", "name"))
    disposal = propose(due_review(closed, time_machine), world.dsl)
    retention.decide_disposal(disposal, world.headteacher, agree=True)
    assert list(person.history.values_list("history_id", "name")) == before
    assert closed.history.exists() and disposal.history.count() == 2  # proposed, disposed


def test_a_disposed_record_cannot_be_reopened(world, disposed):
    with pytest.raises(PermissionDenied, match="disposed of"):
        services.reopen_incident(disposed, world.dsl, reason="Look again")


def test_the_school_picks_its_rule_on_the_policy_page(client, world):
    client.force_login(world.headteacher)
    url = reverse("school_policy", args=[world.school.pk])
    page = client.get(url).text
    assert "IICSA: keep for up to 75 years" in page and "IRMS: keep to the 25th birthday" in page
