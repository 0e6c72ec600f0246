"""Whole-page caching for the read-only progress pages.

A page is the same for every official except the user area of the header, so a rendered page is
cached once and the user area swapped in per request. An entry is found by today's date (lights
and overdue problems depend on it), the page's language, the path and the query string, and it
remembers the plan the page shows and that plan's data version when rendering began. It is
served only while the plan's version is unchanged: every save or delete of what a plan's pages
show moves that plan's version (see `signals.py`), so a stale page is never served, and a figure
entered for one district leaves the other districts' cached pages alone. Only successful GETs
of views that named their plan (`note_plan`) are cached; error pages and 400s are not.

With Redis configured (`REDIS_URL`), the versions are read from Redis instead of the database
and so is the logged-in user: a page served from the cache then runs no SQL (see `shared`).
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from . import shared
from .models import DataVersion

USER_AREA = re.compile(r"<!--user-area-->.*?<!--/user-area-->", re.S)


def note_plan(request, plan) -> None:
    """Tell the cache which plan this page shows, with the version it was read at."""
    version = None if shared.shared_cache() is None else shared.plan_version(plan.pk)
    if version is None:
        # No Redis: the database's version, read with the plan's row in the view's own query.
        request.page_plan = (plan.pk, plan.data_version)
        return
    counter, *token = version
    request.page_plan = (plan.pk, tuple(token))
    request.page_plan_counter = counter


def _key(request) -> str:
    query = "&".join(sorted(f"{k}={v}" for k in request.GET for v in request.GET.getlist(k)))
    language = translation.get_language()
    raw = f"{timezone.localdate()}|{language}|{request.path}|{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


_TOKEN = "PAGECACHECSRFTOKEN"
_NEXT = "PAGECACHENEXTPATH"


class _NextPath:
    """Stands in for the request while the user area is rendered once for a user and language."""

    @staticmethod
    def get_full_path() -> str:
        return _NEXT


def _user_area(request) -> str:
    """The header's user area for this request.

    Rendering it took about 1 ms, a quarter of a cached page's cost, so it is rendered once per
    user and language with stand-ins for the two per-request parts, the CSRF token and the page's
    path, which are filled in here.
    """
    user = request.user
    key = f"user-area:{user.pk}:{user.get_username()}:{user.is_staff}:{translation.get_language()}"
    area = cache.get(key)
    if area is None:
        context = {"user": user, "csrf_token": _TOKEN, "request": _NextPath}
        area = render_to_string("_user_area.html", context)
        cache.set(key, area, settings.PAGE_CACHE_SECONDS)
    area = area.replace(_TOKEN, get_token(request)).replace(_NEXT, escape(request.get_full_path()))
    return "<!--user-area-->" + area + "<!--/user-area-->"


def cached_page(view):
    """Serve the view's 200 GET responses from the cache while its plan's data has not changed."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            plan_id, version, head, tail = cached
            if DataVersion.current(plan_id) == version:
                body = head + _user_area(request) + tail
                return HttpResponse(body, content_type="text/html; charset=utf-8")
        # Noted before any data is read: a change committed during rendering keeps it uncached.
        counter_before = shared.every_change_counter()
        response = view(request, *args, **kwargs)
        page_plan = getattr(request, "page_plan", None)
        if (
            page_plan is not None
            and response.status_code == 200
            and response["Content-Type"].startswith("text/html")
            and getattr(request, "page_plan_counter", None) == counter_before
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            parts = USER_AREA.split(response.content.decode(), maxsplit=1)
            if len(parts) == 2:
                cache.set(key, (*page_plan, *parts), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
