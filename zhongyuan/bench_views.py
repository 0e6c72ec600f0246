"""The benchmark's baseline page: TechEmpower's "fortunes" shape on this stack.

One query fetches 12 rows (the first responsible units by primary key: department names, nothing
confidential), Python sorts them by name, and a template renders them as an HTML table. No login,
no session read or write, no CSRF token: what remains is Django's own cost for a page (URL
routing, middleware, one query, one template), against which `make bench` measures every real page.

The page exists only while the benchmark wants it: `settings.BENCH_ENDPOINTS` when a settings module
defines it, otherwise the environment variable `BENCH_ENDPOINTS` (1/true/yes/on). Elsewhere it is a 404.
Mounted by `path("bench/", include("zhongyuan.bench_views"))` in `zhongyuan/urls.py`.
"""

import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from targets.models import Unit

ROWS = 12


def bench_endpoints_enabled() -> bool:
    configured = getattr(settings, "BENCH_ENDPOINTS", None)
    if configured is not None:
        return bool(configured)
    return os.environ.get("BENCH_ENDPOINTS", "").strip().lower() in {"1", "true", "yes", "on"}


@require_GET
def fortunes(request: HttpRequest) -> HttpResponse:
    if not bench_endpoints_enabled():
        raise Http404("benchmark endpoints are off")
    rows = sorted(Unit.objects.order_by("pk").values_list("pk", "name")[:ROWS], key=lambda row: row[1])
    return render(request, "bench/fortunes.html", {"rows": rows})


app_name = "bench"

urlpatterns = [
    path("fortunes/", fortunes, name="fortunes"),
]
