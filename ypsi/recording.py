"""Small helpers every service uses to write the record the same way (R27)."""

from django.core.exceptions import ValidationError
from django.utils import timezone


def save(obj, user, reason: str) -> None:
    """Save with the user and the reason that the history keeps."""
    obj._history_user = user
    obj._change_reason = reason
    obj.save()


def not_future(when, what: str) -> None:
    if when > timezone.now():
        raise ValidationError(f"{what} cannot be in the future.")


def require_filled(*pairs: tuple[str, str]) -> None:
    """Refuse with one message naming every (value, label) left blank."""
    missing = [label for value, label in pairs if not (value or "").strip()]
    if missing:
        raise ValidationError("Record " + ", ".join(missing) + ".")
