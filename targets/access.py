"""Who holds which role, and which plans each user may open: the one place the kernel's pages ask.

- Admins (superusers, or the admin role) may do everything.
- Reviewers approve or return any unit's submitted figures; they do not enter values.
- Reporters enter figures (which ones: `entry.access`).
- Everyone else only reads the progress pages.

Districts: admins see every district's plans; everyone else sees only the plans of the districts
it belongs to (`DistrictMembership`), and another district's plan is not there for it (404). A
viewer, reporter or reviewer with no district sees no plan.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Q, QuerySet
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


def _holds_change_plan(user) -> Exists:
    """Whether the user holds the admin role's permission (`targets.change_plan`), through a
    group or directly, as a condition of another query.

    Two small EXISTS over the permission link tables, with the plan's content type as a value
    (`get_for_model` is cached by Django): PostgreSQL plans this in a tenth of the time it took
    for one EXISTS joining permissions, groups, users and content types, and every page, cached
    ones included, runs it.
    """
    change_plan = Q(
        permission__codename="change_plan",
        permission__content_type_id=ContentType.objects.get_for_model(Plan).pk,
    )
    users = get_user_model()
    in_groups = users.groups.through.objects.filter(user_id=user.pk).values("group_id")
    return Exists(Group.permissions.through.objects.filter(change_plan, group_id__in=in_groups)) | Exists(
        users.user_permissions.through.objects.filter(change_plan, user_id=user.pk)
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
    return Plan.objects.filter(member | admin_role)


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
