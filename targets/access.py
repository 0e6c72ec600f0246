"""Who holds which role, and which plans each user may open: the one place the kernel's pages ask.

- Admins (superusers, or the admin role) may do everything.
- Reviewers approve or return any unit's submitted figures; they do not enter values.
- Reporters enter figures (which ones: `entry.access`).
- Everyone else only reads the progress pages.

Districts: admins see every district's plans; everyone else sees only the plans of the districts
it belongs to (`DistrictMembership`), and another district's plan is not there for it (404). A
viewer, reporter or reviewer with no district sees no plan.
"""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from .models import DistrictMembership, Plan, Unit


def is_admin(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("targets.change_plan"))


def can_review(user) -> bool:
    return user.is_active and (is_admin(user) or user.has_perm("targets.review_figure"))


def can_assign(user) -> bool:
    """Assigns responsible units and lead officials to targets and supervised items: the 督查室
    (reviewers) and admins."""
    return can_review(user)


def can_report(user) -> bool:
    return user.is_active and user.has_perm("targets.add_figure")


def _holds_change_plan(user) -> RawSQL:
    """Whether the user holds the admin role's permission (`targets.change_plan`), through a
    group or directly, as a condition of another query.

    Written as SQL over Django's permission link tables (`_admin_role_sql`), with the plan's
    content type as a value (`get_for_model` is cached by Django). Every page runs it, cached ones
    included: the same two EXISTS built with the ORM took Django 1.7 ms to put together, about
    ten times what PostgreSQL takes to plan and run them. (One EXISTS joining permissions,
    groups, users and content types took PostgreSQL 2 ms to plan.)
    """
    plan_type = ContentType.objects.get_for_model(Plan).pk
    params = (user.pk, plan_type, "change_plan") * 2
    return RawSQL(_admin_role_sql(), params, output_field=BooleanField())


@functools.cache
def _admin_role_sql() -> str:
    """Two EXISTS: a group of the user's holds the permission, or the user holds it itself.
    Parameters: (user id, content type id, codename) twice. Table and column names come from the
    models, so they are those of the database Django made."""
    users = get_user_model()
    user_groups = users.groups.through._meta
    group_perms = Group.permissions.through._meta
    user_perms = users.user_permissions.through._meta
    perm = Permission._meta
    q = connection.ops.quote_name

    def col(meta, name):
        return q(meta.get_field(name).column)

    def table(meta):
        return q(meta.db_table)

    is_the_permission = (
        f"p.{col(perm, 'content_type')} = %s AND p.{col(perm, 'codename')} = %s"  # (type id, codename)
    )
    return (
        f"EXISTS (SELECT 1 FROM {table(group_perms)} gp"
        f" INNER JOIN {table(user_groups)} ug"
        f" ON ug.{col(user_groups, 'group')} = gp.{col(group_perms, 'group')}"
        f" INNER JOIN {table(perm)} p ON p.{col(perm, 'id')} = gp.{col(group_perms, 'permission')}"
        f" WHERE ug.{col(user_groups, 'user')} = %s AND {is_the_permission})"
        f" OR EXISTS (SELECT 1 FROM {table(user_perms)} up"
        f" INNER JOIN {table(perm)} p ON p.{col(perm, 'id')} = up.{col(user_perms, 'permission')}"
        f" WHERE up.{col(user_perms, 'user')} = %s AND {is_the_permission})"
    )


def visible_plans(user) -> QuerySet[Plan]:
    """The plans this user may open: all for an admin, else those of its districts.

    One query when evaluated, and none before: the admin role is checked inside it (not with
    `has_perm`, which would load the user's permissions), so a cached page costs no more. (The
    plan's content type is read once per process, then comes from Django's cache.)
    """
    if not user.is_active:
        return Plan.objects.none()
    if user.is_superuser:
        return Plan.objects.all()
    admin_role = _holds_change_plan(user)
    member = Q(district__in=DistrictMembership.objects.filter(user=user).values("district"))
    return Plan.objects.filter(member | Q(admin_role))


def in_visible_plans(user, queryset: QuerySet, plan_path: str = "plan") -> QuerySet:
    """`queryset` narrowed to the rows whose plan (reached by `plan_path`) this user may open."""
    if user.is_active and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{plan_path}__in": visible_plans(user)})


def user_districts(user) -> QuerySet:
    """The district names this user belongs to (a values queryset, evaluated lazily)."""
    return DistrictMembership.objects.filter(user=user).values("district")


def visible_units(user) -> QuerySet[Unit]:
    """Units this user may list and open in the admin: all for an admin, else its districts' units.

    A reporter also sees the units it reports for, whatever their district.
    """
    if not user.is_active:
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(Q(district__in=user_districts(user)) | Q(members=user)).distinct()


def unit_refusals(plan: Plan, units) -> list[str]:
    """Why these units may not answer for the plan's work: each one of another (or no) district."""
    problems = []
    for unit in units:
        if not unit.district:
            problems.append(
                _("单位“%(unit)s”未填写所属区县,不能分派任务;请先在“责任单位”中填写区县。") % {"unit": unit}
            )
        elif unit.district != plan.district:
            problems.append(
                _("单位“%(unit)s”属于%(district)s,不能承担%(plan_district)s的任务。")
                % {"unit": unit, "district": unit.district, "plan_district": plan.district}
            )
    return problems
