"""Issue 14: the project writes a select's options itself, in Python (the select_options tag),
for a trust lead's list of 50 schools; the markup must stay exactly Django's own, which the
accessibility checks and the browser tests were written against."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

from accounts.models import School
from incidents.forms.intake import IncidentFilterForm

WIDGETS = [
    (forms.Select(choices=[("", "All <stages>"), ("a", "A & B"), ("b", 'Say "x"')]), "a"),
    (forms.Select(choices=[("Group <1>", [("1", "one"), ("2", "two")]), ("3", "three")]), "2"),
    (forms.SelectMultiple(choices=[("1", "one"), ("2", "two"), ("3", "three")]), ["1", "3"]),
    (
        forms.Select(
            choices=[(1, 1000), (None, "none"), (2.5, "x")],
            attrs={"class": "govuk-select", "disabled": True, "data-off": False},
        ),
        1,
    ),
]


def both(widget, name, value, attrs):
    ctx = widget.get_context(name, value, attrs)
    template = widget.template_name
    return TemplatesSetting().render(template, ctx), DjangoTemplates().render(template, ctx)


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_select_is_written_exactly_as_django_writes_it(widget, value):
    ours, djangos = both(widget, "f", value, {"id": "id_f"})
    assert ours == djangos


@pytest.mark.django_db
def test_the_lists_school_filter_is_written_exactly_as_django_writes_it(world):
    form = IncidentFilterForm(
        {"school": world.school.pk}, schools=lambda: School.objects.values_list("pk", "name")
    )
    field = form["school"]
    ours, djangos = both(
        field.field.widget, field.html_name, field.value(), field.build_widget_attrs({})
    )
    assert ours == djangos and "selected" in ours and world.other_school.name in ours
