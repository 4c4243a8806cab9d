"""The people and roles pages: for the headteacher and the administrator; the trust lead reads."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from ypsi.forms import GovukFormMixin
from ypsi.views import record_page

from . import people
from .models import Membership, Role, School, User
from .permissions import get_for_user
from .security import weighty

REASON = forms.CharField(
    label="Why", max_length=300, help_text="Kept in the record of who may see what."
)


class InviteForm(GovukFormMixin, forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="The invitation goes here: they choose their own password.")
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z", max_length=150, help_text="Letters, digits and . @ + - _ only."
    )
    role = forms.ChoiceField(choices=Role.choices)
    reason = REASON


class RoleChangeForm(GovukFormMixin, forms.Form):
    action = forms.ChoiceField(
        label="What to do",
        choices=[
            ("give", "Give a role"),
            ("remove", "Remove a role"),
            ("deactivate", "Deactivate the account (they have left)"),
        ],
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices], required=False)
    reason = REASON


def _school(request, pk: int) -> tuple[School, bool]:
    """The school, and whether the user may change its people (else they may only read)."""
    schools = School.objects.select_related("trust")
    try:
        return get_for_user(schools, request.user, perm="manage_policy", via="pk", pk=pk), True
    except Http404:
        return get_for_user(
            schools, request.user, perm="read_security_log", via="pk", pk=pk
        ), False


@login_required
def people_list(request: HttpRequest, pk: int) -> HttpResponse:
    school, can_change = _school(request, pk)
    ctx = {"school": school, "people": people.people_of(school), "can_change": can_change}
    return render(request, "accounts/people.html", ctx)


@login_required
@weighty
def people_invite(request: HttpRequest, pk: int) -> HttpResponse:
    school, can_change = _school(request, pk)
    if not can_change:
        raise Http404
    return record_page(
        request,
        incident=None,
        form=InviteForm(request.POST or None),
        save=lambda d: people.invite(request.user, school, **d),
        title=f"Invite someone to {school}",
        button="Send the invitation",
        success="Invitation sent. They choose their own password from the email's link.",
        then=reverse("people", args=[school.pk]),
    )


@login_required
@weighty
def person_roles(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    school, can_change = _school(request, pk)
    if not can_change:
        raise Http404
    person = get_object_or_404(
        User.objects.filter(memberships__school=school).distinct(), pk=user_pk
    )

    def save(d):
        if d["action"] == "give":
            people.give_role(request.user, school, person, d["role"], d["reason"])
        elif d["action"] == "remove":
            membership = Membership.objects.filter(user=person, school=school, role=d["role"])
            if not membership.exists():
                raise forms.ValidationError(f"{person} does not hold that role here.")
            people.remove_role(request.user, membership.get(), d["reason"])
        else:
            people.deactivate(request.user, school, person, d["reason"])

    held = (
        ", ".join(m.get_role_display() for m in person.memberships.filter(school=school)) or "none"
    )
    return record_page(
        request,
        incident=None,
        form=RoleChangeForm(request.POST or None),
        save=save,
        title=f"{person}: roles at {school}",
        intro=f"Roles held here now: {held}. The school's DSLs and headteacher are told of any change.",
        button="Make the change",
        success="Changed, and recorded with your reason.",
        then=reverse("people", args=[school.pk]),
    )
