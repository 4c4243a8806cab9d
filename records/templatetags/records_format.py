from django import template

register = template.Library()


@register.filter
def duration(delta) -> str:
    """A time span as a DSL would say it: '45 min', '3 h 10 min', '2 days 4 h'."""
    if delta is None:
        return "not yet"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return "before the disclosure"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"
