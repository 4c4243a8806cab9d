"""Forms of the initial review, the decision and the sign-off."""

from django import forms

from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukFormMixin,
    GovukTimeField,
    moment_of,
    style_govuk,
)

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
    platforms = forms.MultipleChoiceField(
        label="Devices, apps and platforms involved",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose all that apply, so the inspection report can count them.",
    )
    new_platform = forms.CharField(
        label="Not on the list? Add it (optional)",
        required=False,
        max_length=100,
        help_text="For example, the name of an app. It is added to your school's list.",
    )
    new_platform_kind = forms.ChoiceField(
        label="What kind is it?",
        choices=[("", "Choose if you add one"), *rules.PlatformKind.choices],
        required=False,
    )
    reason = reason_field()

    def __init__(self, *args, platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The school's list (services.offered_platforms), given by the view.
        self.fields["platforms"].choices = [(name, name) for name, _kind in platforms]

    def clean(self):
        data = super().clean()
        if data.get("new_platform", "").strip() and not data.get("new_platform_kind"):
            self.add_error("new_platform_kind", "Say what kind of device, app or platform it is.")
        return data


class TypologyForm(StyledForm):
    """Either may be saved first and the other later (issue 12: save and come back later)."""

    typology = forms.ChoiceField(
        label="Typology (Wolak and Finkelhor)",
        choices=rules.Typology.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    risk_level = forms.ChoiceField(
        label="Risk level",
        choices=rules.RiskLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = reason_field()

    def clean(self):
        data = super().clean()
        if not data.get("typology") and not data.get("risk_level") and not self.errors:
            self.add_error("typology", "Select the typology.")
        return data


class MeetingForm(StyledForm):
    held_on = GovukDateField(label="When was the initial review meeting held?")
    held_time = GovukTimeField(
        label="At what time?",
        help_text="For example, 09:15 or 9:15am",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time."},
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
        if data.get("held_time"):
            data["held_at"] = moment_of(self, "held_on", "held_time", "held_clocks")
        return data

    def considerations(self) -> dict[str, str]:
        return {
            c.value: self.cleaned_data[f"consideration_{c.value}"] for c in rules.Consideration
        }


FACTOR_ANSWERS = [("yes", "Yes"), ("no", "No")]


class CriteriaForm(StyledForm):
    """The five criteria, each answered with a note (R6). One left unanswered is saved as not
    yet known, so the part can be finished later; `questions` names the criteria the facts
    leave to the DSL to answer with a reason ({"1": "Could an adult be involved?"}, R36)."""

    def __init__(self, *args, questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions = questions or {}
        for c in rules.Criterion.values:
            self.fields[f"c{c}_answer"] = forms.ChoiceField(
                label=questions.get(c, "Answer"),
                choices=rules.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"c{c}_note"] = forms.CharField(
                max_length=SHORT_TEXT,
                label="Your reason (needed for your answer)" if c in questions else "Note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["reason"] = reason_field()
        style_govuk(self)

    def clean(self):
        data = super().clean()
        for c in self.questions:
            if (
                data.get(f"c{c}_answer") in (rules.Answer.YES, rules.Answer.NO)
                and not data.get(f"c{c}_note", "").strip()
            ):
                self.add_error(f"c{c}_note", "Give the reason for your answer.")
        return data

    def criteria(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {
            c: (d[f"c{c}_answer"] or rules.Answer.NOT_KNOWN, d[f"c{c}_note"])
            for c in rules.Criterion.values
        }


class FactorsForm(StyledForm):
    """Each aggravating factor answered yes or no with a note (R9); one left blank is not yet
    answered, so the part can be finished later.

    `initial["aggravating_factors"]` is the review's {factor: {"answer", "note"}}; the cleaned
    `aggravating_factors` is {factor: (answer, note)}, an unanswered factor as ("", note)."""

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        for f, entry in (initial.pop("aggravating_factors", None) or {}).items():
            initial[f"f_{f}_answer"] = entry.get("answer", "")
            initial[f"f_{f}_note"] = entry.get("note", "")
        super().__init__(*args, initial=initial, **kwargs)
        for f in rules.AggravatingFactor:
            self.fields[f"f_{f.value}_answer"] = forms.ChoiceField(
                label=f.label, choices=FACTOR_ANSWERS, widget=forms.RadioSelect, required=False
            )
            self.fields[f"f_{f.value}_note"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=f"Note on {f.label.lower()}",
                required=False,
                help_text="Needed for a yes: what is known.",
            )
        self.fields["reason"] = reason_field()
        style_govuk(self)

    def clean(self):
        data = super().clean()
        for f in rules.AggravatingFactor:
            answer, note = data.get(f"f_{f.value}_answer", ""), data.get(f"f_{f.value}_note", "")
            if answer == "yes" and not note.strip():
                self.add_error(f"f_{f.value}_note", f"Say what is known of {f.label.lower()}.")
        data["aggravating_factors"] = {
            f.value: (data.get(f"f_{f.value}_answer", ""), data.get(f"f_{f.value}_note", ""))
            for f in rules.AggravatingFactor
        }
        return data

    def factor_rows(self):
        """(label, answer field, note field) for each aggravating factor, for the page."""
        return [
            (f.label, self[f"f_{f.value}_answer"], self[f"f_{f.value}_note"])
            for f in rules.AggravatingFactor
        ]


class PersonEditForm(PersonForm):
    """The DSL's correction of a person, with what the reporter may not know (R4): the
    vulnerabilities of anyone involved, a group's rough size, and whether this is an online
    contact whose age is not verified or an AI application (R36)."""

    field_order = ["kind"]
    # The roster is searched, as on the report page (issue 21 item 4): a list of the whole
    # roll made this page hundreds of kilobytes at a large school. The pupil on record is
    # shown as a choice the DSL can undo.
    clearable = True
    kind = forms.ChoiceField(
        label="Who or what is this?",
        choices=rules.PersonKind.choices,
        initial=rules.PersonKind.PERSON,
        widget=forms.RadioSelect,
        required=False,
        help_text=(
            "An online contact whose age is not verified, or an AI application, makes the "
            "review ask whether an adult could be involved (criterion 1)."
        ),
    )
    group_size = forms.IntegerField(
        label="A group? About how many are in it (optional)",
        required=False,
        min_value=2,
        max_value=100000,
        help_text="For example 200 for a year group chat. Name the group above.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    sen_or_disability = forms.BooleanField(label="SEN or disability", required=False)
    looked_after = forms.BooleanField(label="Looked after", required=False)
    known_to_social_care = forms.BooleanField(
        label="Known to children's social care", required=False
    )
    reason = reason_field(required=True)

    def clean(self):
        data = super().clean()
        if data.get("group_size") and data.get("pupil"):
            self.add_error("group_size", "A pupil on the roll is one person, not a group.")
        if (
            data.get("pupil")
            and data.get("kind", rules.PersonKind.PERSON) != rules.PersonKind.PERSON
        ):
            self.add_error("kind", "A pupil on the roll is a young person.")
        return data

    def to_person(self):
        person = super().to_person()
        d = self.cleaned_data
        person.group_size = d.get("group_size")
        person.sen_or_disability = d.get("sen_or_disability", False)
        person.looked_after = d.get("looked_after", False)
        person.known_to_social_care = d.get("known_to_social_care", False)
        person.kind = d.get("kind") or rules.PersonKind.PERSON
        return person


class ReferForm(StyledForm):
    agency = forms.ChoiceField(
        label="Referred to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the agency."},
    )
    made_on = GovukDateField(label="When was the referral made?")
    made_time = GovukTimeField(
        label="At what time?",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time."},
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
        if data.get("made_time"):
            data["made_at"] = moment_of(self, "made_on", "made_time", "made_clocks")
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
        label="Why managing in school is still right despite each aggravating factor",
        help_text="Needed when any aggravating factor is answered yes.",
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
