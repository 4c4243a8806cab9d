"""Form pieces shared by every app: GOV.UK Frontend classes and the GOV.UK date input."""

import datetime

from django import forms


class GovukDateInput(forms.MultiWidget):
    """Day, month and year as three boxes: the GOV.UK pattern that screen readers know."""

    template_name = "widgets/govuk_date.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            {
                "day": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                "month": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                "year": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-4"}),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            return [day, month, year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = super().value_from_datadict(data, files, name)
        if not (day or month or year):
            return None
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except (TypeError, ValueError):
            # Keep what was typed so the form shows it again with the error.
            return f"{year}-{month}-{day}"


class GovukDateField(forms.DateField):
    widget = GovukDateInput
    default_error_messages = {"invalid": "Enter a real date, for example 27 3 2026."}


def style_govuk(form: forms.BaseForm) -> None:
    """Give each widget the GOV.UK Frontend class its type calls for."""
    for name, field in form.fields.items():
        widget = field.widget
        classes = {
            forms.Textarea: "govuk-textarea",
            forms.Select: "govuk-select",
            forms.FileInput: "govuk-file-upload",
        }
        css = next((c for t, c in classes.items() if type(widget) is t), None)
        if css is None and isinstance(
            widget, forms.TextInput | forms.NumberInput | forms.EmailInput
        ):
            css = "govuk-input"
        if css:
            if name in form.errors:
                css += f" {css}--error"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def with_errors(*forms_) -> list:
    """The forms that have errors, for the GOV.UK error summary at the top of the page."""
    return [f for f in forms_ if f.is_bound and f.errors]
