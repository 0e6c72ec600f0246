"""Whole-page caching for the read-only progress pages.

A page is the same for every official except the user area of the header, so a rendered page is
cached once and the user area swapped in per request. The key holds `DataVersion` (bumped by
every save or delete of what the pages show, see `signals.py`), today's date (lights and overdue
problems depend on it), the page's language, the path and the query string; a stale page is never
served, because a change moves every key. Only successful GETs are cached; error pages and 400s are not.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import DataVersion

USER_AREA = re.compile(r"<!--user-area-->.*?<!--/user-area-->", re.S)


def _key(request) -> str:
    query = "&".join(sorted(f"{k}={v}" for k in request.GET for v in request.GET.getlist(k)))
    language = translation.get_language()
    raw = f"{DataVersion.current()}|{timezone.localdate()}|{language}|{request.path}|{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _user_area(request) -> str:
    return (
        "<!--user-area-->"
        + render_to_string("_user_area.html", {"user": request.user}, request=request)
        + "<!--/user-area-->"
    )


def cached_page(view):
    """Serve the view's 200 GET responses from the cache while the data has not changed."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            from django.http import HttpResponse

            body = USER_AREA.sub(lambda _m: _user_area(request), cached, count=1)
            return HttpResponse(body, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, response.content.decode(), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
