"""Who may set up plans: the admin role (it holds targets.add_plan), or a superuser."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def may_set_up_plans(user) -> bool:
    return user.is_active and user.has_perm("targets.add_plan")


def plan_admin_required(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_set_up_plans(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
