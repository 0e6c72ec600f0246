"""The fortunes page through the product's stack (its settings, middleware and URL routing).

TechEmpower's "fortunes" shape: one query fetches 12 rows (the first responsible units by primary
key: department names, nothing confidential), Python sorts them by name, and a template renders them
as an HTML table. No login, no session read or write, no CSRF token. Measured beside the independent
baseline (`bench/fortunes_site.py`, outside the product's middleware) it shows what the product's
middleware and settings cost a page.

Mounted only by `bench.urls` (the benchmark's settings, `bench.settings`); production does not know it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from targets.models import Unit

ROWS = 12


@require_GET
def fortunes(request: HttpRequest) -> HttpResponse:
    rows = sorted(Unit.objects.order_by("pk").values_list("pk", "name")[:ROWS], key=lambda row: row[1])
    return render(request, "bench/fortunes.html", {"rows": rows})


app_name = "bench"

urlpatterns = [
    path("fortunes/", fortunes, name="fortunes"),
]
