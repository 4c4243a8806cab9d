"""Who may do what, for every view, admin page, task and export: the one place to ask.

Roles map to object permissions on the School (django-guardian), granted through one group per
school and role, and one group per trust for its safeguarding leads. Everything a school
records is reached through `scoped()` or `get_for_user()`, so a record of another school is
never found at all (404), not merely forbidden (R29).

The schools where a user holds each permission are looked up in one query and, within a
request (`request_scope`, a middleware), once per request; records are then filtered by the
school ids themselves, which the indexes on `school` serve (a guardian subquery made the
planner walk every school's records). Outside a request (tasks, commands, the shell) nothing is
kept: each call asks the database, so a role removed a moment ago is never honoured.
"""

from collections import defaultdict
from contextvars import ContextVar

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from guardian.models import GroupObjectPermission

from .models import Role, School, Trust

# R29: only the safeguarding team and the headteacher see incident records; staff report.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.STAFF: frozenset({"report_concern"}),
    Role.DSL: frozenset({"report_concern", "view_incidents", "change_incidents", "manage_roster"}),
    Role.DEPUTY_DSL: frozenset(
        {"report_concern", "view_incidents", "change_incidents", "manage_roster"}
    ),
    Role.HEADTEACHER: frozenset(
        {
            "report_concern",
            "view_incidents",
            "sign_off_decisions",
            "manage_roster",
            "manage_policy",
            "read_security_log",
        }
    ),
    Role.ADMINISTRATOR: frozenset({"report_concern", "manage_roster", "manage_policy"}),
    # Signs off when the headteacher made the decision themselves (R10); reads to do so.
    Role.SIGNATORY: frozenset({"view_incidents", "sign_off_decisions"}),
}
TRUST_LEAD_PERMISSIONS = frozenset({"view_incidents", "read_security_log"})
ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())

# The school's safeguarding team (R29): whoever reads its records from within it. A look by
# anyone else (the trust lead) is flagged in the access log.
TEAM_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SIGNATORY})
# What only the team's roles hold: holding one at a school is being in its team.
TEAM_PERMISSIONS = frozenset().union(*(ROLE_PERMISSIONS[r] for r in TEAM_ROLES)) - frozenset(
    TRUST_LEAD_PERMISSIONS.union(
        *(perms for role, perms in ROLE_PERMISSIONS.items() if role not in TEAM_ROLES)
    )
)
if any(not ROLE_PERMISSIONS[role] & TEAM_PERMISSIONS for role in TEAM_ROLES):
    raise ImproperlyConfigured("Each role of the safeguarding team needs a permission of its own.")


def role_group(school: School, role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=f"school-{school.pk}-{role}")
    return group


def trust_group(trust: Trust) -> Group:
    group, _ = Group.objects.get_or_create(name=f"trust-{trust.pk}-safeguarding-lead")
    return group


def grant_school_permissions(school: School) -> None:
    """Give each role group of the school exactly its permissions, and the trust lead theirs.

    Works out the difference with what is granted and writes only that: a school is saved on
    every policy change, and this must stay cheap.
    """
    ct = ContentType.objects.get_for_model(School)
    perms = dict(
        Permission.objects.filter(content_type=ct, codename__in=ALL_PERMISSIONS).values_list(
            "codename", "pk"
        )
    )
    wanted = set()
    for role, codenames in ROLE_PERMISSIONS.items():
        group = role_group(school, role)
        wanted |= {(group.pk, perms[c]) for c in codenames}
    if school.trust_id:
        group = trust_group(school.trust)
        wanted |= {(group.pk, perms[c]) for c in TRUST_LEAD_PERMISSIONS}
    granted = GroupObjectPermission.objects.filter(content_type=ct, object_pk=str(school.pk))
    have = {(g, p): pk for pk, g, p in granted.values_list("pk", "group_id", "permission_id")}
    granted.filter(pk__in=[pk for key, pk in have.items() if key not in wanted]).delete()
    GroupObjectPermission.objects.bulk_create(
        GroupObjectPermission(
            group_id=g, permission_id=p, content_type=ct, object_pk=str(school.pk)
        )
        for g, p in wanted - have.keys()
    )
    _forget_scopes()


# Per request: user pk -> {permission codename: school ids}. None outside a request.
_request_scope: ContextVar[dict | None] = ContextVar("ypsi_request_scope", default=None)


def request_scope(get_response):
    """Middleware: the user's schools are looked up once per request, then reused."""

    def middleware(request):
        token = _request_scope.set({})
        try:
            return get_response(request)
        finally:
            _request_scope.reset(token)

    return middleware


def _forget_scopes() -> None:
    """Roles changed: what this request knew of anyone's schools is stale."""
    cache = _request_scope.get()
    if cache is not None:
        cache.clear()


def _held(user) -> dict[str, frozenset[int]]:
    """Every (school, permission) the user holds, in one query. Roles are granted only through
    groups (see `role_group`, `trust_group`), never to a user directly; a Django superuser is an
    IT role, not a safeguarding one, and has no implicit access (R29)."""
    held = defaultdict(set)
    for object_pk, codename in GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(School), group__user=user
    ).values_list("object_pk", "permission__codename"):
        held[codename].add(int(object_pk))
    return {codename: frozenset(ids) for codename, ids in held.items()}


def school_ids(user, perm: str) -> frozenset[int]:
    """The ids of the schools at which `user` holds `perm`."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return _held_ids(user).get(perm, frozenset())


def _held_ids(user) -> dict[str, frozenset[int]]:
    return _per_request(user.pk, lambda: _held(user))


def _per_request(key, read):
    """`read()`, once a request: a user's schools and roles do not change within one (a
    change of role forgets them, `_forget_scopes`)."""
    cache = _request_scope.get()
    if cache is None:
        return read()
    if key not in cache:
        cache[key] = read()
    return cache[key]


def schools_where(user, perm: str) -> QuerySet[School]:
    """The schools at which `user` holds `perm`, by their ids."""
    return School.objects.filter(pk__in=sorted(school_ids(user, perm)))


def schools_listed(user, *perms: str) -> list[School]:
    """The schools at which `user` holds any of `perms`, by name: a page naming the user's
    schools in several places (the dashboard's panels) reads them all once a request."""
    ids = set().union(*(school_ids(user, perm) for perm in perms))
    if not ids:
        return []
    every = sorted(set().union(*_held_ids(user).values()))
    schools = _per_request(
        ("schools", user.pk),
        lambda: list(
            School.objects.filter(pk__in=every).select_related("trust").order_by("name", "pk")
        ),
    )
    return [school for school in schools if school.pk in ids]


def has_school_perm(user, perm: str, school: School) -> bool:
    return school.pk in school_ids(user, perm)


def scoped(queryset: QuerySet, user, perm: str = "view_incidents", via: str = "school"):
    """Filter a queryset of school-owned records to those `user` may see, by school id.

    None at all is `none()`, which `first` (the dashboard's panels) tells without building SQL:
    Django builds a query's SQL, its joins included, before it finds an empty `IN ()` matches
    nothing (a trust lead's five panels of roles they do not hold: 13.5 ms of SQL building a
    request, issue 14)."""
    ids = school_ids(user, perm)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{via}__in": sorted(ids)})


def get_for_user(
    queryset: QuerySet,
    user,
    *,
    perm: str = "view_incidents",
    via: str = "school",
    needs: str | None = None,
    **lookup,
) -> Model:
    """Fetch one record: 404 when the user may not see it, 403 when they may see but not act."""
    obj = get_object_or_404(scoped(queryset, user, perm, via), **lookup)
    if needs:
        school = obj
        if via != "pk":  # via "pk", the record is the school itself
            for part in via.split("__"):
                school = getattr(school, part)
        if not has_school_perm(user, needs, school):
            raise PermissionDenied(f"You can read this record but your role cannot {needs}.")
    return obj


def safeguarding_recipients(school: School):
    """The DSL and deputies who are told at once of a new concern (R1)."""
    from .models import User

    return (
        User.objects.exclude(email="")
        .filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=[Role.DSL, Role.DEPUTY_DSL],
        )
        .distinct()
    )


def sync_user_groups(user) -> None:
    """Make the user's groups exactly those their current roles call for."""
    wanted = {role_group(m.school, m.role) for m in user.memberships.select_related("school")}
    wanted |= {trust_group(t.trust) for t in user.trust_leads.select_related("trust")}
    managed = user.groups.filter(name__regex=r"^(school|trust)-\d+-")
    user.groups.remove(*[g for g in managed if g not in wanted])
    user.groups.add(*wanted)
    _forget_scopes()


def own_reports(queryset: QuerySet, user) -> QuerySet:
    """A reporter's own reports, for the receipt only: the case itself stays with the DSL (R1)."""
    return scoped(queryset.filter(reported_by=user), user, "report_concern")


def safeguarding_team(school: School):
    """Who may attend and be named at an initial review: the DSLs and the headteacher."""
    from .models import User

    return User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=[Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER],
    ).distinct()


def roles_at(user, school: School) -> set[str]:
    return set(user.memberships.filter(school=school).values_list("role", flat=True))


def team_school_ids(user) -> set[int]:
    """The schools whose safeguarding team the user is in (a look outside it is flagged in the
    access log): those where they hold a permission only the team's roles hold. Read from the
    permissions already held this request, so every page that opens or lists a case logs it
    without a query of the user's memberships (issue 14)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    held = _held_ids(user)
    return set().union(*(held.get(perm, ()) for perm in TEAM_PERMISSIONS))


def school_staff(school: School):
    from .models import User

    return User.objects.filter(memberships__school=school, is_active=True).distinct()


def headteachers(school: School):
    from .models import User

    return User.objects.filter(
        memberships__school=school, memberships__role=Role.HEADTEACHER
    ).distinct()
