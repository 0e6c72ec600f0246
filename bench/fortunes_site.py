"""The benchmark's independent baseline: a one-file fortunes site, outside the product's middleware.

    gunicorn bench.fortunes_site:application          (served, for wrk; DATABASE_URL as the product's)
    python -m bench.fortunes_site [REPEAT]            (in-process: one JSON line with the cold time)

TechEmpower's "fortunes" shape on this stack: one query reads 12 rows of the product's own
responsible-unit table (`targets_unit`: the first 12 units by id, department names only), Python
sorts them by name, and a Django template renders them as an HTML table. Its settings are its own
and minimal: no installed apps, no middleware (no sessions, authentication, CSRF, messages,
security headers or compression), no context processors, no translation; the same database. What
remains is Django's least cost for a page that reads a database and renders a template: the fairest
ceiling to hold the product's pages against (`make bench`, bench/run.py).

The in-process measurement is the one bench.queries makes of the product's pages (two warm-up
requests with Django's test client, then the median of REPEAT), in a process of its own, so that
neither settings module sees the other's.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

import dj_database_url
import django
from django.conf import settings

ROWS = 12
TABLE = "targets_unit"  # targets.models.Unit's table
TEMPLATE = """<!DOCTYPE html>
<html lang="zh-hans">
<head><meta charset="utf-8"><title>Fortunes</title></head>
<body>
<table>
<tr><th>id</th><th>message</th></tr>
{% for pk, name in rows %}<tr><td>{{ pk }}</td><td>{{ name }}</td></tr>
{% endfor %}</table>
</body>
</html>
"""

if not settings.configured:
    _base = Path(__file__).resolve().parent.parent
    settings.configure(
        DEBUG=False,
        # Nothing is signed: no sessions, no cookies, no CSRF tokens.
        SECRET_KEY="fortunes-site-signs-nothing",
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF="bench.fortunes_site",  # this file, also when run as __main__
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={
            "default": dj_database_url.parse(
                os.environ.get("DATABASE_URL", f"sqlite:///{_base / 'db.sqlite3'}"),
                conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            )
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": [],
                    "loaders": [("django.template.loaders.locmem.Loader", {"fortunes.html": TEMPLATE})],
                },
            }
        ],
        USE_I18N=False,
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        LOGGING_CONFIG=None,
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


def fortunes(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM {TABLE} ORDER BY id LIMIT %s", [ROWS])
        rows = sorted(cursor.fetchall(), key=lambda row: row[1])
    return render(request, "fortunes.html", {"rows": rows})


urlpatterns = [path("fortunes/", fortunes, name="fortunes")]

application = get_wsgi_application()

URL = "/fortunes/"


def measure(repeat: int = 5) -> dict:
    """In-process time of one request (median of `repeat` after two warm-up requests) and its queries."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(2):
        client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    queries = len(ctx.captured_queries)  # now: the next request empties the connection's log
    totals = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(URL)
        totals.append((time.perf_counter() - start) * 1000)
    return {
        "status": response.status_code,
        "queries": queries,
        "rows": response.content.count(b"<tr><td>"),
        "total_ms": round(statistics.median(totals), 2),
        "bytes": len(response.content),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
