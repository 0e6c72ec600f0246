"""The four roles as Django groups, and the permissions each one holds.

Groups are (re)created after every `migrate`, so a new database always has them. Which
figures a reporter may touch is not a permission but a rule over units: see `access.py`.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

VIEWER, REPORTER, REVIEWER, ADMIN = "viewer", "reporter", "reviewer", "admin"

_VIEW_PLAN = ["targets.view_plan", "targets.view_keytask", "targets.view_target", "targets.view_unit"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Reads the progress pages; needs no model permission.
    VIEWER: [],
    REPORTER: [
        *_VIEW_PLAN,
        "targets.view_figure",
        "targets.add_figure",
        "targets.change_figure",
        "projects.view_projectgroup",
        "projects.view_project",
        "projects.add_project",
        "projects.change_project",
        "projects.view_problem",
        "projects.add_problem",
        "projects.change_problem",
    ],
    REVIEWER: [
        *_VIEW_PLAN,
        "targets.view_figure",
        "targets.review_figure",
        "targets.view_figureevent",
        "projects.view_projectgroup",
        "projects.view_project",
        "projects.view_problem",
        # The 督查室 writes and approves the bulletin's narrative (工作亮点, 存在问题, 下步工作).
        "reports.view_bulletinnote",
        "reports.add_bulletinnote",
        "reports.change_bulletinnote",
        "reports.approve_bulletinnote",
        # The 督查室 publishes and withdraws the public page (政务公开).
        "public.publish_plan",
    ],
    ADMIN: [
        "targets.*",
        "projects.*",
        "reports.*",
        "public.*",
        # The units' group robots (群机器人) that notices are posted to.
        "notices.*",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # Login throttling (django-axes): see who was locked out, and unlock them by deleting
        # the attempt. The logs themselves stay read-only.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
}

# Roles that work in the admin site (Django requires is_staff for it).
STAFF_ROLES = {REPORTER, REVIEWER, ADMIN}


def _permissions(codes: list[str]):
    for code in codes:
        app_label, codename = code.split(".")
        if codename == "*":
            yield from Permission.objects.filter(content_type__app_label=app_label)
        else:
            yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles() -> None:
    """Create the role groups and set their permissions to exactly the lists above."""
    # Roles span apps whose permissions may not exist yet at this point of `migrate`.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(list(_permissions(codes)))


def assign_role(user, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
