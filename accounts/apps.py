from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Schools, roles and people"

    def ready(self):
        from . import signals  # noqa: F401
