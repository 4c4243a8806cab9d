"""Forms of managing an incident in school, closing and reopening."""

from django import forms

from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukDateTimeField,
    now_local,
    style_govuk,
)

from .. import rules
from .review import StyledForm, reason_field


class RiskAssessmentForm(StyledForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in rules.RiskQuestion:
            self.fields[f"q_{q.value}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=q.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["summary"] = forms.CharField(
            max_length=LONG_TEXT,
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
        max_length=LONG_TEXT,
        label="What the imagery contains, as the young person described it",
        help_text="Identify it without looking.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen_or_shared_by = forms.CharField(
        max_length=SHORT_TEXT,
        label="Who has seen or shared it",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    preventing_sharing = forms.CharField(
        max_length=SHORT_TEXT,
        label="How further sharing will be prevented",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Anything else",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
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
        max_length=SHORT_TEXT,
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
        max_length=SHORT_TEXT, label="What will be done", widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label="Owner", queryset=None)
    due = GovukDateField(label="Due by")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class CompleteActionForm(StyledForm):
    outcome = forms.CharField(
        max_length=LONG_TEXT,
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a report to a platform, the IWF, Childline or NCA-CEOP: the date and what they did.",
    )


class CloseForm(StyledForm):
    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="Outcome summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the outcome summary."},
    )


class ReopenForm(StyledForm):
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why is the incident being reopened?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why."},
    )
