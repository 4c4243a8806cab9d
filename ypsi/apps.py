from django.apps import AppConfig, apps

# Nothing any app saves may hold imagery (R22), but the sessions: Django writes their data
# itself, signed and compressed, from nothing typed.
NOT_TYPED = ("sessions.Session",)


class YpsiConfig(AppConfig):
    name = "ypsi"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
        from .imagery import guard

        # The historical models django-simple-history adds are models of the same apps, so the
        # history is checked as it is written too, whatever writes it.
        for model in apps.get_models():
            if model._meta.label not in NOT_TYPED:
                guard(model)
