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


class RiskAssessmentForm(YoungPersonForm):
    """R17: one young person's assessment; the pictured child, the sender and the recipients
    are each assessed in their own right."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in rules.RiskQuestion:
            self.fields[f"q_{q.value}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=q.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["risk_level"] = forms.ChoiceField(
            label="Risk to this young person",
            choices=[("", "Not assessed yet"), *rules.RiskLevel.choices],
            required=False,
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
    kind = forms.ChoiceField(
        label="What are you recording?",
        choices=rules.ParentContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they were informed, updated or not informed."},
    )
    at = GovukDateTimeField(label="When (informed, updated, or decided not to)", initial=now_local)
    by = forms.CharField(label="By whom", max_length=200)
    who = forms.CharField(
        label="Who was told (name and relationship)", required=False, max_length=200
    )
    how = forms.ChoiceField(
        label="How",
        required=False,
        choices=[("", "Not informed"), *rules.ParentContactMethod.choices],
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="What they were told",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for an update: what has happened since they were last told.",
    )
    reason_not_informed = forms.CharField(
        max_length=SHORT_TEXT,
        label="If not informed: why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only where informing them would put the young person at risk of harm.",
    )
    agreed_by = forms.ChoiceField(
        label="If not informed: who agreed it",
        required=False,
        choices=[("", "Choose if not informed"), *rules.NotInformingAgreedWith.choices],
        help_text=(
            "Generally made with children's social care and/or the police; the DSL and the "
            "headteacher only when no agency is involved."
        ),
    )
    agreed_with = forms.CharField(
        label="If not informed: their names and roles",
        required=False,
        max_length=300,
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
    young_person = forms.ModelChoiceField(
        label="The young person it concerns (optional)",
        queryset=None,
        required=False,
        empty_label="The whole incident",
        help_text="Named actions appear in that young person's file, and only in theirs.",
    )
    owner = forms.ModelChoiceField(label="Owner", queryset=None)
    due = GovukDateField(label="Due by")

    def __init__(self, *args, staff=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["young_person"].queryset = people
        self.fields["young_person"].label_from_instance = lambda p: p.display_name


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


class SafetyPlanForm(StyledForm):
    """R43: for one pictured young person and one who made or shared the imagery."""

    pair = forms.ChoiceField(
        label="For which two young people",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the two young people the plan is for."},
    )
    arrangements = forms.CharField(
        max_length=LONG_TEXT,
        label="What is arranged to keep them apart where needed",
        help_text="For example: classes, lunch and break times, transport, clubs.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    who_knows = forms.CharField(
        max_length=SHORT_TEXT,
        label="Who knows about the plan (names and roles)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support_pictured = forms.CharField(
        max_length=LONG_TEXT,
        label="Support for the pictured young person",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support_other = forms.CharField(
        max_length=LONG_TEXT,
        label="Support for the young person who made or shared the imagery",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = GovukDateField(label="When will the plan be reviewed?")

    def __init__(self, *args, pairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = {f"{a.pk}-{b.pk}": (a, b) for a, b in pairs}
        self.fields["pair"].choices = [
            (
                key,
                f"{a.display_name} (pictured) and {b.display_name} ({', '.join(b.role_labels()).lower()})",
            )
            for key, (a, b) in self.pairs.items()
        ]

    def plan(self) -> dict:
        """The cleaned data as the service takes it: the pair as the two people."""
        data = dict(self.cleaned_data)
        data["pictured"], data["other"] = self.pairs[data.pop("pair")]
        return data


class SafetyPlanReviewForm(StyledForm):
    reviewed_at = GovukDateTimeField(label="When was it reviewed?", initial=now_local)
    note = forms.CharField(
        max_length=LONG_TEXT,
        label="What was reviewed, and what changed",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    end = forms.BooleanField(
        label="End the plan: it is no longer needed (say why above)", required=False
    )
    next_review_on = GovukDateField(label="Next review (unless the plan ends)", required=False)
