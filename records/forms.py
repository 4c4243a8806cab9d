from django import forms
from django.core.exceptions import ValidationError

from accounts.models import School
from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukDateTimeField,
    GovukFormMixin,
    now_local,
)

from .models import UnavoidableHow, ViewingReason

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label: str, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        **kwargs,
    )


class PeopleFormMixin:
    """Choices limited to this incident's people and this school's staff."""

    def limit(self, *, people=None, staff=None, heads=None):
        for name, queryset in (
            ("young_person", people),
            ("viewer", staff),
            ("staff_present", staff),
            ("searched_by", staff),
            ("discussed_with", heads),
            ("authorised_by", heads),
            ("user", staff),
        ):
            if name in self.fields and queryset is not None:
                self.fields[name].queryset = queryset
        if "young_person" in self.fields:
            self.fields["young_person"].label_from_instance = lambda p: p.display_name


class ViewingForm(PeopleFormMixin, GovukFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why was the imagery viewed?",
        choices=ViewingReason.choices,
        widget=forms.RadioSelect,
    )
    unavoidable_how = forms.ChoiceField(
        label="If unavoidable: how",
        required=False,
        choices=[("", "Not unavoidable"), *UnavoidableHow.choices],
    )
    viewed_at = GovukDateTimeField(label="When", initial=now_local)
    viewer = forms.ModelChoiceField(label="Who viewed it", queryset=None)
    young_person = forms.ModelChoiceField(
        label="The young person pictured", queryset=None, required=False
    )
    same_sex = yes_no("Is the viewer the same sex as the young person pictured?")
    different_sex_reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="If not: why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    discussed_with = forms.ModelChoiceField(
        label="Headteacher the decision was discussed with", queryset=None, required=False
    )
    discussed_at = GovukDateTimeField(label="When it was discussed", required=False)
    staff_present = forms.ModelChoiceField(
        label="Member of staff present (they need not view)", queryset=None, required=False
    )
    place = forms.CharField(
        label="Where",
        max_length=200,
        help_text="On school premises, ideally the headteacher's or a senior leader's office.",
    )
    others_present = forms.CharField(label="Who else was present", required=False, max_length=300)
    why = forms.CharField(
        max_length=SHORT_TEXT, label="Why", widget=forms.Textarea(attrs={"rows": 2})
    )
    what_followed = forms.CharField(
        max_length=SHORT_TEXT, label="What followed", widget=forms.Textarea(attrs={"rows": 2})
    )
    support_offered = forms.CharField(
        max_length=SHORT_TEXT,
        label="If unavoidable: support offered to the member of staff",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmForm(GovukFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I confirm this record is accurate",
        error_messages={"required": "Tick to confirm the record."},
    )


class DeletionRequestForm(PeopleFormMixin, GovukFormMixin, forms.Form):
    young_person = forms.ModelChoiceField(label="Young person", queryset=None)
    asked_at = GovukDateTimeField(label="When they were asked", initial=now_local)
    everywhere = forms.BooleanField(
        label="Asked to delete it from every device, online storage and social media account they have",
        required=False,
    )
    told_illegal = forms.BooleanField(
        label="Told that possessing the imagery is illegal", required=False
    )
    told_police = forms.BooleanField(
        label="Told that refusing to delete it means the police will be involved", required=False
    )
    school_days = forms.IntegerField(
        label="Deadline in school days",
        required=False,
        min_value=1,
        max_value=30,
        help_text=(
            "Counted in the days the school is open: weekends, holidays, INSET days and bank "
            "holidays are skipped. Or give a date below."
        ),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    deadline = GovukDateField(label="Or a deadline date", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("school_days") and not data.get("deadline"):
            raise ValidationError("Give a deadline: a number of school days, or a date.")
        return data


class ConfirmDeletionForm(GovukFormMixin, forms.Form):
    confirmed_at = GovukDateTimeField(label="When the deletion was confirmed", initial=now_local)
    how = forms.CharField(label="How it was confirmed", max_length=200)
    witnessed_by = forms.CharField(label="Who witnessed it", max_length=200)


class RefusalForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        max_length=LONG_TEXT,
        label="What the young person said",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(PeopleFormMixin, GovukFormMixin, forms.Form):
    young_person = forms.ModelChoiceField(
        label="The young person whose device was searched", queryset=None
    )
    searched_at = GovukDateTimeField(label="When", initial=now_local)
    place = forms.CharField(label="Where", max_length=200)
    searched_by = forms.ModelChoiceField(label="Who searched", queryset=None)
    authorised_by = forms.ModelChoiceField(label="Authorised by (headteacher)", queryset=None)
    authorised_at = GovukDateTimeField(label="When it was authorised")
    present = forms.CharField(label="Who was present", max_length=300)
    sought = forms.CharField(
        max_length=SHORT_TEXT,
        label="What was sought, and the good reason",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    found = forms.CharField(
        max_length=SHORT_TEXT, label="What was found", widget=forms.Textarea(attrs={"rows": 2})
    )
    deleted = forms.BooleanField(label="Data was deleted from the device", required=False)
    followed = forms.CharField(
        max_length=SHORT_TEXT, label="What followed", widget=forms.Textarea(attrs={"rows": 2})
    )


class DelegationForm(PeopleFormMixin, GovukFormMixin, forms.Form):
    user = forms.ModelChoiceField(label="Member of the safeguarding team", queryset=None)


class InspectionForm(GovukFormMixin, forms.Form):
    school = forms.ModelChoiceField(
        label="School", queryset=None, required=False, empty_label="All the schools you can see"
    )
    start = GovukDateField(label="From")
    end = GovukDateField(label="To")

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("The start of the period must be before its end.")
        return data


class TransferForm(GovukFormMixin, forms.Form):
    receiving_school = forms.ModelChoiceField(
        label="The new school, if it uses ypsi",
        queryset=None,
        required=False,
        empty_label="It does not use ypsi",
        help_text="The file is then sent inside ypsi for its DSL to accept.",
    )
    to_school = forms.CharField(
        label="The new school, if it does not use ypsi",
        max_length=200,
        required=False,
    )
    moved_on = GovukDateField(
        label="The date of the move",
        help_text="After the last day of a term, the file is due on the 5th school day of the next.",
    )
    shared_before = forms.CharField(
        label="Information shared before the move",
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was shared, with whom and when, so the new school could support the "
        "young person from the first day; or why nothing was.",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_school"].queryset = School.objects.exclude(pk=school.pk)


class SendInAppForm(GovukFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="Send the file as it stands now to the new school's DSLs",
        error_messages={"required": "Tick to send the file."},
    )


class AcceptFileForm(GovukFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="Accept this file into our school's records",
        error_messages={"required": "Tick to accept the file."},
    )


class ToldForm(GovukFormMixin, forms.Form):
    dsl_told_on = GovukDateField(label="When the DSL was told")
    senco = forms.CharField(label="The SENCO's name", max_length=200)
    senco_told_on = GovukDateField(label="When the SENCO was told")


class TransferSentForm(GovukFormMixin, forms.Form):
    at = GovukDateTimeField(label="When the file was sent", initial=now_local)
    how = forms.CharField(
        label="How it was sent securely",
        max_length=200,
        help_text="Separately from the main pupil file, for example by secure transfer.",
    )


class TransferReceiptForm(GovukFormMixin, forms.Form):
    at = GovukDateTimeField(label="When the new school confirmed receipt", initial=now_local)
    from_whom = forms.CharField(label="Who confirmed it (name and role)", max_length=200)


class ImportFileForm(GovukFormMixin, forms.Form):
    file = forms.FileField(label="The young person's file (.json) from the previous school")
