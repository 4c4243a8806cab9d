from django import forms

from ypsi.forms import SHORT_TEXT, GovukDateField, GovukFormMixin

from .models import Closure, Pupil, School
from .roster import ENCODINGS


class PupilForm(GovukFormMixin, forms.ModelForm):
    date_of_birth = GovukDateField(label="Date of birth")

    class Meta:
        model = Pupil
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "year_group",
            "upn",
            "sen_or_disability",
            "looked_after",
            "known_to_social_care",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0] != "not_known"]
        self.fields["upn"].required = False


class RosterImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="CSV file exported from your MIS",
        error_messages={"required": "Choose a CSV file to import."},
    )
    encoding = forms.ChoiceField(
        label="How the file was saved",
        choices=[
            ("", "Work it out: CSV UTF-8, Unicode Text, or CSV from an English Windows"),
            *ENCODINGS.items(),
        ],
        required=False,
        help_text="Plain CSV from Excel on a Windows set up for another language is in that "
        "language's code page.",
    )


class PolicyForm(GovukFormMixin, forms.ModelForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why are you changing these settings?",
        help_text="Kept in the record with your name and the date.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are changing the settings."},
    )

    class Meta:
        model = School
        fields = [
            "under_age_threshold",
            "first_point_of_contact",
            "mash_contact",
            "mash_phone",
            "social_care_contact",
            "social_care_phone",
            "police_contact",
            "police_phone",
            "out_of_hours_phone",
            "wolverhampton_rule",
            "retention_rule",
            "retention_follows_advice",
            "alternative_signatory_title",
        ]
        widgets = {
            "first_point_of_contact": forms.RadioSelect,
            "retention_rule": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under_age_threshold"].widget.attrs["class"] += " govuk-input--width-2"


# Term dates and closures (issue 20)


class TermForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the term",
        max_length=100,
        help_text="For example Autumn term (or Autumn term 1, if you enter half-terms as terms).",
    )
    first_day = GovukDateField(label="First day of the term")
    last_day = GovukDateField(label="Last day of the term")


class ClosureForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of closure", choices=Closure.Kind.choices, widget=forms.RadioSelect
    )
    first_day = GovukDateField(label="First day the school is closed")
    last_day = GovukDateField(
        label="Last day the school is closed",
        required=False,
        help_text="Leave it blank for a single day.",
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="For example Half term, or Polling day.",
    )


class CalendarImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="CSV or iCalendar (.ics) file",
        error_messages={"required": "Choose a CSV or iCalendar file to import."},
    )


class FollowCalendarForm(GovukFormMixin, forms.Form):
    calendar = forms.ModelChoiceField(
        label="Inherit term dates published by",
        queryset=None,
        required=False,
        empty_label="The trust's default",
    )
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why does the school follow these term dates?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the school follows these term dates."},
    )

    def __init__(self, *args, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars
