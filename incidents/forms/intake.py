"""Forms of intake: the report of a concern, the people in it, and the incident list's filters."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Pupil, Sex
from ypsi.forms import LONG_TEXT, SHORT_TEXT, GovukDateField, GovukFormMixin, style_govuk

from ..models import AgeBand, DisclosureSource, PersonRole, Spread, Stage
from ..services import Person


class ConcernForm(GovukFormMixin, forms.Form):
    disclosure_source = forms.ChoiceField(
        label="How did the concern come to light?",
        choices=DisclosureSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the concern came to light."},
    )
    discloser = forms.CharField(
        label="Who told you? (optional)",
        required=False,
        max_length=200,
        help_text="For example: the young person, a friend in Year 9, a parent.",
    )
    disclosed_on = GovukDateField(
        label="When was it disclosed?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the disclosure."},
    )
    disclosed_time = forms.TimeField(
        label="At what time? (optional)",
        required=False,
        help_text="For example, 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 14:30."},
    )
    received_by = forms.CharField(
        label="Who received the disclosure?",
        max_length=200,
        error_messages={"required": "Enter who received the disclosure."},
    )
    account = forms.CharField(
        max_length=LONG_TEXT,
        label="What were you told?",
        help_text=(
            "Write it in the discloser's own words where you can. Do not look at, copy or "
            "forward any image: describe only what you were told."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write down what you were told."},
    )
    devices_and_platforms = forms.CharField(
        max_length=SHORT_TEXT,
        label="Devices, apps or platforms involved (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    spread = forms.ChoiceField(
        label="How widely has the imagery been shared?",
        choices=Spread.choices,
        initial=Spread.UNKNOWN,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        day, time = data.get("disclosed_on"), data.get("disclosed_time")
        if day:
            moment = datetime.datetime.combine(day, time or datetime.time(0, 0))
            data["disclosed_at"] = timezone.make_aware(moment)
            if data["disclosed_at"] > timezone.now():
                self.add_error(
                    "disclosed_on", "The date of the disclosure must be today or in the past."
                )
        return data


class PersonForm(GovukFormMixin, forms.Form):
    pupil = forms.ModelChoiceField(
        label="A pupil at this school",
        queryset=Pupil.objects.none(),
        required=False,
        empty_label="Not a pupil here, or not known",
    )
    name = forms.CharField(
        label="Or their name or a description",
        required=False,
        max_length=200,
        help_text="For someone who is not on the roll, for example 'a boy at another school'.",
    )
    date_of_birth = GovukDateField(label="Date of birth, if known", required=False)
    age = forms.IntegerField(
        label="Or their age, if known",
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    age_band = forms.ChoiceField(
        label="Or their age band", choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.NOT_KNOWN)
    year_group = forms.CharField(
        label="Year group, if known",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    school_name = forms.CharField(
        label="School or setting",
        required=False,
        max_length=200,
        help_text="If not this school. Write 'adult' for someone who is not at school.",
    )
    roles = forms.MultipleChoiceField(
        label="Their part in what happened",
        choices=PersonRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )

    def __init__(self, *args, pupils=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pupils is not None:
            self.fields["pupil"].queryset = pupils

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        if not data.get("pupil") and not data.get("name", "").strip():
            self.add_error("name", "Choose a pupil, or give a name or description.")
        if not data.get("roles"):
            self.add_error("roles", "Select their part in what happened.")
        dob = data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            self.add_error("date_of_birth", "The date of birth must be in the past.")
        return data

    def to_person(self) -> Person:
        d = self.cleaned_data
        return Person(
            roles=d["roles"],
            pupil=d.get("pupil"),
            name=d.get("name", ""),
            date_of_birth=d.get("date_of_birth"),
            age=d.get("age"),
            age_band=d.get("age_band") or AgeBand.UNKNOWN,
            sex=d.get("sex") or Sex.NOT_KNOWN,
            year_group=d.get("year_group", ""),
            school_name=d.get("school_name", ""),
        )


PersonFormSet = forms.formset_factory(PersonForm, extra=1, max_num=40, validate_max=True)


class IncidentFilterForm(forms.Form):
    """The DSL's incident list: by stage, school (trust lead), overdue items and young person."""

    stage = forms.ChoiceField(choices=[("", "All stages"), *Stage.choices], required=False)
    school = forms.ModelChoiceField(queryset=None, required=False, empty_label="All schools")
    overdue = forms.BooleanField(label="Only incidents with overdue actions", required=False)
    person = forms.CharField(label="Young person's name", required=False, max_length=100)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        style_govuk(self)

    def apply(self, incidents):
        if not self.is_valid():
            return incidents
        d = self.cleaned_data
        if d["stage"]:
            incidents = incidents.filter(stage=d["stage"])
        if d["school"]:
            incidents = incidents.filter(school=d["school"])
        if d["overdue"]:
            incidents = incidents.filter(
                actions__done_at__isnull=True, actions__due__lt=timezone.localdate()
            )
        if d["person"]:
            words = d["person"].split()
            for word in words:
                incidents = incidents.filter(
                    Q(people__name__icontains=word)
                    | Q(people__pupil__first_name__icontains=word)
                    | Q(people__pupil__last_name__icontains=word)
                )
        return incidents.distinct()
