"""R41: a subject access request, its deadline and chase, and a response that withholds every
other child's data, approved by the headteacher and released as a redacted PDF."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.permissions import sync_user_groups
from incidents.models import Notification
from records import sar
from records.models import AccessLog, SubjectAccessRequest, Withholding
from records.sar_models import Exemption

from .factories import IncidentFactory, InvolvedPersonFactory, PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(world):
    """Riley's file: one incident in which another pupil, Casey Otherchild, and a friend named
    in the text, Morgan Bystander (on the roll, not involved), appear."""
    riley = PupilFactory(
        school=world.school, first_name="Riley", last_name="Subject", upn="A123456789012"
    )
    casey = PupilFactory(
        school=world.school, first_name="Casey", last_name="Otherchild", upn="B123456789012"
    )
    PupilFactory(school=world.school, first_name="Morgan", last_name="Bystander")
    incident = IncidentFactory(
        school=world.school,
        account="Casey Otherchild said Riley sent it; Casey (UPN B123456789012) forwarded it.",
        closure_reason="Casey and Morgan Bystander were spoken to; Riley was supported.",
    )
    InvolvedPersonFactory(incident=incident, pupil=riley, name="", roles=["pictured"])
    InvolvedPersonFactory(incident=incident, pupil=casey, name="", roles=["sharer"])
    return world, riley, incident


def request_for(world, pupil, received_on=None):
    return sar.record_request(
        world.school,
        world.dsl,
        pupil=pupil,
        requester="Pat Subject",
        relationship="parent",
        received_on=received_on or timezone.localdate(),
        identity_checked="Known to the school; the young person agreed.",
    )


def text_of(response: dict) -> str:
    return repr(response)


def test_it_gives_a_request_one_calendar_month_and_extends_it_by_at_most_two(file):
    world, riley, _ = file
    request = request_for(world, riley, datetime.date.today().replace(day=1))
    assert request.deadline == sar.add_months(request.received_on, 1)
    assert sar.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    with pytest.raises(ValidationError, match="no later than"):
        sar.extend(
            request, world.dsl, extended_to=sar.add_months(request.deadline, 3), reason="Complex"
        )
    with pytest.raises(ValidationError, match="complex"):
        sar.extend(request, world.dsl, extended_to=sar.add_months(request.deadline, 2), reason=" ")
    sar.extend(
        request,
        world.dsl,
        extended_to=sar.add_months(request.deadline, 2),
        reason="Complex; told by letter",
    )
    assert request.due_on == sar.add_months(request.deadline, 2)


def test_the_dashboard_lists_the_requests_by_the_day_each_is_due_extension_included(
    file, client, settings
):
    world, riley, _ = file
    settings.DASHBOARD_PANEL_ROWS = 1
    today = timezone.localdate()
    extended = request_for(world, riley, received_on=today - datetime.timedelta(days=7))
    sar.extend(
        extended,
        world.dsl,
        extended_to=sar.add_months(extended.deadline, 2),
        reason="Complex: several incidents",
    )
    later = request_for(world, riley, received_on=today)
    client.force_login(world.dsl)
    page = client.get(reverse("dashboard")).text
    listed = page.split('id="sar-open"')[1].split("</ul>")[0]
    # Received first, but due last once extended.
    assert reverse("sar_detail", args=[world.school.pk, later.pk]) in listed
    assert reverse("sar_detail", args=[world.school.pk, extended.pk]) not in listed
    assert "1 of 2 are shown, the earliest due first." in page


def test_it_refuses_an_extension_decided_after_the_first_month(file):
    world, riley, _ = file
    request = request_for(world, riley, timezone.localdate() - datetime.timedelta(days=40))
    with pytest.raises(ValidationError, match="within the first month"):
        sar.extend(
            request,
            world.dsl,
            extended_to=request.deadline + datetime.timedelta(days=30),
            reason="Late",
        )


def test_the_response_withholds_every_other_childs_name_identifiers_and_account(file):
    world, riley, _ = file
    response = sar.build(request_for(world, riley))
    text = text_of(response["incidents"])
    for other in ("Casey", "Otherchild", "Morgan Bystander", "B123456789012"):
        assert other not in text
    assert "[withheld: another young person]" in text
    assert "Riley was supported" in text  # their own record is released
    assert "A123456789012" in repr(response["pupil"])
    withheld = {w["key"].split("-")[0]: w for w in response["withholdings"] if w["withheld"]}
    assert set(withheld) == {"person", "account"}
    assert all(w["exemption"] == Exemption.THIRD_PARTY and w["reason"] for w in withheld.values())


def test_the_dsl_withholds_a_passage_naming_its_exemption_and_may_release_another(file):
    world, riley, incident = file
    request = request_for(world, riley)
    closure = f"closure-{incident.pk}"
    sar.decide_withholding(
        request,
        world.dsl,
        key=closure,
        withheld=True,
        exemption=Exemption.CRIME,
        reason="Police investigating",
    )
    entries = {e["key"]: e["text"] for e in sar.build(request)["incidents"][0]["entries"]}
    assert entries[closure] == "[withheld: crime]"
    with pytest.raises(ValidationError, match="exemption"):
        sar.decide_withholding(
            request, world.dsl, key=closure, withheld=True, exemption="", reason="x"
        )
    with pytest.raises(ValidationError, match="not a part"):
        sar.decide_withholding(
            request, world.dsl, key="decision-999999", withheld=False, exemption="", reason="x"
        )


def test_the_headteacher_approves_what_was_prepared_and_never_the_preparer(file):
    world, riley, _ = file
    request = request_for(world, riley)
    with pytest.raises(ValidationError, match="not waiting"):
        sar.approve(request, world.headteacher, approve=True)  # nothing prepared yet
    sar.submit(request, world.dsl)
    assert Withholding.objects.filter(request=request, withheld=True).count() == 2
    with pytest.raises(PermissionDenied):
        sar.approve(request, world.dsl, approve=True)
    with pytest.raises(ValidationError, match="what must change"):
        sar.approve(request, world.headteacher, approve=False)
    sar.approve(request, world.headteacher, approve=True, comment="Checked")
    assert request.status == SubjectAccessRequest.Status.APPROVED


def test_a_headteacher_who_prepared_it_cannot_approve_it(file):
    world, riley, _ = file
    Membership.objects.create(user=world.headteacher, school=world.school, role=Role.DSL)
    sync_user_groups(world.headteacher)
    request = request_for(world, riley)
    sar.submit(request, world.headteacher)
    with pytest.raises(ValidationError, match="someone other than"):
        sar.approve(request, world.headteacher, approve=True)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by bin/test")
def test_the_released_pdf_holds_no_other_childs_name(file, tmp_path, client):
    world, riley, incident = file
    request = request_for(world, riley)
    sar.submit(request, world.dsl)
    sar.approve(request, world.headteacher, approve=True)
    sar.release(
        request,
        world.dsl,
        released_at=timezone.now(),
        released_to="Pat Subject",
        released_how="In person",
    )
    request.refresh_from_db()
    path = tmp_path / "response.pdf"
    path.write_bytes(bytes(request.released_pdf))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Riley Subject" in text and incident.reference in text
    assert "[withheld: another young person]" in text and "Third-party data" in text
    for other in ("Casey", "Otherchild", "Morgan", "Bystander", "B123456789012"):
        assert other not in text
    assert request.released_to == "Pat Subject" and len(request.released_sha256) == 64
    assert AccessLog.objects.filter(incident=incident, what="export", user=world.dsl).exists()
    client.force_login(world.dsl)
    download = client.get(reverse("sar_pdf", args=[world.school.pk, request.pk]))
    assert download.content == bytes(request.released_pdf)  # what was released, as it was


def test_the_chase_reminds_the_dsl_once_per_interval_then_the_headteacher(file, settings):
    world, riley, _ = file
    settings.CHASE_INTERVAL_DAYS = 2
    request = request_for(world, riley, timezone.localdate() - datetime.timedelta(days=25))
    start = request.due_on - datetime.timedelta(days=sar.REMIND_DAYS_BEFORE)

    def at(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    def reminded():
        return set(
            Notification.objects.filter(kind=sar.KIND).values_list("recipient__username", "key")
        )

    assert sar.chase(at(start - datetime.timedelta(days=1))) == 0
    sar.chase(at(start))
    first = reminded()
    assert {u for u, _ in first} == {"hil-dsl", "hil-deputy_dsl"}
    sar.chase(at(start + datetime.timedelta(days=1)))
    assert reminded() == first  # the same interval: nothing more
    sar.chase(at(start + datetime.timedelta(days=2)))
    assert len(reminded()) == 2 * len(first)
    sar.submit(request, world.dsl)
    sar.chase(at(start + datetime.timedelta(days=2)))
    assert "hil-headteacher" in {u for u, _ in reminded()}
    sar.approve(request, world.headteacher, approve=True)
    sar.release(
        request, world.dsl, released_at=timezone.now(), released_to="Pat", released_how="In person"
    )
    count = len(reminded())
    sar.chase(at(start + datetime.timedelta(days=10)))
    assert len(reminded()) == count  # released: never chased again
