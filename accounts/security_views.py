"""The security log page: for the headteacher and the trust's safeguarding lead."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ypsi.pagination import keyset_page

from .models import School
from .permissions import get_for_user
from .security import provider_for
from .security_log import for_school


@login_required
def security_log(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_for_user(
        School.objects.select_related("trust"),
        request.user,
        perm="read_security_log",
        via="pk",
        pk=pk,
    )
    page = keyset_page(request, for_school(school), ("-at", "-event_id"))
    return render(request, "accounts/security_log.html", {"school": school, "page": page})


def school_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with the school's own accounts: the email's domain says whose provider."""
    error = ""
    email = request.POST.get("email", "").strip()
    if request.method == "POST":
        app = provider_for(email) if "@" in email else None
        if app is not None:
            return redirect("openid_connect_login", provider_id=app.provider_id)
        error = (
            "Your school does not sign in to ypsi with its own accounts for that address. "
            "Sign in with your ypsi username and password instead."
            if "@" in email
            else "Enter your school email address, like name@school.sch.uk."
        )
    return render(
        request,
        "account/school_sign_in.html",
        {"email": email, "error": error},
        status=400 if error else 200,
    )
