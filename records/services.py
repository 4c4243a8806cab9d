"""Rules for viewing (R21), searching (R33) and deleting (R23) imagery, and the chasing sweep (R24)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, ViewingDelegation
from accounts.permissions import has_school_perm, roles_at, team_school_ids
from incidents import stages
from incidents.hub import evidence_preserved, refuse_if_evidence_preserved
from incidents.models import Stage
from incidents.services import lock, require_open
from ypsi.recording import not_future, require_filled, save

from .models import DeletionRequest, SearchRecord, ViewingReason, ViewingRecord
from .schooldays import deadline_for

SAME_SEX_WARNING = (
    "UKCCIS: the member of staff viewing should be the same sex as the young person pictured, "
    "where possible. Record why that was not possible."
)


def may_view(user, school, on=None) -> bool:
    """The DSL (or deputy), or a safeguarding team member with the head's delegated authority."""
    if roles_at(user, school) & {Role.DSL, Role.DEPUTY_DSL}:
        return True
    on = on or timezone.localdate()
    return (
        ViewingDelegation.objects.filter(school=school, user=user, delegated_on__lte=on)
        .exclude(revoked_on__lte=on)
        .exists()
    )


@transaction.atomic
def delegate_viewing(school, head, user, delegated_on=None) -> ViewingDelegation:
    if Role.HEADTEACHER not in roles_at(head, school):
        raise PermissionDenied("Only the headteacher delegates authority to view imagery.")
    if not roles_at(user, school):
        raise ValidationError(
            "Authority can only be delegated to a member of this school's staff."
        )
    delegation = ViewingDelegation(
        school=school,
        user=user,
        delegated_by=head,
        delegated_on=delegated_on or timezone.localdate(),
    )
    save(delegation, head, "Authority to view imagery delegated")
    return delegation


@transaction.atomic
def record_viewing(
    incident,
    user,
    *,
    reason,
    viewed_at,
    viewer,
    place,
    why,
    what_followed,
    same_sex: bool,
    different_sex_reason: str = "",
    young_person=None,
    discussed_with=None,
    discussed_at=None,
    staff_present=None,
    others_present: str = "",
    unavoidable_how: str = "",
    support_offered: str = "",
) -> ViewingRecord:
    """R21. By default imagery is not viewed; when it is, the record has everything it needs."""
    school = incident.school
    unavoidable = reason == ViewingReason.UNAVOIDABLE
    if unavoidable:
        # Recorded by or for the member of staff who saw it, whatever their role.
        if not (has_school_perm(user, "change_incidents", school) or user == viewer):
            raise PermissionDenied(
                "Unavoidable viewing is recorded by the member of staff, or by the DSL."
            )
        if not roles_at(viewer, school):
            raise ValidationError("The viewer must be a member of this school's staff.")
        if not unavoidable_how:
            raise ValidationError("Say how it was unavoidable.")
        if not support_offered.strip():
            raise ValidationError("Record the support offered to the member of staff who saw it.")
    else:
        require_open(user, incident)
        if reason not in ViewingReason.values:
            raise ValidationError("Choose one of the three reasons imagery may be viewed.")
        if not may_view(viewer, school, timezone.localdate(viewed_at)):
            raise ValidationError(
                "Only the DSL, or a member of the safeguarding team with the headteacher's delegated "
                "authority, may view imagery."
            )
        if (
            discussed_with is None
            or Role.HEADTEACHER not in roles_at(discussed_with, school)
            or not discussed_at
        ):
            raise ValidationError(
                "The decision to view must be discussed with the headteacher first: record who and when."
            )
        not_future(discussed_at, "The discussion with the headteacher")
        if discussed_at > viewed_at:
            raise ValidationError(
                "The decision must be discussed with the headteacher before the imagery is viewed."
            )
        if staff_present is None:
            raise ValidationError(
                "Another member of staff must be present (they need not view the imagery)."
            )
        if staff_present == viewer:
            raise ValidationError(
                "The member of staff present must be someone other than the viewer."
            )
        if not roles_at(staff_present, school):
            raise ValidationError("The member of staff present must work at this school.")
    not_future(viewed_at, "The viewing")
    if young_person is not None and young_person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    require_filled((place, "where"), (why, "why"), (what_followed, "what followed"))
    if not same_sex and not different_sex_reason.strip():
        raise ValidationError(SAME_SEX_WARNING)
    record = ViewingRecord(
        incident=incident,
        reason=reason,
        unavoidable_how=unavoidable_how if unavoidable else "",
        viewed_at=viewed_at,
        viewer=viewer,
        young_person=young_person,
        discussed_with=discussed_with,
        discussed_at=discussed_at,
        staff_present=staff_present,
        place=place.strip(),
        others_present=others_present.strip(),
        why=why.strip(),
        what_followed=what_followed.strip(),
        same_sex=same_sex,
        different_sex_reason=different_sex_reason.strip(),
        support_offered=support_offered.strip(),
        recorded_by=user,
    )
    if user == viewer:
        record.viewer_confirmed_at = timezone.now()
    save(record, user, "Viewing recorded")
    return record


@transaction.atomic
def confirm_viewing(record: ViewingRecord, user) -> None:
    """Signed and dated: the viewer and the member of staff present each confirm under their own login."""
    lock(record.incident, user, record)
    now = timezone.now()
    if user == record.viewer and not record.viewer_confirmed_at:
        record.viewer_confirmed_at = now
    elif user == record.staff_present and not record.present_confirmed_at:
        record.present_confirmed_at = now
    else:
        raise PermissionDenied(
            "Only the viewer and the member of staff present confirm this record, once each."
        )
    save(record, user, "Viewing record confirmed")


# Deletion (R23) and searches (R33)


@transaction.atomic
def request_deletion(
    incident,
    user,
    *,
    young_person,
    asked_at,
    deadline=None,
    school_days: int | None = None,
    everywhere: bool,
    told_illegal: bool,
    told_police: bool,
) -> DeletionRequest:
    """By a date, or in school days counted in the school's own days (issue 20)."""
    require_open(user, incident)
    refuse_if_evidence_preserved(incident, "ask young people to delete imagery")
    if young_person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    if not (everywhere and told_illegal and told_police):
        raise ValidationError(
            "The young person must be asked to delete the imagery from every device, online "
            "storage and social media account, told that possession is illegal, and told that "
            "refusing means the police will be involved."
        )
    not_future(asked_at, "The request")
    counted = None
    if deadline is None:
        if not school_days:
            raise ValidationError("Give a deadline: a number of school days, or a date.")
        counted = deadline_for(incident.school, timezone.localdate(asked_at), school_days)
        deadline = counted.date
    if deadline < timezone.localdate(asked_at):
        raise ValidationError("The deadline cannot be before the request.")
    deletion = DeletionRequest(
        incident=incident,
        young_person=young_person,
        asked_at=asked_at,
        asked_by=user,
        everywhere=True,
        told_illegal=True,
        told_police=True,
        deadline=deadline,
        school_days=school_days if counted else None,
        deadline_note=counted.note if counted else "",
        deadline_provisional=counted.provisional if counted else False,
    )
    save(deletion, user, "Deletion requested")
    return deletion


@transaction.atomic
def confirm_deletion(
    deletion: DeletionRequest, user, *, confirmed_at, how: str, witnessed_by: str
) -> None:
    require_open(user, deletion.incident, deletion)
    if deletion.status != DeletionRequest.Status.PENDING:
        raise ValidationError("This deletion is no longer waiting for confirmation.")
    # Checked under the incident's lock: a police referral recorded at the same instant is
    # seen here, so a deletion is never confirmed after the police were involved (R16).
    refuse_while_on_hold(deletion, "confirm a deletion of imagery")
    if not (how.strip() and witnessed_by.strip()):
        raise ValidationError("Record how the deletion was confirmed and who witnessed it.")
    not_future(confirmed_at, "The confirmation")
    deletion.status = DeletionRequest.Status.CONFIRMED
    deletion.confirmed_at, deletion.confirmed_how, deletion.witnessed_by = (
        confirmed_at,
        how.strip(),
        witnessed_by.strip(),
    )
    save(deletion, user, "Deletion confirmed")


def refuse_while_on_hold(deletion: DeletionRequest, action: str) -> None:
    """R16: once the police are involved a deletion asked for before is frozen: neither
    confirmed nor refused (nor chased). Checked under the incident's lock, so a referral
    recorded at the same instant is seen."""
    preserved = evidence_preserved(deletion.incident, action)
    if preserved:
        raise ValidationError(
            preserved + " Tell the young person not to delete it. If they already have, tell "
            "the police and record it as a follow-up to the referral."
        )


@transaction.atomic
def record_refusal(deletion: DeletionRequest, user, *, note: str) -> None:
    """A refusal is treated seriously: back to the DSL for a referral decision (R23)."""
    from incidents.services import current_decision

    incident = deletion.incident
    require_open(user, incident, deletion)
    if deletion.status != DeletionRequest.Status.PENDING:
        raise ValidationError("This deletion is no longer waiting for confirmation.")
    refuse_while_on_hold(deletion, "record a refusal to delete imagery")
    if not note.strip():
        raise ValidationError("Record what the young person said.")
    deletion.status = DeletionRequest.Status.REFUSED
    deletion.refusal_note = note.strip()
    save(deletion, user, "Refused to delete the imagery")
    reason = f"{deletion.young_person.display_name} refused to delete the imagery: a referral decision is needed."
    decision = current_decision(incident)
    if decision is not None and decision.kind == "manage":
        decision.superseded_at = timezone.now()
        decision.superseded_reason = reason
        save(decision, user, reason)
    if incident.stage == Stage.MANAGED_IN_SCHOOL:
        stages.move(incident, Stage.UNDER_REVIEW, user, reason)


@transaction.atomic
def record_search(
    incident,
    user,
    *,
    young_person,
    searched_at,
    place,
    searched_by,
    authorised_by,
    authorised_at,
    present,
    sought,
    found,
    followed,
    deleted: bool = False,
) -> SearchRecord:
    require_open(user, incident)
    refuse_if_evidence_preserved(incident, "delete imagery" if deleted else "search a device")
    school = incident.school
    if young_person.incident_id != incident.pk:
        raise ValidationError("That person is not involved in this incident.")
    if Role.HEADTEACHER not in roles_at(authorised_by, school):
        raise ValidationError("A search must be authorised by the headteacher.")
    if not roles_at(searched_by, school):
        raise ValidationError("The search must be made by a member of this school's staff.")
    not_future(searched_at, "The search")
    if authorised_at > searched_at:
        raise ValidationError("The search must be authorised before it is made.")
    require_filled(
        (place, "where"),
        (present, "who was present"),
        (sought, "what was sought and the good reason"),
        (found, "what was found"),
        (followed, "what followed"),
    )
    record = SearchRecord(
        incident=incident,
        young_person=young_person,
        searched_at=searched_at,
        place=place.strip(),
        searched_by=searched_by,
        authorised_by=authorised_by,
        authorised_at=authorised_at,
        present=present.strip(),
        sought=sought.strip(),
        found=found.strip(),
        deleted=deleted,
        followed=followed.strip(),
        recorded_by=user,
    )
    save(record, user, "Search recorded")
    return record


def log_access(user, incident, what: str) -> None:
    """Record an access; one outside the school's safeguarding team is flagged (the trust lead)."""
    from .models import AccessLog

    AccessLog.objects.create(
        incident=incident,
        user=user,
        what=what,
        in_team=incident.school_id in team_school_ids(user),
    )


def log_exports(user, incidents, what: str = "export") -> None:
    """An export of several incidents (or its download) is logged against each of them.

    The user's roles are read once for all the schools, not once per incident: an export of
    2,000 incidents is a few queries here, not 2,000.
    """
    from .models import AccessLog

    team_at = team_school_ids(user)
    at = timezone.now()
    AccessLog.objects.bulk_create(
        (
            # By ids, one time for the page: no incident or user attached to each row.
            AccessLog(
                incident_id=i.pk, user_id=user.pk, what=what, at=at, in_team=i.school_id in team_at
            )
            for i in incidents
        ),
        batch_size=1000,
    )
