from django import template

from accounts.permissions import school_ids

register = template.Library()


@register.inclusion_tag("incidents/_search_box.html", takes_context=True)
def search_box(context) -> dict:
    """The header's search, for those who see incidents (the safeguarding team, headteacher)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = bool(user and user.is_authenticated and school_ids(user, "view_incidents"))
    return {"shown": shown, "query": request.GET.get("q", "") if shown else ""}
