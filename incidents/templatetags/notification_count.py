from django import template

from accounts.permissions import school_ids

from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """How many of the signed-in user's notifications are unread, for the header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@register.simple_tag(takes_context=True)
def sees_incidents(context) -> bool:
    """Whether the header links to the incident list: the safeguarding team and headteacher."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and school_ids(user, "view_incidents"))
