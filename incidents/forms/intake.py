"""Forms of intake: the report of a concern, the people in it, and the incident list's filters."""

import functools

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Pupil, Sex
from accounts.names import roster_search, words
from ypsi.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    GovukDateField,
    GovukFormMixin,
    GovukTimeField,
    insert_field,
    moment_of,
    spoken_day,
    style_govuk,
)

from ..models import Action, AgeBand, DisclosureSource, InvolvedPerson, PersonRole, Spread, Stage
from ..rules import age_on
from ..services import Person
from ..workspace import Next, in_group


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
    disclosed_time = GovukTimeField(
        label="At what time? (optional)",
        required=False,
        help_text="For example, 14:30 or 2:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
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
        moment = moment_of(self, "disclosed_on", "disclosed_time", "disclosed_clocks")
        if moment is not None:
            data["disclosed_at"] = moment
        return data


MATCHES_SHOWN = 20


class PersonForm(GovukFormMixin, forms.Form):
    """One person in a report. A pupil is found by a search of the school's roster (a list of
    the whole roll for each person made the page megabytes at a large school), and the one
    chosen is kept as a hidden id, checked against the roster again when the report is sent."""

    pupil_query = forms.CharField(
        label="Search the roster: name or UPN",
        required=False,
        max_length=100,
        help_text="Then select 'Find pupils'. Leave it empty for someone not on the roll.",
    )
    pupil = forms.ModelChoiceField(
        label="Pupil",
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose a pupil from this school's roster."},
    )
    # Where a problem with the pupil is shown: the hidden id has no box of its own.
    pupil_box = "pupil_query"
    # Whether a pupil already chosen is shown as a choice that can be undone ("Not a pupil
    # here") rather than kept as a hidden id: the DSL's correction of a person needs it.
    clearable = False
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

    def __init__(self, *args, pupils=None, search=False, **kwargs):
        super().__init__(*args, **kwargs)
        if pupils is not None:
            self.fields["pupil"].queryset = pupils
        self.searched = search and bool(self["pupil_query"].value())
        if self.searched:
            self.matches = self._matches()
        else:
            chosen = self.chosen() if self.clearable else None
            self.matches = [chosen] if chosen else []

    def chosen(self) -> Pupil | None:
        """The pupil whose id the page holds, if it is one of this school's."""
        try:
            return self.fields["pupil"].to_python(self["pupil"].value())
        except forms.ValidationError:
            return None

    def _matches(self) -> list[Pupil]:
        """The pupils the search finds, the one already chosen first so a new search that
        misses them does not lose the choice."""
        query = self["pupil_query"].value()[: self.fields["pupil_query"].max_length]
        found = roster_search(self.fields["pupil"].queryset, query)
        chosen = self.chosen()
        matches = list(found.exclude(pk=chosen.pk) if chosen else found)
        return ([chosen] if chosen else []) + matches[: MATCHES_SHOWN - bool(chosen)]

    def clean(self):
        data = super().clean()
        if "pupil" in self._errors and self.pupil_box != "pupil":
            # The id is hidden: its error is shown at the search box, where the pupil is found.
            self._errors[self.pupil_box] = self._errors.pop("pupil")
        if not self.has_changed():
            return data
        if not data.get("pupil") and not data.get("name", "").strip():
            self.add_error("name", "Choose a pupil, or give a name or description.")
        if not data.get("roles"):
            self.add_error("roles", "Select their part in what happened.")
        dob = data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            self.add_error("date_of_birth", "The date of birth must be in the past.")
        elif not self.errors:
            self._ask_about_age(data)
        return data

    def _ask_about_age(self, data) -> None:
        """An age that does not fit the year group, or makes a pupil an adult, is asked about
        before it is taken: a slip in a date of birth must not make "an adult" of a Year 8
        pupil (criterion 1) unseen. Asked with the person's details, so today's age is used."""
        pupil = data.get("pupil")
        dob = pupil.date_of_birth if pupil else data.get("date_of_birth")
        age = age_on(dob, timezone.localdate()) if dob else data.get("age")
        year_group = pupil.year_group if pupil else data.get("year_group", "")
        doubt = age_doubt(age, year_group, on_roll=bool(pupil)) if age is not None else ""
        if not doubt:
            self.fields.pop("age_confirmed", None)
            return
        what = "date of birth" if dob else "age"
        if pupil:
            said = f"The school roster gives {pupil}'s date of birth as {spoken_day(dob)}"
            place, what = self.pupil_box, "date of birth on the roster"
        elif dob:
            said, place = f"The date of birth {spoken_day(dob)}", "date_of_birth"
        else:
            said, place = f"The age {age}", "age"
        label = f"The {what} is right"
        insert_field(
            self, "age_confirmed", forms.BooleanField(label=label, required=False), after="age"
        )
        ticked = forms.CheckboxInput().value_from_datadict(
            self.data, self.files, self.add_prefix("age_confirmed")
        )
        if not ticked:
            self.add_error(
                place, f"{said} makes them {doubt}. Check it, or tick '{label}' if it is."
            )

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


def year_number(year_group: str) -> int | None:
    """The number of an English year group ("Year 9", "Y9", "Yr 9", "9"; Reception is 0), or
    None for anything else (a class name, "sixth form")."""
    text = year_group.strip().lower().replace(" ", "")
    if text in ("r", "rec", "reception"):
        return 0
    for prefix in ("year", "yr", "y", ""):
        rest = text.removeprefix(prefix)
        if text.startswith(prefix) and rest.isdigit() and 1 <= int(rest) <= 14:
            return int(rest)
    return None


def age_doubt(age: int, year_group: str, *, on_roll: bool) -> str:
    """Why an age given for a pupil is worth checking before anything is decided on it (a
    typing slip in a date of birth can make a Year 8 pupil 19, and so "an adult", criterion 1),
    or "" when it fits. A pupil in Year N is N+4 or N+5 during the school year; one year either
    way is still taken without a question."""
    year = year_number(year_group)
    if year is not None and not year + 3 <= age <= year + 6:
        return f"{age} in {year_group.strip()}, where pupils are {year + 4} or {year + 5}"
    if (on_roll or year is not None) and not 4 <= age <= 19:
        return f"{age}, which is not a school age"
    if on_roll and age >= 18:
        return f"{age}: an adult, so the incident would involve an adult (criterion 1)"
    return ""


PersonFormSet = forms.formset_factory(PersonForm, extra=1, max_num=40, validate_max=True)


class IncidentFilterForm(forms.Form):
    """The DSL's incident list: by stage, school (trust lead), overdue items, young person and
    the dashboard's group of what happens next (its 'see all' link)."""

    stage = forms.ChoiceField(choices=[("", "All stages"), *Stage.choices], required=False)
    next = forms.ChoiceField(
        label="What happens next",
        choices=[("", "Anything, open or closed"), *Next.choices],
        required=False,
    )
    # The user's schools as choices of id and name, read once and only when wanted: a DSL of
    # one school is shown no school filter. A model choice field read them again while the
    # page rendered and built each option through its iterator; the schools' whole rows (with
    # their trust's) cost a trust lead's list 4.5 ms more than their ids and names (issue 14).
    school = forms.TypedChoiceField(coerce=int, required=False)
    overdue = forms.BooleanField(label="Only incidents with overdue actions", required=False)
    person = forms.CharField(label="Young person's name", required=False, max_length=100)

    def __init__(self, *args, schools=list, **kwargs):
        """`schools`: a callable returning the (id, name) of each school to choose from, in
        order, called once, when the school is chosen or the filter shown."""
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = functools.cache(lambda: [("", "All schools"), *schools()])
        style_govuk(self)

    def apply(self, incidents):
        """Each filter is a condition on the incident itself (EXISTS, never a join that needs
        DISTINCT), so the list reads in its index's order and stops at a page."""
        if not self.is_valid():
            return incidents
        d = self.cleaned_data
        if d["stage"]:
            incidents = incidents.filter(stage=d["stage"])
        if d["school"]:
            incidents = incidents.filter(school_id=d["school"])
        if d["next"]:
            incidents = in_group(incidents, d["next"])
        if d["overdue"]:
            incidents = incidents.filter(
                Exists(
                    Action.objects.filter(
                        incident=OuterRef("pk"), done_at__isnull=True, due__lt=timezone.localdate()
                    )
                )
            )
        return incidents.filter(person_matches(d["person"]))


def person_matches(query: str) -> Q:
    """Incidents with someone whose name has every word typed, accents, case and apostrophes
    aside (accounts/names.py): 'lucja' finds Łucja, a curly apostrophe finds a straight one.
    The folded names are already in lower case, so `contains`: on PostgreSQL each side is read
    from its trigram index (migrations accounts 0011, incidents 0015), not by a scan."""
    condition = Q()
    for word in words(query):
        people = InvolvedPerson.objects.order_by().values("incident")
        named = people.filter(search_name__contains=word)
        on_roll = people.filter(pupil__in=Pupil.objects.filter(search_name__contains=word))
        # One list of incidents from the two indexes (an OR across the join would read neither).
        condition &= Q(pk__in=named.union(on_roll))
    return condition
