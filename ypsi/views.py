"""The one page shape for recording something under an incident: a form, a service, a redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from .forms import with_errors


def apply_service(form, action) -> bool:
    """Run a service call for a valid form; its refusal becomes the form's error."""
    try:
        action()
    except ValidationError as e:
        form.add_error(None, e)
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
    if posted and apply_service(form, lambda: save(form.cleaned_data)):
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
