from dataclasses import dataclass


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
