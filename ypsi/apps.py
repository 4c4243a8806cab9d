from django.apps import AppConfig, apps
from django.db.models.signals import pre_save

# Every app that keeps a record of a case: nothing any of them saves may hold imagery (R22).
CASE_APPS = ("accounts", "incidents", "referrals", "records")


class YpsiConfig(AppConfig):
    name = "ypsi"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
        from .imagery import refuse_imagery_on_save

        # The historical models django-simple-history adds belong to the same apps, so the
        # history is checked as it is written too, whatever writes it.
        for label in CASE_APPS:
            for model in apps.get_app_config(label).get_models():
                pre_save.connect(refuse_imagery_on_save, sender=model)
