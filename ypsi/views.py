"""The one page shape for recording something under an incident: a form, a service, a redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from accounts.services import claim_submission
from incidents.services import refuse_if_stale

from .forms import with_errors

RACE_LOST = (
    "Someone else saved a change to this record at the same moment, so nothing you typed has "
    "been saved yet: it is below. Check the record, then save again."
)


def apply_service(form, action, *, user, incident=None) -> bool:
    """Run a service call for a valid form, in one transaction; its refusal becomes the form's
    error, with everything typed kept.

    A repeat of the same form (a double click, a retried request) is not run again: it counts
    as done, so the user is taken to what the first one recorded. Under an incident, a form
    from a page opened before someone else changed it is refused, naming who and when.
    """
    try:
        with transaction.atomic():
            if not claim_submission(form.data.get("form_token"), user):
                return True
            if incident is not None:
                refuse_if_stale(
                    incident,
                    form.data.get("incident_version"),
                    form.data.get("incident_opened_at"),
                )
            action()
    except ValidationError as e:
        form.add_error(None, e)
        return False
    except IntegrityError:
        # The database refused what must be unique (one live decision, one live sign-off):
        # another save won the race.
        form.add_error(None, RACE_LOST)
        return False
    return True


def record_page(
    request,
    *,
    incident,
    form,
    save,
    title: str,
    button: str,
    success: str,
    intro: str = "",
    then: str | None = None,
    extra: dict | None = None,
):
    """Show `form`; when it is valid, call `save(cleaned_data)`. A refusal from the service is
    shown as the form's error, with everything typed kept."""
    posted = request.method == "POST" and form.is_valid()
    if posted and apply_service(
        form, lambda: save(form.cleaned_data), user=request.user, incident=incident
    ):
        messages.success(request, success)
        return redirect(then or incident.get_absolute_url())
    ctx = {
        "incident": incident,
        "form": form,
        "title": title,
        "button": button,
        "intro": intro,
        "forms_with_errors": with_errors(form),
        **(extra or {}),
    }
    return render(request, "record_form.html", ctx, status=400 if form.errors else 200)
