"""`{% select_options widget %}`: a select's options, Django's own markup written in Python.

With each option rendered by template nodes of its own, the trust lead's incident list took
about as long to render its filters (50 schools) as the rest of the page; written here, the
filters take some 40% of that time (issue 14). The select's own template
(templates/django/forms/widgets/select.html) still writes the select itself.
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
