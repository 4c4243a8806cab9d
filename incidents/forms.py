import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Pupil, Sex
from referrals.models import Agency
from ypsi.forms import GovukDateField, GovukDateTimeField, GovukFormMixin, now_local, style_govuk

from . import rules
from .models import AgeBand, DisclosureSource, PersonRole, Spread, Stage
from .services import Person


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
        label="What were you told?",
        help_text=(
            "Write it in the discloser's own words where you can. Do not look at, copy or "
            "forward any image: describe only what you were told."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write down what you were told."},
    )
    devices_and_platforms = forms.CharField(
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


REASON_HELP = "Kept in the record with your name and the time. Needed when you change something already recorded."


def reason_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
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
                label=c.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
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
                label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2})
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
        choices=Agency.choices,
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
        label="Why (and, for an escalation, what has changed)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the referral."},
    )

    def clean(self):
        data = super().clean()
        if data.get("made_on") and data.get("made_time"):
            data["made_at"] = timezone.make_aware(
                datetime.datetime.combine(data["made_on"], data["made_time"])
            )
        return data


class ManageForm(StyledForm):
    reason = forms.CharField(
        label="Why are you confident the risks can be managed in school?",
        help_text="Within the school's pastoral support and disciplinary framework. If in doubt, refer.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    aggravating_answer = forms.CharField(
        label="How you have weighed each aggravating factor recorded",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    headteacher_input = forms.CharField(
        label="The headteacher's input", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignOffForm(StyledForm):
    comment = forms.CharField(
        label="Your reason, or what the DSL should do if you send it back",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RiskAssessmentForm(StyledForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in rules.RiskQuestion:
            self.fields[f"q_{q.value}"] = forms.CharField(
                label=q.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["summary"] = forms.CharField(
            label="Overall assessment",
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"required": "Give the overall assessment."},
        )
        self.fields["reason"] = reason_field()
        style_govuk(self)

    def answers(self) -> dict[str, str]:
        return {q.value: self.cleaned_data[f"q_{q.value}"] for q in rules.RiskQuestion}


class YoungPersonForm(StyledForm):
    young_person = forms.ModelChoiceField(
        label="Young person",
        queryset=None,
        error_messages={"required": "Choose the young person."},
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["young_person"].queryset = people
        self.fields["young_person"].label_from_instance = lambda p: p.display_name


class ConversationForm(YoungPersonForm):
    held_at = GovukDateTimeField(label="When", initial=now_local)
    held_by = forms.CharField(label="Who held the conversation", max_length=200)
    preferred_adult = forms.BooleanField(
        label="Held by an adult the young person chose", required=False
    )
    imagery_described = forms.CharField(
        label="What the imagery contains, as the young person described it",
        help_text="Identify it without looking.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen_or_shared_by = forms.CharField(
        label="Who has seen or shared it", widget=forms.Textarea(attrs={"rows": 2})
    )
    preventing_sharing = forms.CharField(
        label="How further sharing will be prevented", widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label="Anything else", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ParentContactForm(YoungPersonForm):
    informed = forms.TypedChoiceField(
        label="Were the parents or carers informed?",
        choices=[("yes", "Yes"), ("no", "No: a decision not to inform them")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they were informed."},
    )
    at = GovukDateTimeField(label="When (informed, or decided not to)", initial=now_local)
    by = forms.CharField(label="By whom", max_length=200)
    who = forms.CharField(
        label="Who was told (name and relationship)", required=False, max_length=200
    )
    how = forms.ChoiceField(
        label="How",
        required=False,
        choices=[("", "Not informed"), *rules.ParentContactMethod.choices],
    )
    reason_not_informed = forms.CharField(
        label="If not informed: why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only where informing them would put the young person at risk of harm.",
    )
    agreed_with = forms.CharField(
        label="If not informed: agreed with",
        required=False,
        max_length=300,
        help_text="Normally children's social care or the police.",
    )


class ActionForm(StyledForm):
    kind = forms.ChoiceField(
        label="Kind of action",
        choices=rules.ActionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of action."},
    )
    description = forms.CharField(
        label="What will be done", widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label="Owner", queryset=None)
    due = GovukDateField(label="Due by")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class CompleteActionForm(StyledForm):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a report to a platform, the IWF, Childline or NCA-CEOP: the date and what they did.",
    )


class CloseForm(StyledForm):
    summary = forms.CharField(
        label="Outcome summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the outcome summary."},
    )


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label="Why is the incident being reopened?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why."},
    )


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
