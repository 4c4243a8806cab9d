from django import forms

from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukDateTimeField,
    GovukFormMixin,
    now_local,
)

from .help import SEXTORTION_ADVICE
from .models import (
    OUTCOME_21_NOTE,
    AdviceCall,
    Agency,
    ConsentMethod,
    ContactMethod,
    CustodyKind,
    FollowUp,
    OutcomeKind,
)


class ReferralForm(GovukFormMixin, forms.Form):
    agency = forms.ChoiceField(
        label="Referred to",
        choices=Agency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the agency."},
    )
    made_at = GovukDateTimeField(label="When was the referral made?", initial=now_local)
    to_whom = forms.CharField(label="To whom (name and role)", required=False, max_length=200)
    how = forms.ChoiceField(
        label="How", choices=[("", "Not recorded"), *ContactMethod.choices], required=False
    )
    reference = forms.CharField(
        label="Crime or case reference number",
        required=False,
        max_length=100,
        help_text="If the police give a crime reference number, record it.",
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the referral."},
    )


class ReferralUpdateForm(GovukFormMixin, forms.Form):
    to_whom = forms.CharField(label="To whom (name and role)", required=False, max_length=200)
    how = forms.ChoiceField(
        label="How", choices=[("", "Not recorded"), *ContactMethod.choices], required=False
    )
    reference = forms.CharField(
        label="Crime or case reference number", required=False, max_length=100
    )
    response = forms.CharField(
        max_length=LONG_TEXT,
        label="The agency's response",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Why are you changing this?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: it is kept in the record."},
    )


class FollowUpForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What happened",
        choices=FollowUp.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened."},
    )
    referral = forms.ModelChoiceField(
        label="About which referral",
        queryset=None,
        required=False,
        empty_label="Not about one referral",
    )
    occurred_at = GovukDateTimeField(label="When", initial=now_local)
    with_whom = forms.CharField(label="With whom", required=False, max_length=300)
    note = forms.CharField(
        max_length=LONG_TEXT,
        label="What was said or agreed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what happened."},
    )

    def __init__(self, *args, referrals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals


class DeviceForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        label="The device",
        max_length=200,
        help_text="For example: black phone in a blue case. Do not open it or look at it.",
    )
    owner = forms.CharField(label="Whose device it is", max_length=200)
    at = GovukDateTimeField(label="When was it confiscated?", initial=now_local)
    from_whom = forms.CharField(label="Taken from", max_length=200)
    reason = forms.CharField(
        max_length=SHORT_TEXT, label="Why", widget=forms.Textarea(attrs={"rows": 2})
    )


class CustodyForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What happened to the device",
        widget=forms.RadioSelect,
        choices=[c for c in CustodyKind.choices if c[0] != CustodyKind.CONFISCATED],
    )
    at = GovukDateTimeField(label="When", initial=now_local)
    location = forms.CharField(label="Where it is locked away", required=False, max_length=200)
    officer_name = forms.CharField(label="Police officer's name", required=False, max_length=200)
    officer_number = forms.CharField(
        label="Police officer's number", required=False, max_length=50
    )
    police_reference = forms.CharField(label="Police reference", required=False, max_length=100)
    returned_to = forms.CharField(
        label="Returned to (parent or carer)", required=False, max_length=200
    )
    consent = forms.ChoiceField(
        label="Consent given",
        required=False,
        choices=[("", "Not a return"), *ConsentMethod.choices],
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutcomeForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Outcome",
        choices=OutcomeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome."},
    )
    decided_on = GovukDateField(label="Date of the outcome")
    reference = forms.CharField(label="The agency's reference", required=False, max_length=100)
    note = forms.CharField(
        max_length=LONG_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=OUTCOME_21_NOTE,
    )


class AdviceCallForm(GovukFormMixin, forms.Form):
    agency = forms.ChoiceField(
        label="Who was called",
        choices=AdviceCall._meta.get_field("agency").choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who was called."},
    )
    called_at = GovukDateTimeField(label="When", initial=now_local)
    spoke_to = forms.CharField(label="Who gave the advice (name and role)", max_length=200)
    advice = forms.CharField(
        max_length=LONG_TEXT, label="The advice given", widget=forms.Textarea(attrs={"rows": 3})
    )


class HelpActionForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        max_length=SHORT_TEXT,
        label="What will be done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(label="Who will do it", queryset=None)
    due = GovukDateField(label="By when")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class SextortionAdviceForm(GovukFormMixin, forms.Form):
    given_to = forms.CharField(
        label="Given to (the young person, or their parent or carer)", max_length=200
    )
    given_at = GovukDateTimeField(label="When", initial=now_local)
    given_by = forms.CharField(label="By whom", max_length=200)
    points = forms.MultipleChoiceField(
        label="The advice given",
        choices=SEXTORTION_ADVICE,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[key for key, _ in SEXTORTION_ADVICE],
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="If a point was not covered, say why.",
    )


class AcknowledgementForm(GovukFormMixin, forms.Form):
    acknowledged_at = GovukDateTimeField(
        label="When did the agency acknowledge it?", initial=now_local
    )
    acknowledged_by = forms.CharField(label="Who acknowledged it (name and role)", max_length=200)


class EscalationForm(GovukFormMixin, forms.Form):
    escalated_at = GovukDateTimeField(label="When was it escalated?", initial=now_local)
    to_whom = forms.CharField(
        label="Escalated to (name and role)",
        max_length=200,
        help_text="Under the local escalation (professional disagreement) procedure: usually a "
        "team manager first, then a service manager.",
    )
    concern = forms.CharField(
        max_length=LONG_TEXT,
        label="Why: the disagreement, or what has not improved for the child",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EscalationOutcomeForm(GovukFormMixin, forms.Form):
    outcome_at = GovukDateTimeField(label="When was the outcome known?", initial=now_local)
    outcome = forms.CharField(
        max_length=LONG_TEXT, label="The outcome", widget=forms.Textarea(attrs={"rows": 3})
    )
