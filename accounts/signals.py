"""Keep guardian groups in step with roles, however a role is changed (page, admin, shell)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership, School, TrustLead
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
