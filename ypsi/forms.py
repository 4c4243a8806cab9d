"""Form pieces shared by every app: GOV.UK Frontend classes and the GOV.UK date input."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
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

    def use_required_attribute(self, initial):
        # The boxes are drawn with all their attributes (the error's aria-invalid among them),
        # but, as GOV.UK's date input, without `required`: the field's error says what is missing.
        return False

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


REQUIRED = forms.Field.default_error_messages["required"]
INVERTED = re.compile(
    r"(?:(?:when|where|why|which|how(?: \w+)?) )?(?:is|are|was|were|do|does|did|has|have|will)\b.*\?$",
    re.IGNORECASE,
)
CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def what_is_missing(field: forms.Field, label: str) -> str:
    """GOV.UK's error message for an empty field, from its label: "Enter the owner's name" for a
    box, "Select the young person" for a choice or a file. Django's "This field is required."
    said nine times on one form tells no one which box is empty. A label that is an inverted
    question ("When was it confiscated?") is quoted: "Enter when was it confiscated" is not
    English."""
    label = re.sub(r"\s*\(optional\)\s*$", "", str(label)).rstrip(" :.")
    if INVERTED.match(label):
        return f"Answer “{label}”"
    label = label.rstrip("?")
    if len(label) > 1 and not label[1].isupper():
        label = label[0].lower() + label[1:]
    return f"{'Select' if isinstance(field, CHOSEN) else 'Enter'} {label}."


class GovukFormMixin:
    """GOV.UK classes on every widget, the error modifier on fields that failed, and an empty
    field's error naming the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_govuk(self)

    def full_clean(self):
        for name, field in self.fields.items():
            if field.error_messages.get("required") == REQUIRED:
                missing = what_is_missing(field, self[name].label)
                field.error_messages = {**field.error_messages, "required": missing}
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if isinstance(widget, GovukDateInput | GovukDateTimeInput):
                # Each box of a date in error: GOV.UK's red border, and told to screen readers.
                for box in widget.widgets:
                    if isinstance(box, forms.RadioSelect):
                        continue  # the choice of before or after the clocks went back
                    if "govuk-input--error" not in box.attrs["class"].split():
                        box.attrs["class"] += " govuk-input--error"
                    box.attrs["aria-invalid"] = "true"
                continue
            css = _govuk_class(widget) if widget else None
            if css and f"{css}--error" not in widget.attrs.get("class", "").split():
                widget.attrs["class"] += f" {css}--error"


def with_errors(*forms_) -> list:
    """The forms that have errors, for the GOV.UK error summary at the top of the page."""
    return [f for f in forms_ if f.is_bound and f.errors]


CLOCKS = [
    ("before", "Before the clocks went back"),
    ("after", "After the clocks went back"),
]

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)


def parse_time(text: str) -> datetime.time | None:
    """A time as people write it: 13:30, 13.30, 1.30pm, 1:30 PM, 1pm (GOV.UK writes 1:30pm),
    midday and midnight. None when it is not a time."""
    text = " ".join(str(text).split()).lower()
    named = {"midday": datetime.time(12, 0), "noon": datetime.time(12, 0)}
    if text in named or text == "midnight":
        return named.get(text, datetime.time(0, 0))
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if match[2] is None and half is None:
        return None  # "13" alone could be a date's day typed in the wrong box
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def spoken_day(day: datetime.date) -> str:
    """27 March 2026, as GOV.UK writes dates."""
    return f"{day.day} {day:%B %Y}"


def _clock(moment: datetime.datetime) -> str:
    """1am, 2pm, 1:30am: how GOV.UK writes the hour the clocks change."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def _change_on(day: datetime.date, zone) -> datetime.datetime:
    """The instant the clocks changed on `day`, in the local time before the change."""
    low = datetime.datetime.combine(day, datetime.time.min, zone).astimezone(datetime.UTC)
    high = low + datetime.timedelta(days=1)
    before = low.astimezone(zone).utcoffset()
    while high - low > datetime.timedelta(minutes=1):
        middle = low + (high - low) / 2
        low, high = (
            (middle, high) if middle.astimezone(zone).utcoffset() == before else (low, middle)
        )
    return (high.replace(tzinfo=None) + before).replace(second=0, microsecond=0)


def clocks_changed(day: datetime.date, time: datetime.time) -> str:
    """ "gap" for a time the clocks skipped, "fold" for one they showed twice, else ""."""
    zone = timezone.get_current_timezone()
    naive = datetime.datetime.combine(day, time)
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    back = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    return "fold" if back == naive else "gap"


def local_moment(
    day: datetime.date, time: datetime.time, clocks: str = "", *, past: bool = True
) -> datetime.datetime:
    """The one rule for a date and a time typed on any form, in the school's time zone.

    A time the clocks skipped did not happen: it is refused, saying what the clock showed. One
    they showed twice (October's last Sunday, 1am to 2am) is taken only once `clocks` says which
    ("before" or "after" they went back). A moment later than now is refused in plain words.
    Raises ValidationError with code "gap", "fold" or "later"."""
    zone = timezone.get_current_timezone()
    naive = datetime.datetime.combine(day, time)
    changed = clocks_changed(day, time)
    if changed == "gap":
        shown = naive.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone)
        raise ValidationError(
            f"The clocks went forward at {_clock(_change_on(day, zone))} on {spoken_day(day)}: "
            f"{time:%H:%M} did not happen. Enter {shown:%H:%M} if that is what the clock showed.",
            code="gap",
        )
    if changed == "fold" and clocks not in ("before", "after"):
        raise ValidationError(
            f"The clocks went back at {_clock(_change_on(day, zone))} on {spoken_day(day)}, so "
            f"{time:%H:%M} happened twice. Say whether it was before or after the clocks went "
            "back.",
            code="fold",
        )
    moment = naive.replace(tzinfo=zone, fold=int(clocks == "after"))
    now = timezone.localtime()
    if past and moment > now:
        if day == now.date():
            message = (
                f"{time:%H:%M} today is later than now ({now:%H:%M}). Enter the time it happened."
            )
        else:
            message = f"{spoken_day(day)} is later than today. Enter the date it happened."
        raise ValidationError(message, code="later")
    return moment


def clocks_labels(day: datetime.date, time: datetime.time) -> list[tuple[str, str]]:
    """The choice offered for a time shown twice, each named with its zone: (BST), (GMT)."""
    zone = timezone.get_current_timezone()
    naive = datetime.datetime.combine(day, time)
    names = [naive.replace(tzinfo=zone, fold=f).tzname() for f in (0, 1)]
    return [
        (value, f"{label} ({name})") for (value, label), name in zip(CLOCKS, names, strict=True)
    ]


class GovukTimeField(forms.TimeField):
    """A time box that understands 13:30, 13.30, 1.30pm and 1:30 PM alike."""

    default_error_messages = {"invalid": "Enter a time like 14:30 or 2:30pm."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        time = parse_time(value)
        if time is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return time


class ClocksField(forms.ChoiceField):
    """Which of the two 01:30s of the night the clocks go back: asked only then."""

    widget = forms.RadioSelect

    def __init__(self, day=None, time=None, **kwargs):
        kwargs.setdefault("label", "Was it before or after the clocks went back?")
        kwargs.setdefault("required", False)
        choices = clocks_labels(day, time) if day and time else CLOCKS
        super().__init__(choices=choices, **kwargs)


def insert_field(form: forms.BaseForm, name: str, field: forms.Field, *, after: str) -> None:
    """A question asked only when the answers call for it, placed after the field it is about."""
    items = [(k, v) for k, v in form.fields.items() if k != name]
    at = [k for k, _v in items].index(after) + 1
    form.fields = dict([*items[:at], (name, field), *items[at:]])


def moment_of(form: forms.BaseForm, day_name: str, time_name: str, clocks_name: str, **kwargs):
    """The one rule (`local_moment`) for a form with a date field and a time field: the moment,
    or None with the error put where it belongs. On the night the clocks go back, a time they
    showed twice brings the field `clocks_name`, just after the time, to say which."""
    data = form.cleaned_data
    day, time = data.get(day_name), data.get(time_name)
    if day is None or (time is None and time_name in form.errors):
        return None
    time = time or datetime.time(0, 0)
    form.fields.pop(clocks_name, None)
    if clocks_changed(day, time) == "fold":
        insert_field(form, clocks_name, ClocksField(day, time), after=time_name)
    try:
        return local_moment(day, time, form.data.get(form.add_prefix(clocks_name), ""), **kwargs)
    except ValidationError as error:
        today = day == timezone.localdate() and data.get(time_name)
        place = {"fold": clocks_name, "gap": time_name}.get(error.code)
        form.add_error(place or (time_name if today else day_name), error)
        return None


class GovukDateTimeInput(forms.MultiWidget):
    """The GOV.UK date boxes with a time box: when something happened. On the night the clocks
    go back, a time they showed twice brings a choice of before or after (BST or GMT)."""

    template_name = "widgets/govuk_datetime.html"

    def use_required_attribute(self, initial):
        return False  # as GovukDateInput's

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
                "time": forms.TextInput({"class": box + " govuk-input--width-5"}),
                "clocks": forms.RadioSelect(choices=CLOCKS),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            fold = clocks_changed(value.date(), value.time()) == "fold"
            clocks = ("after" if value.fold else "before") if fold else None
            return [value.day, value.month, value.year, value.strftime("%H:%M"), clocks]
        if isinstance(value, Typed):
            return value.parts
        return [None] * 5

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        day, month, year, time, _clocks = self.decompress(value)
        moment = _typed_moment(day, month, year, time)
        if moment and clocks_changed(*moment) == "fold":
            clocks = context["widget"]["subwidgets"][4]
            labels = dict(clocks_labels(*moment))
            for _group, options, _index in clocks["optgroups"]:
                for option in options:
                    option["label"] = labels[option["value"]]
            context["widget"]["clocks"] = clocks
        return context

    def value_from_datadict(self, data, files, name):
        day, month, year, time, clocks = super().value_from_datadict(data, files, name)
        if not (day or month or year or time):
            return None
        return Typed(f"{year}-{month}-{day} {time}".strip(), [day, month, year, time, clocks])


def _typed_moment(day, month, year, time) -> tuple[datetime.date, datetime.time] | None:
    try:
        date = datetime.date(int(year), int(month), int(day))
    except (TypeError, ValueError, OverflowError):
        return None
    parsed = parse_time(time) if time else None
    return (date, parsed) if parsed else None


class GovukDateTimeField(forms.DateTimeField):
    """When something happened, read by the one rule (`local_moment`): a time typed as people
    write it; one the clocks skipped refused; one they showed twice asked about; and, unless
    `past=False`, nothing later than now."""

    widget = GovukDateTimeInput
    default_error_messages = {
        "invalid": "Enter a real date and a time, for example 27 3 2026 and 14:30.",
        "invalid_time": "Enter the time like 14:30 or 2:30pm.",
    }

    def __init__(self, *args, past: bool = True, **kwargs):
        self.past = past
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        parts = value.parts if isinstance(value, Typed) else None
        if parts is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        day, month, year, time, clocks = parts
        try:
            date = datetime.date(int(year), int(month), int(day))
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        parsed = parse_time(time or "")
        if parsed is None:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid")
        return local_moment(date, parsed, clocks or "", past=self.past)


def now_local() -> datetime.datetime:
    """The current time to the minute: the default for "when" in a form."""
    return timezone.localtime().replace(second=0, microsecond=0)
