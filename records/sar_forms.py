"""The forms of subject access requests (R41) and of the information sharing log (R39)."""

from django import forms
from django.utils import timezone

from accounts.models import Pupil
from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukDateTimeField,
    GovukFormMixin,
    now_local,
)

from .models import SharingDecision
from .sar_models import Exemption, Relationship

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(
        max_length=SHORT_TEXT, label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class RequestForm(GovukFormMixin, forms.Form):
    pupil = forms.ModelChoiceField(label="The young person whose file is asked for", queryset=None)
    requester = forms.CharField(label="Who is asking", max_length=200)
    relationship = forms.ChoiceField(
        label="Their relationship to the young person",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        help_text="A young person may ask for their own file once they understand what it "
        "means (usually from about 12 or 13); a parent's request for an older child's file "
        "needs the child's agreement.",
    )
    received_on = GovukDateField(label="When the request was received", initial=timezone.localdate)
    identity_checked = _text(
        "How their identity, and their right to ask, were checked",
        help_text="For example: known to the school, photo ID seen, the young person agreed.",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(school=school)


class ExtendForm(GovukFormMixin, forms.Form):
    extended_to = GovukDateField(label="The new deadline")
    reason = _text(
        "Why the request is complex",
        help_text="Say too when and how the person asking was told: within the first month.",
    )


class WithholdingForm(GovukFormMixin, forms.Form):
    withheld = forms.TypedChoiceField(
        label="Withhold this from the response?",
        choices=[("yes", "Yes: withhold it"), ("no", "No: release it")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it is withheld."},
    )
    exemption = forms.ChoiceField(
        label="The exemption that allows it to be withheld",
        choices=Exemption.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = _text(
        "Reason",
        help_text="Why the exemption applies; or, to release another person's data, why that is "
        "reasonable (for example, they agreed).",
    )


class SubmitForm(GovukFormMixin, forms.Form):
    checked = forms.BooleanField(
        label="I have read the preview: it holds nothing the young person should not see",
        error_messages={"required": "Tick to say you have read the preview."},
    )


class ApprovalForm(GovukFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label="Do you approve this response?",
        choices=[("yes", "Yes: it may be released"), ("no", "No: send it back to the DSL")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you approve it."},
    )
    comment = _text("Comment", rows=2, required=False, help_text="Needed to send it back.")


class ReleaseForm(GovukFormMixin, forms.Form):
    released_at = GovukDateTimeField(label="When it was released", initial=now_local)
    released_to = forms.CharField(label="To whom", max_length=200)
    released_how = forms.CharField(
        label="How it was sent securely",
        max_length=200,
        help_text="For example: handed over in person, encrypted email.",
    )


class SharingForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="The decision",
        choices=SharingDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether information was shared."},
    )
    decided_at = GovukDateTimeField(label="When it was decided", initial=now_local)
    decided_by = forms.CharField(label="Who decided", max_length=200)
    recipient_kind = forms.ChoiceField(
        label="With whom (or who asked)",
        choices=SharingDecision.Recipient.choices,
        widget=forms.RadioSelect,
    )
    recipient = forms.CharField(label="Name and organisation", max_length=200)
    what = forms.CharField(
        max_length=LONG_TEXT,
        label="What information",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only what is necessary and proportionate: never the imagery.",
    )
    why = forms.CharField(
        max_length=LONG_TEXT,
        label="Why: the reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.ChoiceField(
        label="Consent", choices=SharingDecision.Consent.choices, widget=forms.RadioSelect
    )
    consent_from = forms.CharField(label="Whose consent", max_length=200, required=False)
    consent_note = _text(
        "Why consent was not sought, or why information was shared without it",
        required=False,
        help_text="For example: seeking it would put a young person at greater risk.",
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=SharingDecision.LawfulBasis.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed when information is shared.",
    )
