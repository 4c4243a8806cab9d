import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from .models import FormSubmission


@dataclass
class Change:
    when: object
    who: object
    reason: str
    changes: list[tuple[str, object, object]]


def change_history(obj) -> list[Change]:
    """Each saved version of `obj`, newest first, with the fields changed since the one before."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    out = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for c in delta.changes:
                field = obj._meta.get_field(c.field)
                changes.append((field.verbose_name, c.old, c.new))
        out.append(
            Change(
                newer.history_date, newer.history_user, newer.history_change_reason or "", changes
            )
        )
    return out


def claim_submission(token: str | None, user) -> bool:
    """True the first time a form's token is used (or when the form carries none); False for a
    repeat. Inside the caller's transaction, so a refused save frees the token again."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return True  # no token (an API client, a test): nothing to deduplicate against
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True
