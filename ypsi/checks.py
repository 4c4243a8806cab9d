"""System checks: production refuses to run blind (issue 19).

With DEBUG off, an alert must reach a person: email printed to a console or written to a folder
reaches no one, and the link in it, to a case record behind a login, must be https. These are
errors, so `manage.py check` and `migrate` stop on them. Registered in YpsiConfig.ready().
"""

from django.conf import settings
from django.core.checks import Error, register

NOWHERE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register()
def alerts_reach_people(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    if settings.EMAIL_BACKEND in NOWHERE_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_URL sends email nowhere ({settings.EMAIL_BACKEND}).",
                hint="Set EMAIL_URL to your SMTP server, e.g. "
                "smtp+tls://user:password@smtp.example.org:587 (docs/production.md, Email).",
                id="ypsi.E001",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        errors.append(
            Error(
                f"SITE_URL is not https ({settings.SITE_URL}).",
                hint="Set SITE_URL to the https address people open, e.g. "
                "https://ypsi.example.org: it is the base of the links in emails.",
                id="ypsi.E002",
            )
        )
    return errors
