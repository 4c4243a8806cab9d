"""`{% select_options widget %}`: a select's options, Django's own markup written in Python.

Each option rendered by template nodes of its own cost a trust lead's list of 50 schools some
12 ms a page, as much as the rest of the list (issue 14); the select's own template
(templates/django/forms/widgets/select.html) still writes the select.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them: True a bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


@register.simple_tag
def select_options(widget: dict) -> str:
    html = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(format_html('\n  <optgroup label="{}">', group_name))
        html += (
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                option["value"],
                _attrs(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        if group_name:
            html.append("\n  </optgroup>")
    return mark_safe("".join(html))
