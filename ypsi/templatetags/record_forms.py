"""`{% form_guard %}`: the hidden fields every form that changes the record carries.

A one-time token, so a double click or a retried request records nothing twice, and (under an
incident) the version the page was opened at, so a save from a stale page is refused.
"""

import uuid

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def form_guard(context) -> str:
    html = format_html('<input type="hidden" name="form_token" value="{}">', uuid.uuid4())
    incident = context.get("incident")
    if incident is not None and getattr(incident, "pk", None):
        html += format_html(
            '<input type="hidden" name="incident_version" value="{}">'
            '<input type="hidden" name="incident_opened_at" value="{}">',
            incident.version,
            timezone.now().isoformat(),
        )
    return html


@register.filter
def govuk_widget(field, css_class: str):
    """A form field's widget with the GOV.UK class and, where they exist, its hint and error ids
    (a screen reader reads them with the input)."""
    described = [f"{field.auto_id}-hint"] if field.help_text else []
    described += [f"{field.auto_id}-error"] if field.errors else []
    attrs = {"class": css_class + (" govuk-input--error" if field.errors else "")}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
