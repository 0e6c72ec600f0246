"""SQL queries and in-process time per page, with Django's test client (no network, one thread).

    python -m bench.queries PAGES.json   (same database and settings as the server)

PAGES.json is a list of {"key", "url", "session"} (optionally "warm", "repeat" and "profile" for
that page; "repeat": 0 times the request whose queries are counted); prints one JSON object keyed
by "key": the status, the queries of a warm request (the third; the first two fill per-process
caches), the median total and SQL milliseconds of BENCH_QUERY_REPEAT further requests, and the
body size.
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from bench.django_env import setup

PROFILE = os.environ.get("BENCH_PROFILE", "1").strip().lower() in {"1", "true", "yes", "on"}
ROOT = str(Path(__file__).resolve().parent.parent) + "/"


def _where(filename: str, line: int, func: str) -> str:
    where = filename.replace(ROOT, "")
    if "site-packages/" in where:
        where = where.split("site-packages/", 1)[1]
    return f"{where}:{line} {func}"


def profile(client, url: str, top: int = 6) -> dict:
    """Where one request spends its time, under cProfile (which slows it down about 2×).

    "own": the functions with the most own time anywhere; "app": the project's own functions
    (not Django or libraries) with the most cumulative time.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    app = sorted(
        (item for item in stats.items() if item[0][0].startswith(ROOT) and "/.venv/" not in item[0][0]),
        key=lambda item: item[1][3],
        reverse=True,
    )[:top]
    return {
        "own": [f"{v[2] * 1000:.1f} ms own, {v[1]} calls: {_where(*k)}" for k, v in own],
        "app": [f"{v[3] * 1000:.1f} ms cumulative, {v[1]} calls: {_where(*k)}" for k, v in app],
    }


def main(path: str) -> None:
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    repeat = max(1, int(os.environ.get("BENCH_QUERY_REPEAT", "5")))
    pages = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        if page.get("session"):
            client.cookies[settings.SESSION_COOKIE_NAME] = page["session"]
        try:
            for _ in range(page.get("warm", 2)):
                client.get(page["url"])
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(page["url"])
                first_ms = (time.perf_counter() - start) * 1000
            totals, sql = [], []
            if page.get("repeat", repeat) == 0:  # a slow page: the one request above is the measure
                totals.append(first_ms)
                sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            for _ in range(page.get("repeat", repeat)):
                with CaptureQueriesContext(connection) as timed:
                    start = time.perf_counter()
                    client.get(page["url"])
                    totals.append((time.perf_counter() - start) * 1000)
                sql.append(sum(float(q["time"]) for q in timed.captured_queries) * 1000)
            out[page["key"]] = {
                "status": response.status_code,
                "queries": len(ctx.captured_queries),
                "total_ms": round(statistics.median(totals), 1),
                "sql_ms": round(statistics.median(sql), 1),
                "bytes": len(response.content),
                "sql": [q["sql"][:300] for q in ctx.captured_queries],
                "profile": profile(client, page["url"]) if page.get("profile", PROFILE) else [],
            }
        except Exception as exc:  # a broken page is a result, not a crash of the benchmark
            out[page["key"]] = {"status": None, "error": f"{type(exc).__name__}: {exc}"[:500]}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
