"""Whole-page caching for the read-only progress pages, in Django's cache (`CACHES["default"]`).

One cache: Redis (`django.core.cache.backends.redis.RedisCache`) when `REDIS_URL` is set, shared
by every server process; else each process's own memory. A page is the same for every official
except the user area of the header, so a rendered page is cached once, without that area, and
the area is rendered live per request.

An entry is found by today's date (lights and overdue problems depend on it), the page's
language, the path and the query string; it holds the plan the page shows and that plan's data
version (`Plan.data_version`, read with the plan's row before any of the page's data). It is
served only while the plan's version in the database is still the same: one small query per
page view, against the one truth. Every committed change to what a plan's pages show moves its
version (`signals.py`, `DataVersion`), whichever process made it, and a restore moves every
plan's version past any cached value, so a stale page is never served. Only successful GETs of
views that named their plan (`note_plan`) are cached; error pages and 400s are not.
"""

import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import access
from .models import DataVersion

logger = logging.getLogger(__name__)

USER_AREA = re.compile(r"<!--user-area-->.*?<!--/user-area-->", re.S)


def note_plan(request, plan) -> None:
    """Tell the cache which plan this page shows, with the version it was read at.

    The version comes with the plan's row, which the views read before anything else, so the page
    shows data at least as new as its version. A change of this plan not yet committed by this
    request's own transaction leaves the page uncached.
    """
    if DataVersion.is_pending(plan.pk):
        request.page_plan = None
        return
    request.page_plan = (plan.pk, plan.data_version)


def _key(request) -> str:
    query = "&".join(sorted(f"{k}={v}" for k in request.GET for v in request.GET.getlist(k)))
    language = translation.get_language()
    raw = f"{timezone.localdate()}|{language}|{request.path}|{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _user_area(request) -> str:
    """The header's user area, rendered live for this request (name, links, CSRF token)."""
    context = {"user": request.user, "csrf_token": get_token(request), "request": request}
    return "<!--user-area-->" + render_to_string("_user_area.html", context) + "<!--/user-area-->"


def _cache_get(key: str):
    """The cached entry, or None; a cache that does not answer (Redis down) is a miss, not an error."""
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: the database holds everything
        logger.warning("page cache unavailable; rendering from the database", exc_info=True)
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable; page not stored", exc_info=True)


def cached_page(view):
    """Serve the view's 200 GET responses from the cache while its plan's data has not changed."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = _cache_get(key)
        if cached is not None:
            plan_id, version, head, tail = cached
            # Read among the plans this user may open: another district's page is not served.
            if DataVersion.current(plan_id, access.visible_plans(request.user)) == version:
                body = head + _user_area(request) + tail
                return HttpResponse(body, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        page_plan = getattr(request, "page_plan", None)
        if (
            page_plan is not None
            and response.status_code == 200
            and response["Content-Type"].startswith("text/html")
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            parts = USER_AREA.split(response.content.decode(), maxsplit=1)
            if len(parts) == 2:
                _cache_set(key, (*page_plan, *parts))
        return response

    return wrapper
