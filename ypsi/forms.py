"""Form pieces shared by every app: GOV.UK Frontend classes and the GOV.UK date input."""

import datetime

from django import forms
from django.utils import timezone

# Every free-text box has a limit, so that no request stores (or shows back) megabytes: an
# account of what was said may run to pages; a note or a reason in a small box, to paragraphs.
LONG_TEXT = 20_000
SHORT_TEXT = 2_000


class Typed(str):
    """What was typed in the boxes of a date, as the field parses it, with each box kept as
    typed: a date that fails shows again exactly as it was entered, whatever it holds."""

    def __new__(cls, text: str, parts: list):
        typed = super().__new__(cls, text)
        typed.parts = parts
        return typed


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
        if isinstance(value, Typed):
            return value.parts
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
        except (TypeError, ValueError, OverflowError):
            return Typed(f"{year}-{month}-{day}", [day, month, year])


class GovukDateField(forms.DateField):
    widget = GovukDateInput
    default_error_messages = {"invalid": "Enter a real date, for example 27 3 2026."}


def style_govuk(form: forms.BaseForm) -> None:
    """Give each widget the GOV.UK Frontend class its type calls for."""
    for field in form.fields.values():
        css = _govuk_class(field.widget)
        if css and css not in field.widget.attrs.get("class", "").split():
            field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()
        if isinstance(field.widget, forms.Textarea):
            # A browser cuts a long paste short without a word; the form's error says how much
            # is over the limit, and keeps all of it.
            field.widget.attrs.pop("maxlength", None)


def _govuk_class(widget) -> str | None:
    classes = {
        forms.Textarea: "govuk-textarea",
        forms.Select: "govuk-select",
        forms.FileInput: "govuk-file-upload",
        forms.ClearableFileInput: "govuk-file-upload",
    }
    css = classes.get(type(widget))
    if css is None and isinstance(widget, forms.TextInput | forms.NumberInput | forms.EmailInput):
        css = "govuk-input"
    return css


class GovukFormMixin:
    """GOV.UK classes on every widget, and the error modifier on fields that failed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_govuk(self)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            css = _govuk_class(widget) if widget else None
            if css and f"{css}--error" not in widget.attrs.get("class", "").split():
                widget.attrs["class"] += f" {css}--error"


def with_errors(*forms_) -> list:
    """The forms that have errors, for the GOV.UK error summary at the top of the page."""
    return [f for f in forms_ if f.is_bound and f.errors]


class GovukDateTimeInput(forms.MultiWidget):
    """The GOV.UK date boxes with a time box: when something happened."""

    template_name = "widgets/govuk_datetime.html"

    def __init__(self, attrs=None):
        box = "govuk-input govuk-date-input__input"
        super().__init__(
            {
                "day": forms.TextInput(
                    {"class": box + " govuk-input--width-2", "inputmode": "numeric"}
                ),
                "month": forms.TextInput(
                    {"class": box + " govuk-input--width-2", "inputmode": "numeric"}
                ),
                "year": forms.TextInput(
                    {"class": box + " govuk-input--width-4", "inputmode": "numeric"}
                ),
                "time": forms.TextInput({"class": box + " govuk-input--width-4"}),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return [value.day, value.month, value.year, value.strftime("%H:%M")]
        if isinstance(value, Typed):
            return value.parts
        if isinstance(value, str) and " " in value:
            day, time = value.split(" ", 1)
            parts = day.split("-")
            if len(parts) == 3:
                return [parts[2], parts[1], parts[0], time]
        return [None, None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year, time = super().value_from_datadict(data, files, name)
        if not (day or month or year or time):
            return None
        return Typed(f"{year}-{month}-{day} {time}".strip(), [day, month, year, time])


class GovukDateTimeField(forms.DateTimeField):
    widget = GovukDateTimeInput
    default_error_messages = {
        "invalid": "Enter a real date and a time, for example 27 3 2026 and 14:30."
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)


def now_local() -> datetime.datetime:
    """The current time to the minute: the default for "when" in a form."""
    return timezone.localtime().replace(second=0, microsecond=0)
