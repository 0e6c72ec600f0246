"""The write path in-process: the monthly page's cold GET, a 12-row draft and a 12-row submit.

    python -m bench.writes LOAD.json [REPEAT]   (the benchmark's database and settings; one JSON line)

LOAD.json is `bench.load_prepare prepare`'s output (its plan of 2019, a unit of 12 targets per
reporter, logged-in sessions). With Django's test client, as the first reporter:

- the monthly entry page of December, GET: queries and the median in-process time of REPEAT requests
  after two warm-up requests (as bench.queries measures the progress pages);
- a draft of all 12 rows of December (`_save`) and a submission of all 12 rows of January
  (`_submit`), each POSTed as the browser sends the form: the SQL queries of the request, how often
  it moved the plan's data version (`Plan.data_version` before and after, and the UPDATEs of the
  plan row), the status and what is stored afterwards.
"""

import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.django_env import setup

DRAFT_MONTH, SUBMIT_MONTH = 12, 1
FORM = "application/x-www-form-urlencoded"  # as the browser sends the form


def main(path: str, repeat: int) -> None:
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.load import EntryForm
    from targets.models import Figure, Plan

    load = json.loads(Path(path).read_text(encoding="utf-8"))
    spec = load["clients"][0]
    plan_id, year = load["plan"]["id"], load["plan"]["year"]
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = spec["session"]

    def url(month: int) -> str:
        return f"{load['entry_url']}?unit={spec['unit']}&month={year}-{month:02d}"

    out = {"unit_rows": len(spec["targets"])}
    for _ in range(2):
        client.get(url(DRAFT_MONTH))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(DRAFT_MONTH))
    get_queries = len(ctx.captured_queries)  # now: the next request empties the connection's log
    totals = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url(DRAFT_MONTH))
        totals.append((time.perf_counter() - start) * 1000)
    if response.status_code != 200:
        print(json.dumps(out | {"entry_get": {"error": f"HTTP {response.status_code}"}}))
        return
    form = EntryForm(response.content.decode())
    out["entry_get"] = {
        "status": response.status_code,
        "queries": get_queries,
        "total_ms": round(statistics.median(totals), 1),
        "bytes": len(response.content),
        "rows": len(form.rows),
    }

    def post(month: int, button: tuple[str, str], status: str) -> dict:
        page = client.get(url(month))
        form = EntryForm(page.content.decode())
        values = {t["id"]: f"{t['step'] * month}.{i:02d}" for i, t in enumerate(spec["targets"])}
        data = form.filled(
            {t: {"value": v, "progress_note": "合成数据(性能测试)"} for t, v in values.items()}, button
        )
        if data is None:
            return {"error": f"a row is read-only or missing on {url(month)}"}
        before = Plan.objects.get(pk=plan_id).data_version
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url(month), urlencode(data), content_type=FORM)
        ms = (time.perf_counter() - start) * 1000
        captured = ctx.captured_queries
        after = Plan.objects.get(pk=plan_id).data_version
        stored = Figure.objects.filter(
            target_id__in=list(values), month=f"{year}-{month:02d}-01", status=status
        ).count()
        plan_updates = [
            q["sql"][:200]
            for q in captured
            if q["sql"].startswith("UPDATE") and '"targets_plan"' in q["sql"].split("SET", 1)[0]
        ]
        return {
            "status": response.status_code,
            "rows": len(values),
            "queries": len(captured),
            "ms": round(ms, 1),
            "version_moves": after - before,
            "plan_updates": len(plan_updates),
            "stored": stored,
            "sql": [q["sql"][:200] for q in captured],
        }

    out["draft"] = post(DRAFT_MONTH, ("_save", "保存草稿"), Figure.Status.DRAFT)
    out["submit"] = post(SUBMIT_MONTH, ("_submit", "保存并报送审核"), Figure.Status.SUBMITTED)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
