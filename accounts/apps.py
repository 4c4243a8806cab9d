from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Schools, roles and people"

    def ready(self):
        from . import security_log, signals  # noqa: F401

        post_migrate.connect(regrant, sender=self, dispatch_uid="accounts-regrant")


def regrant(sender, **kwargs) -> None:
    """A permission added to a role in a release reaches the schools already there."""
    from .models import School
    from .permissions import grant_school_permissions

    for school in School.objects.all():
        grant_school_permissions(school)
