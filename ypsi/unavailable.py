"""When the database cannot be reached, say so and keep what was typed (issue 10).

A concern typed in a hurry must not be lost because the database went away as it was sent.
ATOMIC_REQUESTS means the failed request saved nothing, so the answer is a 503 whose form
carries every posted value back to the same address, shown so the user can see it is kept:
"Try again" sends it once the database is back, and saves it once.

Only connection-level errors are caught (OperationalError, InterfaceError). An IntegrityError or
a ProgrammingError is a bug that trying again would not fix, and stays a 500.

Nothing here may touch the database: the session and the user live there, so the page is
rendered as for a visitor who is not signed in.
"""

import logging

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.shortcuts import render

log = logging.getLogger(__name__)

# Hidden fields the user never typed are carried, not shown: a formset's counts, and what
# `{% form_guard %}` writes.
FORMSET_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
GUARDS = {"form_token", "incident_version", "incident_opened_at"}


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable(request, exception)


def keeps_typing_when_down(call):
    """For a middleware's __call__ that reads the session or the user: a database outage there
    is answered like one in a view (Django turns a middleware's exception into a bare 500
    before any outer middleware could see it)."""

    def guarded(self, request):
        try:
            return call(self, request)
        except (OperationalError, InterfaceError) as exception:
            return unavailable(request, exception)

    return guarded


def unavailable(request, exception):
    """The 503 page, carrying every posted value back (nothing was saved)."""
    log.error("The database is unavailable; answered 503", exc_info=exception)
    ctx = {
        "user": AnonymousUser(),
        "messages": (),
        "posted": request.method == "POST",
        "action": request.get_full_path(),
        "kept": [
            (name, value, _shown_as(name, value))
            for name, values in request.POST.lists()
            if _kept(name)
            for value in values
        ],
        "files": [(name, f.name) for name, fs in request.FILES.lists() for f in fs],
    }
    response = render(request, "503.html", ctx, status=503)
    response["Retry-After"] = "60"
    return response


def _kept(name: str) -> bool:
    # The CSRF token is issued afresh by the page; a password is never written into one.
    return name != "csrfmiddlewaretoken" and "password" not in name.lower()


def _shown_as(name: str, value: str) -> str:
    if not value.strip() or name in GUARDS or name.endswith(FORMSET_COUNTS):
        return "hidden"
    # A text input would lose the line breaks: only a textarea keeps them.
    return "text" if "\n" in value or "\r" in value or len(value) > 80 else "line"
