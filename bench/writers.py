"""Reads while reporters write: reporters of one plan submitting at once, viewers reading its overview.

Used by bench/run.py on a gunicorn of its own (enough workers for every reporter and the readers),
with the plan of `bench.load_prepare prepare` (2019; a unit of 12 targets per reporter). Over HTTP,
as a browser does (bench.load's Browser and EntryForm: the page, its CSRF token and base_version,
then the POST of all 12 rows with `_submit`):

1. readers alone: READERS threads read the plan's overview for READ_SECONDS; req/s;
2. each submit alone: the reporters one after another, one month each, nothing else running;
3. concurrently, for 2 and then for all reporters: every round, each reporter fetches its page, all
   wait for each other, then all POST at the same moment, while the readers read the overview. Each
   submit's latency (the POST only), the readers' req/s during the rounds, and how often a
   PostgreSQL backend of the benchmark's database was seen waiting for a lock (pg_stat_activity,
   sampled every 5 ms): if submits waited for each other (a lock on the plan row, say), they would
   show there and in the latencies.

Every POST must be acknowledged (303 to the same page); anything else is counted as an error.
"""

import statistics
import threading
import time
from collections import Counter

from bench import client as loadtest

READERS = 2
READ_SECONDS = 5
SUBMIT = ("_submit", "保存并报送审核")
LOCK_SAMPLE_S = 0.005


def _submit(browser, ctx: dict, spec: dict, month: int, barrier=None) -> tuple[float | None, str]:
    """POST all of the unit's rows for the month; (seconds of the POST or None, error)."""
    page = loadtest.entry_url(ctx, spec["unit"], f"{ctx['year']}-{month:02d}")
    form = loadtest.get_form(browser, page)
    if barrier is not None:
        barrier.wait()
    if form is None:
        return None, f"no form on {page}"
    values = {t["id"]: f"{t['step'] * month}.{i:02d}" for i, t in enumerate(spec["targets"])}
    data = form.filled(
        {t: {"value": v, "progress_note": "合成数据(性能测试)"} for t, v in values.items()}, SUBMIT
    )
    if data is None:
        return None, f"a row is read-only or missing on {page}"
    started = time.perf_counter()
    response = browser.request(loadtest.SUBMIT, page, form=data, referer=page)
    elapsed = time.perf_counter() - started
    if (
        response is None
        or response.status not in (302, 303)
        or not loadtest.same_page(response.location, page)
    ):
        status = "no answer" if response is None else f"HTTP {response.status} {response.location}"
        return None, f"submit {page}: {status}"
    return elapsed, ""


class Readers:
    """READERS threads reading one page in a loop; the completion time of each 200."""

    def __init__(self, port: int, session: str, path: str):
        self.port, self.session, self.path = port, session, path
        self.done: list[float] = []
        self.errors = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(READERS)]

    def _loop(self):
        tally = loadtest.Tally()
        browser = loadtest.Browser(self.port, self.session, tally)
        while not self.stop.is_set():
            response = browser.request("overview", self.path)
            with self.lock:
                if response is not None and response.status == 200:
                    self.done.append(time.monotonic())
                else:
                    self.errors += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=loadtest.TIMEOUT + 5)

    def rate(self, start: float, end: float) -> float:
        with self.lock:
            n = sum(1 for t in self.done if start <= t <= end)
        return n / (end - start) if end > start else 0.0


class LockWaits:
    """Samples pg_stat_activity: how often a backend of the database waited for a lock."""

    def __init__(self, pg: str, db: str):
        import psycopg2

        self.conn = psycopg2.connect(f"{pg}/{db}", connect_timeout=10)
        self.conn.autocommit = True
        self.db = db
        self.samples = self.waiting = 0
        self.statements: Counter = Counter()  # (lock type, waiting statement) → samples
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        with self.conn.cursor() as cur:
            while not self.stop.is_set():
                cur.execute(
                    "SELECT wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
                    "FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [self.db],
                )
                rows = cur.fetchall()
                self.samples += 1
                self.waiting += 1 if rows else 0
                self.statements.update(f"{event}: {query}" for event, query in rows)
                time.sleep(LOCK_SAMPLE_S)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        self.conn.close()


def _ms(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    values = sorted(values)
    return {
        "n": len(values),
        "median": round(statistics.median(values) * 1000, 1),
        "max": round(values[-1] * 1000, 1),
    }


def measure(port: int, load: dict, reader_session: str, pg: str, db: str, groups=(2, 4)) -> dict:
    """Readers alone, each submit alone, then groups of reporters submitting at once (see above)."""
    ctx = {"entry_url": load["entry_url"], "year": load["plan"]["year"], "port": port}
    specs = load["clients"]
    tally = loadtest.Tally()
    browsers = [loadtest.Browser(port, spec["session"], tally) for spec in specs]
    errors: list[str] = []
    out: dict = {"reporters": len(specs), "rows": len(specs[0]["targets"]), "readers": READERS}
    overview = load["overview"]

    with Readers(port, reader_session, overview) as readers:
        start = time.monotonic()
        time.sleep(READ_SECONDS)
        out["readers_alone_rps"] = round(readers.rate(start, time.monotonic()), 1)
    month = 2  # January is bench.writes' submission; December its draft
    alone = []
    for _ in range(2):
        for browser, spec in zip(browsers, specs, strict=True):
            seconds, error = _submit(browser, ctx, spec, month)
            alone.append(seconds) if seconds is not None else errors.append(error)
        month += 1
    out["alone"] = _ms(alone)

    for size in groups:
        size = min(size, len(specs))
        latencies: list[float] = []
        rounds = 3
        with Readers(port, reader_session, overview) as readers, LockWaits(pg, db) as locks:
            time.sleep(1)  # the readers under way
            start = time.monotonic()
            for _ in range(rounds):
                barrier = threading.Barrier(size, timeout=loadtest.TIMEOUT + 30)
                results: list[tuple[float | None, str]] = [(None, "not run")] * size

                def one(i, m=month, barrier=barrier, results=results):
                    results[i] = _submit(browsers[i], ctx, specs[i], m, barrier)

                threads = [threading.Thread(target=one, args=(i,)) for i in range(size)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for seconds, error in results:
                    latencies.append(seconds) if seconds is not None else errors.append(error)
                month += 1
            end = time.monotonic()
            reading_rps = readers.rate(start, end)
        out[f"concurrent_{size}"] = _ms(latencies) | {
            "rounds": rounds,
            "readers_rps": round(reading_rps, 1),
            "lock_wait_samples": locks.waiting,
            "lock_waits": [f"{n} × {what}" for what, n in locks.statements.most_common(3)],
            "samples": locks.samples,
            "reader_errors": readers.errors,
        }
    out["errors"] = errors + tally.error_examples
    return out
