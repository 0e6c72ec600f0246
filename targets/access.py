"""Who holds which role, and which plans each user may open: the one place the kernel's pages ask.

- Admins (superusers, or the admin role) may do everything.
- Reviewers approve or return any unit's submitted figures; they do not enter values.
- Reporters enter figures (which ones: `entry.access`).
- Everyone else only reads the progress pages.

Districts: admins see every district's plans; everyone else sees only the plans of the districts
it belongs to (`DistrictMembership`), and another district's plan is not there for it (404). A
viewer, reporter or reviewer with no district sees no plan.
"""

from django.contrib.auth.models import Permission
from django.db.models import Exists, Q, QuerySet

from .models import DistrictMembership, Plan


def is_admin(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("targets.change_plan"))


def can_review(user) -> bool:
    return user.is_active and (is_admin(user) or user.has_perm("targets.review_figure"))


def can_report(user) -> bool:
    return user.is_active and user.has_perm("targets.add_figure")


def visible_plans(user) -> QuerySet[Plan]:
    """The plans this user may open: all for an admin, else those of its districts.

    One query when evaluated, and none before: the admin role is checked inside it (not with
    `has_perm`, which would load the user's permissions), so a cached page costs no more.
    """
    if not user.is_active:
        return Plan.objects.none()
    if user.is_superuser:
        return Plan.objects.all()
    admin_role = Exists(
        Permission.objects.filter(
            Q(group__user=user) | Q(user=user), content_type__app_label="targets", codename="change_plan"
        )
    )
    member = Q(district__in=DistrictMembership.objects.filter(user=user).values("district"))
    return Plan.objects.filter(member | admin_role)


def in_visible_plans(user, queryset: QuerySet, plan_path: str = "plan") -> QuerySet:
    """`queryset` narrowed to the rows whose plan (reached by `plan_path`) this user may open."""
    if user.is_active and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{plan_path}__in": visible_plans(user)})
