from django import forms

from ypsi.forms import GovukDateField, GovukFormMixin

from .models import Pupil, School


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


class PolicyForm(GovukFormMixin, forms.ModelForm):
    reason = forms.CharField(
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
            "alternative_signatory_title",
        ]
        widgets = {"first_point_of_contact": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under_age_threshold"].widget.attrs["class"] += " govuk-input--width-2"
