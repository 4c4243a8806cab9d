"""Subject access requests (R41): the request, its deadline and chase, the response and release.

A young person (from about 12 or 13) or a parent may ask for the young person's own file (UK
GDPR Art. 15). The school answers within one calendar month of receipt, or within two more
months when the request is complex, if it says so within the first month (Art. 12(3)).

The response is the young person's own file, never the incidents as they stand: every other
person's name, identifiers and part, and every account given at disclosure (another young
person's, as often as not), are withheld unless the DSL decides otherwise, and other
children's names are taken out of every passage that is released. Each withholding names the
exemption that allows it and why (DPA 2018 Sch. 2 Part 3 and Sch. 3 Parts 4-5). The DSL
prepares, the headteacher (never the preparer) approves what was prepared, exactly as it was,
and what is released is kept: the PDF itself, when and to whom.
"""

import calendar
import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, Role
from accounts.permissions import has_school_perm, roles_at, schools_listed, scoped
from incidents.models import Notification
from incidents.services import enqueue_notifications
from ypsi.pagination import first
from ypsi.recording import not_future, require_filled, save

from .chasing import chase_audiences
from .models import SubjectAccessRequest, Withholding
from .pdf import write as write_pdf
from .sar_models import Exemption, Relationship
from .sar_response import build, keys
from .services import log_exports
from .transfers import incidents_of

# Reminders start this many days before the response is due, once per CHASE_INTERVAL_DAYS.
REMIND_DAYS_BEFORE = 7
# The reminder of a request nearing or past its deadline (R41).
KIND = Notification.Kind.SAR_DUE


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date `months` later; where that month is shorter, its last day (ICO)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _dsl(user, school) -> None:
    if not has_school_perm(user, "change_incidents", school):
        raise PermissionDenied(
            "Only the school's DSLs prepare a response to a subject access request."
        )


@transaction.atomic
def record_request(
    school, user, *, pupil: Pupil, requester, relationship, received_on, identity_checked
) -> SubjectAccessRequest:
    _dsl(user, school)
    if pupil.school_id != school.pk:
        raise ValidationError("Choose a pupil on this school's roll.")
    require_filled(
        (requester, "who is asking"), (identity_checked, "how their identity was checked")
    )
    if relationship not in Relationship.values:
        raise ValidationError("Say how the person asking is related to the young person.")
    not_future(
        timezone.make_aware(datetime.datetime.combine(received_on, datetime.time.min)),
        "The date the request was received",
    )
    sar = SubjectAccessRequest(
        school=school,
        pupil=pupil,
        requester=requester.strip(),
        relationship=relationship,
        received_on=received_on,
        identity_checked=identity_checked.strip(),
        deadline=add_months(received_on, 1),
        recorded_by=user,
    )
    save(sar, user, "Subject access request received")
    return sar


def _lock(sar: SubjectAccessRequest) -> None:
    """Two people acting on one request at once: the second waits, then sees the first."""
    SubjectAccessRequest.objects.select_for_update().filter(pk=sar.pk).first()
    sar.refresh_from_db()


@transaction.atomic
def extend(sar: SubjectAccessRequest, user, *, extended_to: datetime.date, reason: str) -> None:
    """By up to two further months when the request is complex, said within the first month."""
    _dsl(user, sar.school)
    _lock(sar)
    if sar.status == sar.Status.RELEASED:
        raise ValidationError("The response has been released.")
    if timezone.localdate() > sar.deadline:
        raise ValidationError(
            "An extension must be decided, and the person asking told, within the first month "
            f"(by {sar.deadline:%d %B %Y})."
        )
    latest = add_months(sar.deadline, 2)
    if not sar.deadline < extended_to <= latest:
        raise ValidationError(
            f"The new deadline must be after {sar.deadline:%d %B %Y} and no later than "
            f"{latest:%d %B %Y} (two further months)."
        )
    require_filled((reason, "why the request is complex, and that the person asking was told"))
    sar.extended_to, sar.extension_reason = extended_to, reason.strip()
    sar.next_chase_on = None
    save(sar, user, "Deadline extended")


@transaction.atomic
def decide_withholding(
    sar: SubjectAccessRequest, user, *, key: str, withheld: bool, exemption: str, reason: str
) -> None:
    _dsl(user, sar.school)
    _lock(sar)
    if sar.status != sar.Status.PREPARING:
        raise ValidationError("The response has gone for approval: it is no longer changed.")
    parts = keys(sar)
    if key not in parts:
        raise ValidationError("That is not a part of this young person's file.")
    if withheld and exemption not in Exemption.values:
        raise ValidationError("Name the exemption that allows it to be withheld.")
    require_filled((reason, "the reason"))
    row = sar.withholdings.filter(key=key).first() or Withholding(request=sar, key=key)
    row.what = parts[key][:300]
    row.withheld, row.reason, row.decided_by = withheld, reason.strip(), user
    row.exemption = exemption if exemption in Exemption.values else Exemption.THIRD_PARTY
    save(row, user, "Withheld from the response" if withheld else "Released in the response")


@transaction.atomic
def submit(sar: SubjectAccessRequest, user) -> None:
    """The response goes to the headteacher exactly as previewed; the defaults applied become
    withholdings on record, so each one is named with its exemption and reason."""
    _dsl(user, sar.school)
    _lock(sar)
    if sar.status != sar.Status.PREPARING:
        raise ValidationError("This response has already gone for approval.")
    response = build(sar)
    recorded = set(sar.withholdings.values_list("key", flat=True))
    for w in response["withholdings"]:
        if w["key"] not in recorded:
            row = Withholding(
                request=sar,
                key=w["key"],
                what=w["what"][:300],
                exemption=w["exemption"],
                reason=w["reason"],
            )
            save(row, user, "Withheld from the response by default")
    sar.response, sar.status = response, sar.Status.AWAITING_APPROVAL
    sar.prepared_by, sar.prepared_at = user, timezone.now()
    sar.next_chase_on = None
    save(sar, user, "Response prepared for the headteacher's approval")


@transaction.atomic
def approve(sar: SubjectAccessRequest, user, *, approve: bool, comment: str = "") -> None:
    if Role.HEADTEACHER not in roles_at(user, sar.school):
        raise PermissionDenied(
            "Only the headteacher approves a response to a subject access request."
        )
    _lock(sar)
    if sar.status != sar.Status.AWAITING_APPROVAL:
        raise ValidationError("This response is not waiting for approval.")
    if user.pk == sar.prepared_by_id:
        raise ValidationError(
            "The approval must come from someone other than the person who prepared the response."
        )
    comment = (comment or "").strip()
    sar.next_chase_on = None
    if not approve:
        require_filled((comment, "what must change"))
        sar.status, sar.response, sar.approval_comment = sar.Status.PREPARING, None, comment
        save(sar, user, "Response sent back to the DSL")
        return
    sar.status, sar.approved_by, sar.approved_at = sar.Status.APPROVED, user, timezone.now()
    sar.approval_comment = comment
    save(sar, user, "Response approved")


def render_pdf(sar: SubjectAccessRequest, user) -> bytes:
    """The approved response as a PDF/A; never the file as it stands now."""

    html = render_to_string(
        "records/sar_pdf.html",
        {
            "sar": sar,
            "response": sar.response,
            "generated_at": timezone.localtime(),
            "generated_by": user,
        },
    )
    return write_pdf(html)


def pdf(sar: SubjectAccessRequest, user) -> bytes:
    if sar.status == sar.Status.RELEASED:
        return bytes(sar.released_pdf)
    if sar.status != sar.Status.APPROVED:
        raise ValidationError("The redacted PDF is made once the headteacher has approved it.")
    return render_pdf(sar, user)


@transaction.atomic
def release(sar: SubjectAccessRequest, user, *, released_at, released_to: str, released_how: str):
    _dsl(user, sar.school)
    _lock(sar)
    if sar.status != sar.Status.APPROVED:
        raise ValidationError("Only an approved response is released.")
    require_filled((released_to, "to whom it was released"), (released_how, "how it was sent"))
    not_future(released_at, "The release")
    content = render_pdf(sar, user)
    sar.released_pdf, sar.released_sha256 = content, hashlib.sha256(content).hexdigest()
    sar.released_at, sar.released_by = released_at, user
    sar.released_to, sar.released_how = released_to.strip(), released_how.strip()
    sar.status, sar.next_chase_on = sar.Status.RELEASED, None
    save(sar, user, f"Response released to {sar.released_to}")
    # Each incident's access log shows that its record left the school in this response.
    log_exports(user, incidents_in(sar))


def incidents_in(sar: SubjectAccessRequest, response: dict | None = None):
    """The incidents whose record is in the response (the approved one, unless given)."""
    response = response or sar.response or {}
    return incidents_of(sar.pupil).filter(
        reference__in=[i["reference"] for i in response.get("incidents", [])]
    )


# The chase (the hub's sweep): the DSLs, or the headteacher while it waits for approval.


def chase(now: datetime.datetime | None = None) -> int:
    """Remind whoever must act next, once per CHASE_INTERVAL_DAYS from a week before the
    response is due until it is released; returns how many reminders were offered."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    every = settings.CHASE_INTERVAL_DAYS
    due = list(
        SubjectAccessRequest.objects.exclude(status=SubjectAccessRequest.Status.RELEASED).filter(
            Q(next_chase_on__isnull=True) | Q(next_chase_on__lte=today)
        )
    )
    schools = {sar.school_id for sar in due}
    team = chase_audiences(schools)
    rows = []
    with transaction.atomic():
        for sar in due:
            start = sar.due_on - datetime.timedelta(days=REMIND_DAYS_BEFORE)
            if today < start:
                SubjectAccessRequest.objects.filter(pk=sar.pk).update(next_chase_on=start)
                continue
            step = (today - start).days // every
            audience = "head" if sar.status == sar.Status.AWAITING_APPROVAL else "dsl"
            link = reverse("sar_detail", args=[sar.school_id, sar.pk])
            rows += [
                Notification(
                    recipient_id=user_id,
                    kind=KIND,
                    link=link,
                    key=f"{KIND}:{sar.pk}:{audience}:{step}:{user_id}",
                    created_at=now,
                )
                for user_id in team.get((sar.school_id, audience), [])
            ]
            next_on = start + datetime.timedelta(days=(step + 1) * every)
            SubjectAccessRequest.objects.filter(pk=sar.pk).update(next_chase_on=next_on)
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(enqueue_notifications)
    return len(rows)


# `SubjectAccessRequest.due_on`, as the database reads it: the extended deadline, if any.
DUE = Coalesce("extended_to", "deadline")


def panel(user) -> dict:
    """On the dashboard: the requests not yet released, for the DSLs; those waiting for
    approval, for the headteacher."""
    not_released = SubjectAccessRequest.objects.exclude(
        status=SubjectAccessRequest.Status.RELEASED
    ).select_related("school", "pupil")
    return {
        "sar_open": first(scoped(not_released, user, "change_incidents"), (DUE, "pk")),
        "sar_to_approve": first(
            scoped(
                not_released.filter(status=SubjectAccessRequest.Status.AWAITING_APPROVAL),
                user,
                "sign_off_decisions",
            ),
            (DUE, "pk"),
        ),
        "sar_schools": schools_listed(user, "change_incidents"),
    }
