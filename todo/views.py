"""The to-do page (我的待办): where a reporter, a reviewer or a leader lands after logging in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from targets import views as target_views
from targets.access import visible_plans

from . import lists


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    todo = lists.todo_for(request.user, today)
    roles = [
        (key, lists.ROLE_TITLES[key], sections)
        for key, sections in (
            ("reporter", todo.reporter),
            ("reviewer", todo.reviewer),
            ("leader", todo.leader),
        )
        if sections
    ]
    plans = list(visible_plans(request.user).only("pk", "district", "year", "title")[:2])
    context = {
        "todo": todo,
        "roles": roles,
        "today": today,
        "only_plan": plans[0] if len(plans) == 1 else None,
    }
    return render(request, "todo/index.html", context)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Where a log-in lands: the to-do page for who has work (a reporter of a unit, a reviewer, a
    leader); everybody else where they landed before (`targets.views.home`)."""
    if lists.has_work(request.user):
        return redirect("todo:index")
    return target_views.home(request)
