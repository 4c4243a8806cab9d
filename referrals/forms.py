from django import forms

from ypsi.forms import LONG_TEXT, SHORT_TEXT, GovukDateTimeField, GovukFormMixin, now_local

from .models import Agency, ConsentMethod, ContactMethod, CustodyKind, FollowUp


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
