"""What every progress page shares: the as-of date from the URL and the page's common context."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from common.asof import AsOfError
from common.months import month_choices

from . import pagecache, progress
from .models import Plan


def as_of_or_error(request: HttpRequest, plan: Plan) -> tuple[dt.date | None, HttpResponse | None]:
    """The page's as-of date, or a 400 response explaining what is wrong with it.

    Also names the page's plan for the page cache.
    """
    pagecache.note_plan(request, plan)
    try:
        return progress.resolve_as_of(request.GET.get("as_of"), plan, today=timezone.localdate()), None
    except AsOfError as exc:
        response = render(
            request, "targets/bad_request.html", {"plan": plan, "message": str(exc)}, status=400
        )
        return None, response


def page_context(plan: Plan, as_of: dt.date) -> dict:
    return {
        "plan": plan,
        "as_of": as_of,
        "month_choices": month_choices(plan, today=timezone.localdate()),
    }
