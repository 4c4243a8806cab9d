"""The admin is for the school's IT person: schools, roles and people, never incidents (R29).

History is shown read-only (SIMPLE_HISTORY_REVERT_DISABLED) and users are deactivated, never
deleted, once they appear in any history (see signals).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .calendars import calendar_changed
from .models import (
    Calendar,
    Closure,
    Membership,
    School,
    Term,
    Trust,
    TrustLead,
    User,
    ViewingDelegation,
)


@admin.register(User)
class YpsiUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")


class HistoryAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Trust)
class TrustAdmin(HistoryAdmin):
    list_display = ("name",)


@admin.register(School)
class SchoolAdmin(HistoryAdmin):
    list_display = ("name", "code", "trust")


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ("user", "school", "role")
    list_filter = ("school", "role")

    def has_delete_permission(self, request, obj=None):
        return True  # a role can end; its history stays


@admin.register(TrustLead)
class TrustLeadAdmin(HistoryAdmin):
    list_display = ("user", "trust")


@admin.register(ViewingDelegation)
class ViewingDelegationAdmin(HistoryAdmin):
    list_display = ("user", "school", "delegated_on", "revoked_on")


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(HistoryAdmin):
    """A local authority's or trust's published term dates, which schools inherit (issue 20)."""

    list_display = ("name",)
    inlines = [TermInline, ClosureInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The schools that inherit it have their provisional deadlines counted again.
        calendar_changed.send(sender=Calendar, calendar=form.instance, user=request.user)
