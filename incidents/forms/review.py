"""Forms of the initial review, the decision and the sign-off."""

import datetime

from django import forms
from django.utils import timezone

from ypsi.forms import LONG_TEXT, SHORT_TEXT, GovukDateField, GovukFormMixin, style_govuk

from .. import hub, rules
from .intake import PersonForm

REASON_HELP = "Kept in the record with your name and the time. Needed when you change something already recorded."


def reason_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        max_length=SHORT_TEXT,
        label="Why are you making this change?" if not required else "Your reason",
        required=required,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StyledForm(GovukFormMixin, forms.Form):
    pass


class FactsForm(StyledForm):
    """Scope (R3) and the imagery as far as known, without anyone looking (R30)."""

    incident_type = forms.ChoiceField(
        label="What type of incident is this?",
        choices=rules.IncidentType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of incident."},
    )
    imagery_media = forms.MultipleChoiceField(
        label="What kind of imagery?",
        choices=rules.ImageryMedium.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="As described to you. Do not look at the imagery to find out.",
    )
    imagery_origin = forms.ChoiceField(
        label="Is it real, or digitally manipulated or AI-generated?",
        choices=rules.ImageryOrigin.choices,
        widget=forms.RadioSelect,
        help_text="Manipulated and AI-generated images of children are indecent images in law.",
    )
    sexual_acts = forms.ChoiceField(
        label="Does the imagery involve sexual acts?",
        choices=rules.Answer.choices,
        widget=forms.RadioSelect,
    )
    sextortion = forms.BooleanField(
        label="There are signs of financially motivated sexual extortion (sextortion)",
        required=False,
    )
    reason = reason_field()


class TypologyForm(StyledForm):
    typology = forms.ChoiceField(
        label="Typology (Wolak and Finkelhor)",
        choices=rules.Typology.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the typology."},
    )
    risk_level = forms.ChoiceField(
        label="Risk level", choices=rules.RiskLevel.choices, widget=forms.RadioSelect
    )
    reason = reason_field()


class MeetingForm(StyledForm):
    held_on = GovukDateField(label="When was the initial review meeting held?")
    held_time = forms.TimeField(
        label="At what time?",
        help_text="For example, 09:15",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 09:15.", "required": "Enter the time."},
    )
    attendees = forms.ModelMultipleChoiceField(
        label="Who attended from the school?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_attendees = forms.CharField(
        label="Anyone else who attended",
        required=False,
        max_length=500,
        help_text="Names and roles.",
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff
        for c in rules.Consideration:
            self.fields[f"consideration_{c.value}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=c.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["reason"] = reason_field()
        style_govuk(self)

    def clean(self):
        data = super().clean()
        if data.get("held_on") and data.get("held_time"):
            moment = datetime.datetime.combine(data["held_on"], data["held_time"])
            data["held_at"] = timezone.make_aware(moment)
            if data["held_at"] > timezone.now():
                self.add_error("held_on", "The meeting must be in the past.")
        return data

    def considerations(self) -> dict[str, str]:
        return {
            c.value: self.cleaned_data[f"consideration_{c.value}"] for c in rules.Consideration
        }


class CriteriaForm(StyledForm):
    aggravating_factors = forms.MultipleChoiceField(
        label="Aggravating factors present",
        choices=rules.AggravatingFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="They weigh towards referral. Age is not an aggravating factor.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in rules.Criterion.values:
            self.fields[f"c{c}_answer"] = forms.ChoiceField(
                label="Answer",
                choices=rules.Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Answer every criterion (yes, no or not yet known)."},
            )
            self.fields[f"c{c}_note"] = forms.CharField(
                max_length=SHORT_TEXT,
                label="Note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["reason"] = reason_field()
        style_govuk(self)

    def criteria(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {c: (d[f"c{c}_answer"], d[f"c{c}_note"]) for c in rules.Criterion.values}


class PersonEditForm(PersonForm):
    reason = reason_field(required=True)


class ReferForm(StyledForm):
    agency = forms.ChoiceField(
        label="Referred to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the agency."},
    )
    made_on = GovukDateField(label="When was the referral made?")
    made_time = forms.TimeField(
        label="At what time?",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 14:30.", "required": "Enter the time."},
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why (and, for an escalation, what has changed)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the referral."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The agencies are the referrals app's to name.
        self.fields["agency"].choices = hub.referrer().agencies()

    def clean(self):
        data = super().clean()
        if data.get("made_on") and data.get("made_time"):
            data["made_at"] = timezone.make_aware(
                datetime.datetime.combine(data["made_on"], data["made_time"])
            )
        return data


class ManageForm(StyledForm):
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why are you confident the risks can be managed in school?",
        help_text="Within the school's pastoral support and disciplinary framework. If in doubt, refer.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    aggravating_answer = forms.CharField(
        max_length=LONG_TEXT,
        label="How you have weighed each aggravating factor recorded",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    headteacher_input = forms.CharField(
        max_length=SHORT_TEXT,
        label="The headteacher's input",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignOffForm(StyledForm):
    comment = forms.CharField(
        max_length=LONG_TEXT,
        label="Your reason, or what the DSL should do if you send it back",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
