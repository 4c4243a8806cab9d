"""Keep guardian groups in step with roles, however a role is changed (page, admin, shell)."""

from django.apps import apps
from django.db.models import ProtectedError
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Membership, School, TrustLead, User
from .permissions import grant_school_permissions, sync_user_groups


@receiver(post_save, sender=School)
def _school_saved(sender, instance: School, **kwargs):
    grant_school_permissions(instance)


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=TrustLead)
@receiver(post_delete, sender=TrustLead)
def _role_changed(sender, instance, **kwargs):
    sync_user_groups(instance.user)


@receiver(pre_delete, sender=User)
def _keep_users_in_history(sender, instance: User, **kwargs):
    """R27: who did what is never lost. A user in any history is deactivated, not deleted."""
    for model in apps.get_models():
        recorded = any(f.name == "history_user" for f in model._meta.fields)
        if recorded and model.objects.filter(history_user=instance).exists():
            raise ProtectedError(
                f"{instance} appears in the record's history: deactivate the account instead.",
                {instance},
            )
