"""The forms of retention and disposal (R32, R40)."""

from django import forms

from accounts.models import RetentionRule
from ypsi.forms import LONG_TEXT, SHORT_TEXT, GovukDateField, GovukFormMixin

from .models import RetentionAdvice, RetentionReview


class ReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="What happens to the record?",
        choices=RetentionReview.Outcome.choices,
        initial=RetentionReview.Outcome.KEEP,
        widget=forms.RadioSelect,
        help_text="The review defaults to keeping it: records that touch the sexual abuse of "
        "children may be needed by an investigator decades later (IICSA).",
    )
    next_review_on = GovukDateField(label="If kept: when is it reviewed again?", required=False)
    rule = forms.ChoiceField(
        label="If disposed of: the rule applied",
        choices=[("", "Not a disposal"), *RetentionRule.choices],
        required=False,
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for a disposal: why the rule allows it now.",
    )


class DisposalDecisionForm(GovukFormMixin, forms.Form):
    agree = forms.TypedChoiceField(
        label="Do you agree to the disposal?",
        choices=[("yes", "Yes: dispose of the record"), ("no", "No: keep the record")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you agree."},
    )
    comment = forms.CharField(
        max_length=SHORT_TEXT,
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed if you keep the record.",
    )


class HoldForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why is the record held?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example a claim, an inquiry's request, or a request to preserve records.",
        error_messages={"required": "Say why the record is held."},
    )


class LiftHoldForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why is the hold lifted?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the hold is lifted."},
    )


class AdviceForm(GovukFormMixin, forms.Form):
    source = forms.ChoiceField(
        label="Who advised",
        choices=RetentionAdvice.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the police or a court advised."},
    )
    advised_by = forms.CharField(label="Name, role or court", max_length=200)
    advised_on = GovukDateField(label="When")
    keep_until = GovukDateField(
        label="Keep until", required=False, help_text="Leave blank for 'until they say otherwise'."
    )
    note = forms.CharField(
        max_length=SHORT_TEXT, label="What they advised", widget=forms.Textarea(attrs={"rows": 2})
    )
