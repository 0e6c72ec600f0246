"""`make bench`: load-test the pages under gunicorn + PostgreSQL at city scale, against a baseline.

    .venv/bin/python bench/run.py        (or `make bench`)

Steps, each bounded in time; the server is stopped and the temporary folder removed on every exit:

1. checks wrk (installs it with `apt-get install -y wrk` when missing and running as root);
2. creates the PostgreSQL database `zhongyuan_bench` when missing, migrates, loads the seed data and
   the synthetic scale data (`generate_scale_data` adds only plans that are not there yet);
3. `bench.prepare`: a viewer and a reporter user with fresh logged-in sessions, and the pages' URLs;
4. `collectstatic` with production settings (DEBUG=0, STATIC_MANIFEST=1, SECURE_COOKIES=0);
5. `bench.queries`: SQL queries and cold render time (page cache off, PAGE_CACHE_SECONDS=0) per request
   of every page with the test client (seed vs synthetic), against the baseline measured the same way;
6. gunicorn (2 workers) on 127.0.0.1 on a free port, driven by wrk with 4 connections for
   BENCH_SECONDS per page after a BENCH_WARMUP; page weight of the overview; worker RSS;
7. optionally the same few pages under the other worker class (BENCH_COMPARE);
8. prints the table and writes bench/RESULTS.md (and the raw numbers to bench/results.json).

Environment: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (4), BENCH_WORKER_CLASS (sync,
or gthread), BENCH_THREADS (4, for gthread), BENCH_COMPARE (1), BENCH_DB (zhongyuan_bench),
BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_REDIS (redis://127.0.0.1:6379/0; empty: without
Redis, the page cache is then each worker's own memory and sessions come from PostgreSQL),
BENCH_WAIT_QUIET (60: at most this many seconds spent waiting for other work on the machine to calm
down before the load), BENCH_BULLETIN_URL
(a URL template for the bulletin, e.g. /reports/{plan}/bulletin/?month={month}, when its URL name
is not one bench.prepare knows).
"""

import datetime as dt
import html.parser
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
HOST = "127.0.0.1"

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = 2
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
COMPARE = os.environ.get("BENCH_COMPARE", "1").strip().lower() in {"1", "true", "yes", "on"}
DB_NAME = os.environ.get("BENCH_DB", "zhongyuan_bench")
QUIET_WAIT_S = int(os.environ.get("BENCH_WAIT_QUIET", "60"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# The Redis that production would use for the page cache and sessions ("" runs without it).
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")

# The one-file baseline site (bench/fortunes_site.py; not imported here: it configures Django).
FORTUNES_SITE_APP = "bench.fortunes_site:application"
FORTUNES_SITE_URL = "/fortunes/"
# Reporters (each a unit of 12 targets in the load test's plan) for the write path and the writers.
WRITERS = 4
NOTE = os.environ.get("BENCH_NOTE", "").strip()

# Budgets (issue 6).
RATIO_MIN = 0.5
P95_MAX_MS = 150
BULLETIN_P95_MAX_MS = 500
FIRST_VISIT_MAX = 1_300_000  # bytes (1.3 MB, decimal)
REPEAT_VISIT_MAX = 100_000  # bytes (100 KB, decimal)
RSS_MAX_MIB = 200
LONG_CACHE_S = 30 * 24 * 3600  # a static file cached at least this long is not fetched again

if not re.fullmatch(r"[A-Za-z0-9_]+", DB_NAME):
    sys.exit(f"bench: BENCH_DB={DB_NAME!r} must be letters, digits and underscores")
if WORKER_CLASS not in {"sync", "gthread"}:
    sys.exit(f"bench: BENCH_WORKER_CLASS={WORKER_CLASS!r} must be sync or gthread")
if not re.match(r"^postgres(ql)?://[^/]*@?(127\.0\.0\.1|localhost)(:\d+)?$", PG):
    sys.exit(f"bench: BENCH_PG={PG!r} must be a PostgreSQL server on 127.0.0.1")


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


class Interrupted(Exception):
    pass


def _on_signal(signum, frame):
    raise Interrupted(f"signal {signum}")


# ---------------------------------------------------------------------------------------- setup


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("wrk is not installed (it drives the load); it comes with `apt-get install -y wrk`")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing it: apt-get install -y wrk")
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, timeout=300).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, timeout=300)
            subprocess.run(install, env=env, timeout=300)
    path = shutil.which("wrk")
    if not path:
        sys.exit("bench: wrk is missing; install it (as root: apt-get install -y wrk) and run again")
    return path


def ensure_database() -> str:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres", connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            if cur.fetchone() is None:
                log(f"creating database {DB_NAME}")
                cur.execute(f"CREATE DATABASE \"{DB_NAME}\" ENCODING 'UTF8' TEMPLATE template0")
            else:
                log(f"using existing database {DB_NAME}")
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    finally:
        conn.close()


def analyze_database() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum eventually would."""
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}", connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
    finally:
        conn.close()


def redis_available() -> bool:
    if not REDIS:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


_use_redis = None


def use_redis() -> bool:
    """Whether the server under load uses Redis: BENCH_REDIS set and answering."""
    global _use_redis
    if _use_redis is None:
        _use_redis = redis_available()
    return _use_redis


def redis_pids() -> list[int]:
    """The Redis server's process, whose CPU counts with the workers' when the pages use it."""
    result = subprocess.run(["pgrep", "-x", "redis-server"], capture_output=True, text=True, timeout=10)
    return [int(x) for x in result.stdout.split()]


def production_env() -> dict:
    redis_env = (
        {"REDIS_URL": REDIS, "REDIS_KEY_PREFIX": f"bench:{DB_NAME}"} if use_redis() else {"REDIS_URL": ""}
    )
    return (
        os.environ
        | redis_env
        | {
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "DEBUG": "0",
            # Fresh for each run: the sessions made below are signed with it and live for this run only.
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "1",
            "SECURE_COOKIES": "0",
            # Production settings plus the bench app (generate_scale_data, /bench/fortunes/).
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )


def run(args: list[str], env: dict, timeout: int, capture: bool = False) -> str:
    started = time.monotonic()
    result = subprocess.run(
        args, cwd=ROOT, env=env, timeout=timeout, text=True, stdout=subprocess.PIPE if capture else None
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} … failed with exit code {result.returncode}")
    log(f"  {' '.join(a for a in args[1:4])} took {time.monotonic() - started:.1f} s")
    return result.stdout if capture else ""


def last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON in the output: {text[-500:]}")


# ---------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes, int]:
    """(status, lower-cased headers, raw body as sent, size of status line + headers)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        head = {k.lower(): v for k, v in response.getheaders()}
        head_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(f"{k}: {v}\r\n") for k, v in response.getheaders()
        )
        return response.status, head, body, head_bytes + 2
    finally:
        conn.close()


class Server:
    """gunicorn serving the product (`zhongyuan.wsgi` with bench.settings) or the baseline site."""

    def __init__(
        self,
        env: dict,
        worker_class: str,
        tmp: Path,
        app: str = "zhongyuan.wsgi:application",
        probe: str = "/bench/fortunes/",
        workers: int = WORKERS,
        name: str = "site",
    ):
        self.env = env
        self.worker_class = worker_class
        self.app = app
        self.probe = probe
        self.workers = workers
        self.log_path = tmp / f"gunicorn-{name}-{worker_class}-{workers}.log"
        self.proc = None
        self.port = None

    def start(self) -> None:
        self.port = free_port()
        args = [
            str(Path(PY).parent / "gunicorn"),
            # The production configuration (`make serve`), so the benchmark measures what is served.
            "--config=zhongyuan/gunicorn.conf.py",
            self.app,
            f"--workers={self.workers}",
            f"--worker-class={self.worker_class}",
            f"--bind={HOST}:{self.port}",
            "--timeout=60",
            "--graceful-timeout=5",
            "--log-level=warning",
        ]
        if self.worker_class == "gthread":
            args.append(f"--threads={THREADS}")
        log(
            f"starting gunicorn {self.app} ({self.workers} {self.worker_class} workers) on {HOST}:{self.port}"
        )
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if http_get(self.port, self.probe)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def _ps_children(self, column: str) -> list[int]:
        result = subprocess.run(
            ["ps", "-o", f"{column}=", "--ppid", str(self.proc.pid)],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return [int(x) for x in result.stdout.split()]

    def workers_rss_kib(self) -> list[int]:
        return self._ps_children("rss")

    def worker_pids(self) -> list[int]:
        return self._ps_children("pid")

    def workers_peak_rss_kib(self) -> list[int]:
        """Each worker's peak resident memory so far (VmHWM), in KiB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if match:
                peaks.append(int(match[1]))
        return peaks

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        log(f"stopping gunicorn (pid {self.proc.pid})")
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------------------------------- load


def cookie_headers(session: str | None) -> dict:
    return {"Cookie": f"sessionid={session}"} if session else {}


def wrk(port: int, path: str, session: str | None, seconds: int) -> dict:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    args += ["-s", str(BENCH / "latency.lua")]
    for name, value in cookie_headers(session).items():
        args += ["-H", f"{name}: {value}"]
    args.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6) if data["duration_us"] else 0.0
            data["errors"] = sum(
                data[k]
                for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
            )
            return data
    raise RuntimeError(f"wrk printed no result (exit {result.returncode}): {result.stderr[-500:]}")


def machine_busy_ticks() -> int:
    """CPU ticks spent busy by the whole machine (all CPUs) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def process_ticks(pids: list[int]) -> dict[int, int]:
    """CPU ticks (user + system) used so far by each of these processes that still exists."""
    ticks = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def ticks_used(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks used between two snapshots; a process that ended meanwhile is not counted."""
    return sum(t - before.get(pid, 0) for pid, t in after.items())


def machine_busy_pct(seconds: float = 2.0) -> int:
    hz = os.sysconf("SC_CLK_TCK")
    before = machine_busy_ticks()
    time.sleep(seconds)
    return round((machine_busy_ticks() - before) / hz / seconds * 100)


def wait_for_quiet() -> int:
    """Wait (at most BENCH_WAIT_QUIET seconds) until other work uses under half a CPU; return its use."""
    deadline = time.monotonic() + QUIET_WAIT_S
    busy = machine_busy_pct()
    while busy > 50 and time.monotonic() < deadline:
        log(f"the machine is busy with other work ({busy}% of one CPU); waiting up to {QUIET_WAIT_S} s")
        time.sleep(5)
        busy = machine_busy_pct()
    return busy


def pg_backend_pids() -> list[int]:
    """The PostgreSQL server processes serving the benchmark database (the workers' connections)."""
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}", connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME]
            )
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def children_ticks(hz: int) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * hz


def load_page(server: "Server", page: dict) -> dict:
    port = server.port
    status, head, body, _ = http_get(port, page["url"], cookie_headers(page["session"]))
    if status != 200:
        where = head.get("location", "")
        return {"error": f"HTTP {status} {where}".strip()}
    if WARMUP:
        warm = wrk(port, page["url"], page["session"], WARMUP)
        # wrk leaves its last requests queued in the workers: let them drain before measuring.
        time.sleep(min(5.0, 2 * warm["max_us"] / 1e6 + 0.2))
    workers, backends = server.worker_pids(), pg_backend_pids()
    rpids = redis_pids() if use_redis() else []
    hz = os.sysconf("SC_CLK_TCK")
    machine0, workers0, pg0, wrk0, redis0 = (
        machine_busy_ticks(),
        process_ticks(workers),
        process_ticks(backends),
        children_ticks(hz),
        process_ticks(rpids),
    )
    t0 = time.monotonic()
    result = wrk(port, page["url"], page["session"], SECONDS)
    elapsed = time.monotonic() - t0
    # Django may reconnect (CONN_MAX_AGE): count the backends serving the database now, too.
    backends = sorted(set(backends) | set(pg_backend_pids()))
    used = (
        machine_busy_ticks() - machine0,
        ticks_used(workers0, process_ticks(workers)),
        ticks_used(pg0, process_ticks(backends)),
        children_ticks(hz) - wrk0,
        ticks_used(redis0, process_ticks(rpids)),
    )
    machine_pct, workers_pct, pg_pct, wrk_pct, redis_pct = (round(t / hz / elapsed * 100) for t in used)
    result["cpu"] = {
        "machine": machine_pct,
        "workers": workers_pct,
        "postgres": pg_pct,
        "redis": redis_pct,
        "wrk": wrk_pct,
        "other": max(0, machine_pct - workers_pct - pg_pct - redis_pct - wrk_pct),
    }
    # CPU time per request of the workers and their PostgreSQL backends: unlike req/s, it hardly
    # changes when other work on the machine takes CPU away.
    requests = max(1, result["requests"])
    result["cpu_ms_per_request"] = round((used[1] + used[2] + used[4]) / hz * 1000 / requests, 2)
    result["html_bytes"] = len(body)
    log(
        f"  {page['label']:<40} {result['rps']:7.1f} req/s  p50 {result['p50_us'] / 1000:6.1f}  "
        f"p95 {result['p95_us'] / 1000:6.1f}  p99 {result['p99_us'] / 1000:6.1f} ms  "
        f"CPU% workers {workers_pct} pg {pg_pct} redis {redis_pct} wrk {wrk_pct} "
        f"other {result['cpu']['other']}" + (f"  {result['errors']} errors" if result["errors"] else "")
    )
    return result


class AssetParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = None
        if tag == "script":
            url = attrs.get("src")
        elif tag == "link" and set((attrs.get("rel") or "").split()) & {
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
        }:
            url = attrs.get("href")
        elif tag == "img":
            url = attrs.get("src")
        if url and url.startswith("/") and not url.startswith("//") and url not in self.assets:
            self.assets.append(url)


def max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control or "")
    return int(match[1]) if match else 0


def page_weight(port: int, path: str, session: str | None) -> dict:
    accept = {"Accept-Encoding": "gzip, br"}
    status, head, body, head_bytes = http_get(port, path, cookie_headers(session) | accept)
    if status != 200:
        return {"error": f"HTTP {status}"}
    parser = AssetParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    html_entry = {
        "url": path,
        "transferred": len(body) + head_bytes,
        "body": len(body),
        "encoding": head.get("content-encoding", "identity"),
        "cache_control": head.get("cache-control", ""),
    }
    assets = []
    for url in parser.assets:
        a_status, a_head, a_body, a_head_bytes = http_get(port, url, accept)
        identity = len(http_get(port, url)[2])
        cache_control = a_head.get("cache-control", "")
        assets.append(
            {
                "url": url,
                "status": a_status,
                "transferred": len(a_body) + a_head_bytes,
                "body": len(a_body),
                "uncompressed": identity,
                "encoding": a_head.get("content-encoding", "identity"),
                "cache_control": cache_control,
                "cached": a_status == 200 and max_age(cache_control) >= LONG_CACHE_S,
            }
        )
    first = html_entry["transferred"] + sum(a["transferred"] for a in assets)
    repeat = html_entry["transferred"] + sum(a["transferred"] for a in assets if not a["cached"])
    return {"html": html_entry, "assets": assets, "first": first, "repeat": repeat}


# ---------------------------------------------------------------------------------------- report


def machine(pg_version: str) -> dict:
    import django
    import gunicorn

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg_version,
        "gunicorn": gunicorn.__version__,
        "wrk": " ".join(wrk_version.split()[:2]),
    }


def fmt_ms(us) -> str:
    return f"{us / 1000:.1f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def evaluate(pages, loads, queries, weight, rss, pairs) -> list[tuple[str, str, str]]:
    """(budget, measured, PASS/FAIL) rows."""
    rows = []
    base = loads.get("baseline", {})
    base_rps = base.get("rps")
    for page in pages:
        key, kind = page["key"], page["kind"]
        if kind == "baseline":
            continue
        result = loads.get(key, {})
        if "error" in result or "rps" not in result:
            rows.append((f"{page['label']}: loads", result.get("error", "not measured"), "FAIL"))
            continue
        if result["errors"]:
            rows.append((f"{page['label']}: no errors under load", f"{result['errors']} errors", "FAIL"))
        if kind == "progress" and base_rps:
            ratio = result["rps"] / base_rps
            base_cpu, cpu = base.get("cpu_ms_per_request"), result.get("cpu_ms_per_request")
            by_cpu = f" (by CPU cost {base_cpu / cpu:.2f} ×)" if base_cpu and cpu else ""
            rows.append(
                (
                    f"{page['label']}: ≥ {RATIO_MIN} × baseline req/s",
                    f"{ratio:.2f} ×{by_cpu}",
                    verdict(ratio >= RATIO_MIN),
                )
            )
        limit = BULLETIN_P95_MAX_MS if kind == "bulletin" else P95_MAX_MS
        p95 = result["p95_us"] / 1000
        rows.append((f"{page['label']}: p95 < {limit} ms", f"{p95:.1f} ms", verdict(p95 < limit)))
    for label, seed_key, syn_key in pairs:
        seed, syn = queries.get(seed_key, {}), queries.get(syn_key, {})
        if "queries" in seed and "queries" in syn:
            same = seed["queries"] == syn["queries"]
            rows.append(
                (
                    f"{label}: same queries seed vs synthetic",
                    f"{seed['queries']} vs {syn['queries']}",
                    verdict(same),
                )
            )
    for label, w in weight.items():
        if "error" in w:
            rows.append((f"{label}: page weight", w["error"], "FAIL"))
            continue
        rows.append(
            (
                f"{label}: first visit ≤ 1.3 MB",
                f"{w['first'] / 1e6:.3f} MB",
                verdict(w["first"] <= FIRST_VISIT_MAX),
            )
        )
        rows.append(
            (
                f"{label}: repeat visit ≤ 100 KB",
                f"{w['repeat'] / 1e3:.1f} KB",
                verdict(w["repeat"] <= REPEAT_VISIT_MAX),
            )
        )
    if rss:
        worst = max(rss) / 1024
        rows.append(
            (
                f"worker RSS < {RSS_MAX_MIB} MB after the run",
                f"{worst:.0f} MiB (max of {len(rss)})",
                verdict(worst < RSS_MAX_MIB),
            )
        )
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(
        [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        + [fmt.format(*map(str, r)) for r in rows]
    )


def load_rows(pages, loads, queries) -> list[list[str]]:
    base_rps = loads.get("baseline", {}).get("rps")
    rows = []
    for page in pages:
        r = loads.get(page["key"], {})
        q = queries.get(page["key"], {})
        nq = q.get("queries", "err" if q else "–")
        if "rps" not in r:
            rows.append([page["label"], r.get("error", "–"), "", "", "", nq, "", "", "", ""])
            continue
        ratio = f"{r['rps'] / base_rps:.2f}" if base_rps else "–"
        base_cpu = loads.get("baseline", {}).get("cpu_ms_per_request")
        cpu_ratio = (
            f"{base_cpu / r['cpu_ms_per_request']:.2f}" if base_cpu and r["cpu_ms_per_request"] else "–"
        )
        rows.append(
            [
                page["label"],
                f"{r['rps']:.1f}",
                fmt_ms(r["p50_us"]),
                fmt_ms(r["p95_us"]),
                fmt_ms(r["p99_us"]),
                nq,
                ratio,
                r["cpu_ms_per_request"],
                cpu_ratio,
                f"{q.get('total_ms', '–')} / {q.get('sql_ms', '–')}",
            ]
        )
    return rows


LOAD_HEADER = [
    "page",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "queries/req",
    "× baseline",
    "CPU ms/req",
    "× baseline by CPU",
    "1 req ms total / SQL",
]


# Issue 14's budgets, against the one-file fortunes site (bench/fortunes_site.py) measured in-process.
COLD_MAX = 10  # × baseline, every progress page, cold
ENTRY_MAX = 15  # × baseline, the monthly entry page's GET
SUBMIT_QUERIES_MAX = 20  # a 12-row submit
GROWTH_MAX = 2.0  # a page of the 400-target plan against the same page of the 40-target plan
RSS_4000_MAX_MB = 150  # peak RSS of a worker serving every page of the 4,000-target plan
GROWTH_SIZES = ("40", "400", "4000")
# The progress pages of issue 14, in bench.prepare's keys.
PROGRESS_PAGES = [
    ("overview", "overview"),
    ("keytask", "key task"),
    ("target", "target"),
    ("targets", "all targets"),
    ("indicators", "indicators"),
    ("projects", "project list"),
    ("project", "project page"),
    ("group", "project group page"),
    ("bulletin", "bulletin"),
]
# In-process repetitions per growth size (after one warm-up request), the median taken: five, so that
# one slow request (other work on a shared machine) does not decide a ratio. The 4,000-target
# plan's pages take seconds.
# The 4,000-target plan's pages (seconds each) are timed by one request, without a warm-up: the
# same pages of the smaller plans, measured before in the same process, have filled its caches.
GROWTH_REPEAT = {"40": 5, "400": 5, "4000": 0}
GROWTH_WARM = {"40": 1, "400": 1, "4000": 0}

COLD_TEXT = (
    "Each page rendered in full (`PAGE_CACHE_SECONDS=0`): the first request after a change, and "
    "every request of a server without the cache. Median in-process time of one request with "
    "Django's test client after two warm-up requests (bench.queries: same database, one thread, no "
    "network), as the `bench-viewer` user; × baseline: that time divided by the one-file fortunes "
    "site's (bench/fortunes_site.py, measured the same way in a process of its own). Budget: every "
    "progress page at most {cold} × the baseline on both plans (the monthly entry page's GET: {entry} ×); "
    "OVER marks a cell above it."
)


def cold_cell(ms, base, limit) -> str:
    if ms is None or not base:
        return "–"
    ratio = ms / base
    return f"{ms:.1f} ms · {ratio:.1f} × · {'PASS' if ratio <= limit else 'OVER'}"


def cold_budget_rows(ctx: dict) -> list[list[str]]:
    base = ctx["baseline_cold"].get("total_ms")
    cold = ctx["cold"]
    rows = []
    for key, label in PROGRESS_PAGES:
        cells = []
        for plan in ("seed", "synthetic"):
            q = cold.get(f"{plan}:{key}", {})
            cells.append(
                cold_cell(q.get("total_ms"), base, COLD_MAX) if "total_ms" in q else q.get("error", "–")
            )
        queries = "/".join(
            str(cold.get(f"{plan}:{key}", {}).get("queries", "–")) for plan in ("seed", "synthetic")
        )
        rows.append([label, *cells, queries, f"≤ {COLD_MAX} ×"])
    entry = ctx["writes"].get("entry_get", {})
    rows.append(
        [
            f"monthly entry page, GET ({entry.get('rows', '–')} rows)",
            "–",
            cold_cell(entry.get("total_ms"), base, ENTRY_MAX),
            str(entry.get("queries", "–")),
            f"≤ {ENTRY_MAX} ×",
        ]
    )
    return rows


def cold_budget_checks(ctx: dict) -> list[tuple[str, str, str]]:
    base = ctx["baseline_cold"].get("total_ms")
    rows = []
    for key, label in PROGRESS_PAGES:
        for plan in ("seed", "synthetic"):
            q = ctx["cold"].get(f"{plan}:{key}", {})
            ms = q.get("total_ms")
            ratio = ms / base if ms is not None and base else None
            rows.append(
                (
                    f"{label}, {plan} plan: cold ≤ {COLD_MAX} × baseline",
                    f"{ratio:.1f} ×" if ratio is not None else q.get("error", "not measured"),
                    "PASS" if ratio is not None and ratio <= COLD_MAX else "OVER",
                )
            )
    entry = ctx["writes"].get("entry_get", {})
    ratio = entry["total_ms"] / base if entry.get("total_ms") and base else None
    rows.append(
        (
            f"monthly entry page GET ≤ {ENTRY_MAX} × baseline",
            f"{ratio:.1f} ×" if ratio is not None else "not measured",
            "PASS" if ratio is not None and ratio <= ENTRY_MAX else "OVER",
        )
    )
    submit = ctx["writes"].get("submit", {})
    ok = submit.get("status") == 303 and submit.get("queries", 99) <= SUBMIT_QUERIES_MAX
    rows.append(
        (
            f"12-row submit: ≤ {SUBMIT_QUERIES_MAX} queries",
            f"{submit.get('queries', '–')} queries (HTTP {submit.get('status', '–')})",
            "PASS" if ok else "OVER",
        )
    )
    rows.append(
        (
            "12-row submit: one data-version move",
            f"{submit.get('version_moves', '–')} moves",
            "PASS" if submit.get("version_moves") == 1 else "OVER",
        )
    )
    draft = ctx["writes"].get("draft", {})
    rows.append(
        (
            "12-row draft: moves nothing a reader sees",
            f"{draft.get('version_moves', '–')} moves",
            "PASS" if draft.get("version_moves") == 0 else "OVER",
        )
    )
    for key, label in PROGRESS_PAGES:
        small, mid = ctx["growth"].get(f"40:{key}", {}), ctx["growth"].get(f"400:{key}", {})
        if "total_ms" in small and "total_ms" in mid:
            ratio = mid["total_ms"] / small["total_ms"]
            rows.append(
                (
                    f"{label}: 400 targets within {GROWTH_MAX:g} × of 40",
                    f"{ratio:.2f} ×",
                    "PASS" if ratio <= GROWTH_MAX else "OVER",
                )
            )
        else:
            rows.append((f"{label}: 400 targets within {GROWTH_MAX:g} × of 40", "not measured", "OVER"))
    peak = ctx["rss_4000"].get("peak_kib")
    rows.append(
        (
            f"worker serving every page of the 4,000-target plan: peak RSS ≤ {RSS_4000_MAX_MB} MB",
            f"{peak / 1024:.0f} MiB" if peak else ctx["rss_4000"].get("error", "not measured"),
            "PASS" if peak and peak / 1024 <= RSS_4000_MAX_MB else "OVER",
        )
    )
    w = ctx["writers"]
    for size in (2, 4):
        c = w.get(f"concurrent_{size}")
        if not c or not c.get("n"):
            rows.append(
                (f"{size} reporters submitting at once do not wait for each other", "not measured", "OVER")
            )
            continue
        ok = c["lock_wait_samples"] == 0 and not w.get("errors")
        rows.append(
            (
                f"{size} reporters submitting at once do not wait for each other (no lock waits)",
                f"{c['lock_wait_samples']} of {c['samples']} samples waiting; submit median "
                f"{c['median']} ms vs {w['alone'].get('median', '–')} ms alone",
                "PASS" if ok else "OVER",
            )
        )
    return rows


def growth_rows(ctx: dict) -> list[list[str]]:
    g = ctx["growth"]
    rows = []
    for key, label in PROGRESS_PAGES:
        cells = [g.get(f"{n}:{key}", {}) for n in GROWTH_SIZES]
        ms = [f"{c['total_ms']:.0f}" if "total_ms" in c else c.get("error", "–")[:60] for c in cells]
        kb = [f"{c['bytes'] / 1000:.0f}" if "bytes" in c else "–" for c in cells]
        queries = "/".join(str(c.get("queries", "–")) for c in cells)
        ratio = "–"
        verdict_ = "–"
        if "total_ms" in cells[0] and "total_ms" in cells[1]:
            r = cells[1]["total_ms"] / cells[0]["total_ms"]
            ratio, verdict_ = f"{r:.2f} ×", "PASS" if r <= GROWTH_MAX else "OVER"
        rows.append([label, *ms, ratio, verdict_, "/".join(kb), queries])
    return rows


def writers_rows(w: dict) -> list[list[str]]:
    rows = [["readers alone", "–", "–", "–", w.get("readers_alone_rps", "–"), "–"]]
    a = w.get("alone", {})
    rows.append(["each submit alone", a.get("n", 0), a.get("median", "–"), a.get("max", "–"), "–", "–"])
    for size in (2, 4):
        c = w.get(f"concurrent_{size}", {})
        rows.append(
            [
                f"{size} reporters at once ({c.get('rounds', '–')} rounds)",
                c.get("n", 0),
                c.get("median", "–"),
                c.get("max", "–"),
                c.get("readers_rps", "–"),
                f"{c.get('lock_wait_samples', '–')} of {c.get('samples', '–')}",
            ]
        )
    return rows


def issue14_sections(ctx: dict) -> list[str]:
    base = ctx["baseline_cold"]
    prod = ctx["queries"].get("fortunes_product", {})
    writes = ctx["writes"]
    out = [
        "## The baseline",
        "",
        "`bench/fortunes_site.py`: a one-file Django site outside the product (its own minimal "
        "settings: no installed apps, no middleware, no sessions or authentication, no translation), one "
        "view that reads 12 rows of the same database table (`targets_unit`) in one query and renders "
        "them as an HTML table with a template. In-process (test client, the median of 20 requests in a "
        "process of its own, measured three times: before the pages, between the cold pages and the "
        f"growth, and after them: {' / '.join(str(x) for x in base.get('runs_ms', []))} ms; the middle one "
        f"is the baseline): **{base.get('total_ms', '–')} ms**, {base.get('queries', '–')} query, "
        f"{base.get('bytes', '–')} bytes. The same page through the product's settings, middleware "
        "and URLs (`/bench/fortunes/`, "
        f"bench/views.py): {prod.get('total_ms', '–')} ms, {prod.get('queries', '–')} query — the "
        "difference is what the product's middleware costs every page. Under wrk the baseline is "
        f"served by its own gunicorn (`gunicorn bench.fortunes_site:application`, {WORKERS} workers).",
        "",
        "## Cold render against the baseline",
        "",
        COLD_TEXT.format(cold=COLD_MAX, entry=ENTRY_MAX),
        "",
        f"Seed plan: {ctx['prep']['seed_plan']['name']}; synthetic plan: "
        f"{ctx['prep']['synthetic_plan']['name']} (40 targets, 200 projects). The monthly entry page is "
        f"a reporter's page of 12 rows in the load test's plan ({writes.get('plan', '–')}).",
        "",
        markdown_table(
            ["page", "seed plan", "synthetic plan (40 targets)", "queries seed/synthetic", "budget"],
            cold_budget_rows(ctx),
        ),
        "",
        "## The write path: 12 rows through the monthly page",
        "",
        "As a reporter with Django's test client: the form fetched, all 12 rows filled in, POSTed as "
        "the browser sends it; queries of the POST, moves of the plan's data version "
        "(`Plan.data_version` before and after) and what is stored afterwards.",
        "",
    ]
    w_rows = []
    for key, label, budget in (
        ("submit", "submit (`_submit`, January)", f"≤ {SUBMIT_QUERIES_MAX} queries, 1 move"),
        ("draft", "draft (`_save`, December)", "no move"),
    ):
        r = writes.get(key, {})
        w_rows.append(
            [
                label,
                r.get("status", r.get("error", "–")),
                r.get("queries", "–"),
                r.get("version_moves", "–"),
                r.get("plan_updates", "–"),
                f"{r.get('stored', '–')} of {r.get('rows', '–')}",
                r.get("ms", "–"),
                budget,
            ]
        )
    out += [
        markdown_table(
            [
                "request",
                "HTTP",
                "queries",
                "version moves",
                "UPDATEs of the plan row",
                "rows stored",
                "ms",
                "budget",
            ],
            w_rows,
        ),
        "",
        "## Growth: one plan of 40, 400 and 4,000 targets",
        "",
        "`generate_scale_data --plan-targets 40 400 4000`: one plan per size with everything in "
        "proportion (5 projects per target, one unit per 2 targets, 12 figures per target; 8 key tasks, "
        "4 project groups). Cold in-process ms per page as above: for 40 and 400 targets one warm-up "
        f"request, then the median of {GROWTH_REPEAT['40']} and {GROWTH_REPEAT['400']} requests; for "
        "4,000 targets one request (the same pages of the smaller plans, measured before in the same "
        "process, have filled its caches). Page by page, the three sizes one after the other, so "
        "that the two sides of a ratio are measured seconds apart. "
        f"Budget: 400 targets within {GROWTH_MAX:g} × of 40.",
        "",
        markdown_table(
            ["page", "40 ms", "400 ms", "4,000 ms", "400 / 40", "budget", "HTML KB 40/400/4,000", "queries"],
            growth_rows(ctx),
        ),
        "",
    ]
    r = ctx["rss_4000"]
    out += ["## Memory at 4,000 targets", ""]
    if "peak_kib" in r:
        out += [
            f"One gunicorn `{WORKER_CLASS}` worker (production settings, page cache off) serving every "
            "page of the 4,000-target plan once, in the order above: peak RSS (VmHWM) "
            f"**{r['peak_kib'] / 1024:.0f} MiB** "
            f"(after start-up and one baseline request: {r['start_kib'] / 1024:.0f} MiB); budget ≤ "
            f"{RSS_4000_MAX_MB} MB.",
            "",
            markdown_table(
                ["page", "HTTP", "ms through gunicorn", "HTML KB", "peak RSS after it, MiB"],
                [
                    [
                        p["label"],
                        p["status"],
                        p["ms"],
                        f"{p['bytes'] / 1000:.0f}",
                        f"{p['peak_kib'] / 1024:.0f}",
                    ]
                    for p in r["pages"]
                ],
            ),
            "",
        ]
    else:
        out += [f"Not measured: {r.get('error', '–')}", ""]
    w = ctx["writers"]
    out += [
        "## Reads while reporters write",
        "",
        f"{w.get('reporters', '–')} reporters of one plan (the load test's plan, a unit of "
        f"{w.get('rows', '–')} targets each) submit all their rows through the monthly page over HTTP "
        f"(bench/writers.py), on a gunicorn of {ctx.get('writers_workers', '–')} `sync` workers (one per "
        f"reporter and reader, so no request queues for a worker), while {w.get('readers', '–')} readers "
        "read the plan's overview in a loop. Alone: one submit at a time, nothing else running. At "
        "once: every round each reporter fetches its page, all wait for each other, then all POST at the "
        "same moment. Latency of the POST; readers' req/s during the rounds; PostgreSQL backends "
        "of the database seen waiting for a lock (pg_stat_activity sampled every 5 ms).",
        "",
        markdown_table(
            ["", "submits", "submit median ms", "submit max ms", "readers req/s", "samples with a lock wait"],
            writers_rows(w),
        ),
        "",
    ]
    waits = [(size, w.get(f"concurrent_{size}", {}).get("lock_waits")) for size in (2, 4)]
    if any(found for _size, found in waits):
        out += ["What waited for a lock (samples × lock type: statement):", ""]
        out += [f"- {size} at once: {what}" for size, found in waits for what in found or []]
        out += [""]
    if w.get("errors"):
        out += ["Errors:", ""] + [f"- {e}" for e in w["errors"][:20]] + [""]
    return out


def write_results(ctx: dict) -> str:
    m = ctx["machine"]
    pages, loads, queries = ctx["pages"], ctx["loads"], ctx["queries"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {ctx['started']} in {ctx['elapsed_s']:.0f} s. "
        "Rerun it to refresh; the raw numbers are in `bench/results.json`.",
        "",
        "## Machine",
        "",
        f"- {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, Linux {m['kernel']}",
        f"- Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']}, "
        f"gunicorn {m['gunicorn']}, {m['wrk']}",
        f"- load average before / after: {ctx['load_before']} / {ctx['load_after']} "
        "(wrk, gunicorn and PostgreSQL share these CPUs; other work on the machine shows up here); "
        f"other work just before the load: {ctx['idle_busy']}% of one CPU",
        *([f"- {NOTE}"] if NOTE else []),
        "",
        "## Setup",
        "",
        f"- database `{DB_NAME}`: {ctx['prep']['counts']['plans']} plans "
        f"({ctx['prep']['synthetic_plan_count']} synthetic), {ctx['prep']['counts']['targets']} targets, "
        f"{ctx['prep']['counts']['figures']} figures, {ctx['prep']['counts']['units']} units",
        f"- seed plan: {ctx['prep']['seed_plan']['name']} (id {ctx['prep']['seed_plan']['id']}); "
        f"synthetic plan: {ctx['prep']['synthetic_plan']['name']} (id {ctx['prep']['synthetic_plan']['id']})",
        f"- gunicorn {WORKERS} `{WORKER_CLASS}` workers"
        + (f" × {THREADS} threads" if WORKER_CLASS == "gthread" else "")
        + ", production settings (DEBUG=0, STATIC_MANIFEST=1, whitenoise, "
        + (f"Redis {REDIS}" if use_redis() else "no Redis")
        + f"), on {HOST}; "
        f"wrk 1 thread, {CONNECTIONS} connections, {WARMUP} s warm-up then {SECONDS} s per page",
        "- progress pages as the `bench-viewer` user (group viewer); the monthly entry page as "
        f"`bench-reporter` (group reporter, unit {ctx['prep']['month_entry']['unit']}: "
        f"{ctx['prep']['month_entry']['rows']} rows on the page for that month across all plans, "
        f"{ctx['prep']['month_entry']['rows_in_plan']} in the chosen plan)",
        "",
        *issue14_sections(ctx),
        "## Throughput and latency",
        "",
        "queries/req: SQL queries of one request rendered in full, with the page cache off (Django test "
        "client, same database); under load most requests are page-cache hits, which run 2 queries with "
        "Redis (the user, and the plan's data version, which lives in the database; the session comes "
        "from Redis) and 3 without (the session too). "
        "The last column: median in-process time of one request with the test client, and the part of it "
        "spent in SQL. CPU ms/req: CPU time of the gunicorn workers, their PostgreSQL backends and Redis per "
        "request under load; *× baseline by CPU* is the baseline's CPU ms/req divided by the page's, "
        "the throughput ratio the page would reach on otherwise idle CPUs (it depends far less than req/s "
        "on other work on the machine; the budget is checked on req/s).",
        "",
        markdown_table(LOAD_HEADER, load_rows(pages, loads, queries)),
        "",
    ]
    for page in pages:
        out.append(f"- {page['label']}: `{page['url']}`")
    cpu_rows = [
        [page["label"]]
        + [
            loads[page["key"]]["cpu"].get(k, 0)
            for k in ("machine", "workers", "postgres", "redis", "wrk", "other")
        ]
        for page in pages
        if "cpu" in loads.get(page["key"], {})
    ]
    out += [
        "",
        f"CPU during each measurement, in % of one CPU ({m['nproc']} CPUs: {m['nproc'] * 100}% is all of "
        "them). *other* is what the rest of the machine used meanwhile: when it is high, the numbers "
        "above are low for reasons outside this project.",
        "",
        markdown_table(
            ["page", "machine", "gunicorn workers", "postgres (bench db)", "redis", "wrk", "other"],
            cpu_rows,
        ),
    ]
    if ctx["skipped"]:
        out += ["", "Not measured:", ""] + [f"- {s}" for s in ctx["skipped"]]
    out += ["", "## Queries per request: seed plan vs synthetic plan", ""]
    q_rows = []
    for label, seed_key, syn_key in ctx["pairs"]:
        s, y = queries.get(seed_key, {}), queries.get(syn_key, {})
        q_rows.append(
            [
                label,
                s.get("queries", s.get("error", "–")),
                y.get("queries", y.get("error", "–")),
                f"{s.get('total_ms', '–')} / {y.get('total_ms', '–')}",
                f"{s.get('bytes', '–')} / {y.get('bytes', '–')}",
            ]
        )
    out.append(
        markdown_table(
            ["page", "seed", "synthetic", "ms seed / synthetic", "HTML bytes seed / synthetic"], q_rows
        )
    )
    out += [
        "",
        "## Where one request spends its time (cProfile, test client, one warm request)",
        "",
        "Own time: the functions with the most time of their own, anywhere. Project code: this "
        "project's functions (not Django or libraries) by cumulative time. cProfile roughly doubles "
        "the times; compare them with each other, not with the table above.",
    ]
    for page in pages:
        prof = queries.get(page["key"], {}).get("profile") or {}
        if not prof:
            continue
        out += ["", f"<details><summary>{page['label']}</summary>", "", "Own time:", ""]
        out += [f"- {line}" for line in prof.get("own", [])]
        out += ["", "Project code:", ""]
        out += [f"- {line}" for line in prof.get("app", [])]
        out += ["", "</details>"]
    out += ["", "## Page weight (plan overview)", ""]
    for label, w in ctx["weight"].items():
        if "error" in w:
            out.append(f"- {label}: {w['error']}")
            continue
        out.append(
            f"- {label}: first visit **{w['first'] / 1e6:.3f} MB**, "
            f"repeat visit **{w['repeat'] / 1e3:.1f} KB** "
            "(transferred bytes incl. response headers, request sent with `Accept-Encoding: gzip, br`)"
        )
        rows = [
            [
                "HTML " + w["html"]["url"],
                w["html"]["transferred"],
                w["html"]["body"],
                w["html"]["body"],
                w["html"]["encoding"],
                w["html"]["cache_control"] or "–",
                "no",
            ]
        ]
        for a in w["assets"]:
            rows.append(
                [
                    a["url"],
                    a["transferred"],
                    a["body"],
                    a["uncompressed"],
                    a["encoding"],
                    a["cache_control"] or "–",
                    "yes" if a["cached"] else "no",
                ]
            )
        out += [
            "",
            markdown_table(
                [
                    "resource",
                    "transferred bytes (with headers)",
                    "body bytes",
                    "uncompressed bytes",
                    "encoding",
                    "Cache-Control",
                    "cached on repeat",
                ],
                rows,
            ),
            "",
        ]
    out += ["## Memory", ""]
    rss = ctx["rss"]
    out.append(
        f"gunicorn worker RSS after the run ({WORKER_CLASS}): "
        + ", ".join(f"{kib / 1024:.0f} MiB" for kib in rss)
        + "."
    )
    if ctx.get("compare"):
        c = ctx["compare"]
        out += ["", f"## Worker class: {WORKER_CLASS} vs {c['worker_class']}", ""]
        rows = []
        for page in c["pages"]:
            a, b = loads.get(page["key"], {}), c["loads"].get(page["key"], {})
            if "rps" in a and "rps" in b:
                rows.append(
                    [
                        page["label"],
                        f"{a['rps']:.1f}",
                        f"{b['rps']:.1f}",
                        fmt_ms(a["p95_us"]),
                        fmt_ms(b["p95_us"]),
                        a["cpu_ms_per_request"],
                        b["cpu_ms_per_request"],
                        f"{a['cpu']['other']} / {b['cpu']['other']}",
                    ]
                )
        other = c["worker_class"] + (f" ×{THREADS} threads" if c["worker_class"] == "gthread" else "")
        out.append(
            markdown_table(
                [
                    "page",
                    f"req/s {WORKER_CLASS}",
                    f"req/s {other}",
                    f"p95 ms {WORKER_CLASS}",
                    f"p95 ms {other}",
                    f"CPU ms/req {WORKER_CLASS}",
                    f"CPU ms/req {other}",
                    "other CPU %",
                ],
                rows,
            )
        )
        out += [
            "",
            f"{c['worker_class']} worker RSS: "
            + ", ".join(f"{kib / 1024:.0f} MiB" for kib in c["rss"])
            + ".",
        ]
    out += [
        "",
        "## Budgets",
        "",
        markdown_table(["budget", "measured", "result"], [list(r) for r in ctx["budgets"]]),
    ]
    failed = sum(1 for r in ctx["budgets"] if r[2] in ("FAIL", "OVER"))
    out += ["", f"{failed} of {len(ctx['budgets'])} budget checks fail.", ""]
    # The record of earlier runs, kept by hand beside the script, follows each new result.
    history = BENCH / "HISTORY.md"
    if history.is_file():
        out += ["", history.read_text(encoding="utf-8").strip(), ""]
    text = "\n".join(out)
    (BENCH / "RESULTS.md").write_text(text, encoding="utf-8")
    return text


# ---------------------------------------------------------------------------------------- main


def build_pages(prep: dict) -> tuple[list[dict], list[dict], list[tuple[str, str, str]], list[str]]:
    viewer, reporter = prep["sessions"]["viewer"], prep["sessions"]["reporter"]
    syn, seed = prep["synthetic"], prep["seed"]
    skipped = []
    pages = [
        {
            "key": "baseline",
            "label": "baseline (one-file fortunes site)",
            "url": FORTUNES_SITE_URL,
            "session": None,
            "kind": "baseline",
        },
        {
            "key": "fortunes_product",
            "label": "fortunes through the product's middleware",
            "url": prep["baseline"],
            "session": None,
            "kind": "reference",
        },
        {
            "key": "overview_seed",
            "label": "overview, seed plan",
            "url": seed["overview"],
            "session": viewer,
            "kind": "progress",
        },
        {
            "key": "overview",
            "label": "overview, synthetic plan",
            "url": syn["overview"],
            "session": viewer,
            "kind": "progress",
        },
        {"key": "keytask", "label": "key task", "url": syn["keytask"], "session": viewer, "kind": "progress"},
        {"key": "target", "label": "target", "url": syn["target"], "session": viewer, "kind": "progress"},
        {
            "key": "targets_filtered",
            "label": "all targets, filtered",
            "url": syn["targets_filtered"],
            "session": viewer,
            "kind": "progress",
        },
    ]
    if syn["projects"]:
        pages.append(
            {
                "key": "projects",
                "label": "project list",
                "url": syn["projects"],
                "session": viewer,
                "kind": "progress",
            }
        )
    else:
        skipped.append("project list: no `projects:project-list` URL in zhongyuan/urls.py")
    pages.append(
        {
            "key": "month_entry",
            "label": "monthly entry (reporter)",
            "url": prep["month_entry"]["url"],
            "session": reporter,
            "kind": "entry",
        }
    )
    if syn["bulletin"]:
        pages.append(
            {
                "key": "bulletin",
                "label": "bulletin",
                "url": syn["bulletin"],
                "session": viewer,
                "kind": "bulletin",
            }
        )
    else:
        skipped.append(
            "bulletin: the reports app has no URL yet (no `reports:bulletin`; "
            "set BENCH_BULLETIN_URL to measure one)"
        )
    query_pages = [
        {"key": p["key"], "url": p["url"], "session": p["session"]} for p in pages if p["key"] != "baseline"
    ]
    pairs = [("overview", "overview_seed", "overview")]
    for key, label in (
        ("keytask", "key task"),
        ("target", "target"),
        ("targets_filtered", "all targets, filtered"),
        ("projects", "project list"),
        ("bulletin", "bulletin"),
    ):
        if seed.get(key) and syn.get(key):
            query_pages.append({"key": f"{key}_seed", "url": seed[key], "session": viewer})
            pairs.append((label, f"{key}_seed", key))
    return pages, query_pages, pairs, skipped


def cold_pages(prep: dict) -> list[dict]:
    """Every progress page of the seed and the synthetic plan, for the cold budgets (no profile)."""
    viewer = prep["sessions"]["viewer"]
    return [
        {"key": f"{plan}:{key}", "url": prep[plan][key], "session": viewer, "profile": False}
        for plan in ("seed", "synthetic")
        for key, _label in PROGRESS_PAGES
        if prep[plan].get(key)
    ]


def growth_pages(prep: dict) -> list[dict]:
    """Every progress page of the plans of 40, 400 and 4,000 targets (one warm-up, fewer repeats).

    Page by page, the sizes one after the other: the 40- and 400-target requests of a page that
    are compared run seconds apart, so a slow stretch of a shared machine falls on both sides of
    a ratio rather than on one size's whole series."""
    viewer = prep["sessions"]["viewer"]
    return [
        {
            "key": f"{n}:{key}",
            "url": prep["growth"][n]["pages"][key],
            "session": viewer,
            "warm": GROWTH_WARM[n],
            "repeat": GROWTH_REPEAT[n],
            "profile": False,
        }
        for key, _label in PROGRESS_PAGES
        for n in GROWTH_SIZES
        if n in prep["growth"] and prep["growth"][n]["pages"].get(key)
    ]


def measure_queries(pages: list[dict], env: dict, tmp: Path, name: str, timeout: int) -> dict:
    pages_file = tmp / f"{name}.json"
    pages_file.write_text(json.dumps(pages), encoding="utf-8")
    return last_json_line(
        run([PY, "-m", "bench.queries", str(pages_file)], env | {"PAGE_CACHE_SECONDS": "0"}, timeout, True)
    )


def rss_4000(env: dict, tmp: Path, prep: dict) -> dict:
    """Peak RSS of one worker (page cache off) serving every page of the 4,000-target plan once."""
    if "4000" not in prep["growth"]:
        return {"error": "no plan of 4,000 targets"}
    server = Server(env | {"PAGE_CACHE_SECONDS": "0"}, WORKER_CLASS, tmp, workers=1, name="rss")
    try:
        server.start()
        start_kib = max(server.workers_peak_rss_kib() or [0])
        viewer = cookie_headers(prep["sessions"]["viewer"])
        pages = []
        for key, label in PROGRESS_PAGES:
            url = prep["growth"]["4000"]["pages"].get(key)
            if not url:
                continue
            started = time.monotonic()
            status, _head, body, _ = http_get(server.port, url, viewer)
            pages.append(
                {
                    "label": label,
                    "status": status,
                    "ms": round((time.monotonic() - started) * 1000),
                    "bytes": len(body),
                    "peak_kib": max(server.workers_peak_rss_kib() or [0]),
                }
            )
            log(
                f"  4,000 targets: {label:<20} HTTP {status} {pages[-1]['ms']} ms, "
                f"peak {pages[-1]['peak_kib'] // 1024} MiB"
            )
        return {"start_kib": start_kib, "peak_kib": max(p["peak_kib"] for p in pages), "pages": pages}
    finally:
        server.stop()


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _on_signal)
    started_wall = dt.datetime.now().astimezone()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="zhongyuan-bench-"))
    servers: list[Server] = []
    ok = False
    try:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from bench import writers

        ensure_wrk()
        log_load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        pg_version = ensure_database()
        env = production_env()
        manage = [PY, "manage.py"]
        log("migrate, seed data, scale data (only missing plans are generated)")
        run([*manage, "migrate", "--noinput", "-v", "0"], env, timeout=600)
        run([*manage, "load_seed"], env, timeout=300)
        run([*manage, "generate_scale_data"], env, timeout=900)
        run([*manage, "generate_scale_data", "--plan-targets", *GROWTH_SIZES], env, timeout=900)
        analyze_database()
        prep = last_json_line(run([PY, "-m", "bench.prepare"], env, timeout=300, capture=True))
        log(f"the load test's plan with {WRITERS} reporters of 12 rows each (bench.load_prepare)")
        load = last_json_line(
            run([PY, "-m", "bench.load_prepare", "prepare", str(WRITERS), "0", "12"], env, 300, capture=True)
        )
        load_file = tmp / "load.json"
        load_file.write_text(json.dumps(load), encoding="utf-8")
        log("collectstatic (production settings)")
        run([*manage, "collectstatic", "--noinput", "-v", "0"], env, timeout=600)
        log("the write path in-process: the monthly page's GET, a 12-row draft and a 12-row submit")
        writes = last_json_line(
            run([PY, "-m", "bench.writes", str(load_file)], env | {"PAGE_CACHE_SECONDS": "0"}, 300, True)
        )
        writes["plan"] = load["plan"]["name"]
        pages, query_pages, pairs, skipped = build_pages(prep)
        for note in skipped:
            log(f"skipping {note}")

        def baseline_in_process() -> dict:
            log("the baseline in-process (bench.fortunes_site, a process of its own)")
            return last_json_line(run([PY, "-m", "bench.fortunes_site", "20"], env, 120, capture=True))

        # The baseline before, between and after the pages: other work on the machine comes and goes.
        baseline_runs = [baseline_in_process()]
        log("SQL queries per request (test client, page cache off: the full rendering of each page)")
        queries = measure_queries(query_pages, env, tmp, "pages", 600)
        log("cold render of every progress page, seed and synthetic plan")
        cold = measure_queries(cold_pages(prep), env, tmp, "cold", 600)
        baseline_runs.append(baseline_in_process())
        log("growth: every progress page of the plans of 40, 400 and 4,000 targets")
        growth = measure_queries(growth_pages(prep), env, tmp, "growth", 900)
        baseline_runs.append(baseline_in_process())
        baseline_cold = sorted(baseline_runs, key=lambda r: r["total_ms"])[1] | {
            "runs_ms": [r["total_ms"] for r in baseline_runs]
        }
        queries["baseline"] = baseline_cold

        idle_busy = wait_for_quiet()
        fortunes = Server(
            env, WORKER_CLASS, tmp, app=FORTUNES_SITE_APP, probe=FORTUNES_SITE_URL, name="fortunes"
        )
        servers.append(fortunes)
        fortunes.start()
        server = Server(env, WORKER_CLASS, tmp)
        servers.append(server)
        server.start()
        weight = {
            "overview, synthetic plan": page_weight(
                server.port, prep["synthetic"]["overview"], prep["sessions"]["viewer"]
            ),
            "overview, seed plan": page_weight(
                server.port, prep["seed"]["overview"], prep["sessions"]["viewer"]
            ),
        }
        log(f"load: {CONNECTIONS} connections, {WARMUP} s warm-up + {SECONDS} s per page")
        loads = {
            page["key"]: load_page(fortunes if page["kind"] == "baseline" else server, page) for page in pages
        }
        rss = server.workers_rss_kib()
        server.stop()
        fortunes.stop()

        compare = None
        if COMPARE:
            other = "gthread" if WORKER_CLASS == "sync" else "sync"
            cmp_pages = [
                p for p in pages if p["key"] in {"baseline", "overview", "target", "targets_filtered"}
            ]
            log(f"worker class comparison: the same pages under {other}")
            second_fortunes = Server(
                env, other, tmp, app=FORTUNES_SITE_APP, probe=FORTUNES_SITE_URL, name="fortunes"
            )
            servers.append(second_fortunes)
            second_fortunes.start()
            second = Server(env, other, tmp)
            servers.append(second)
            second.start()
            cmp_loads = {
                page["key"]: load_page(second_fortunes if page["kind"] == "baseline" else second, page)
                for page in cmp_pages
            }
            compare = {
                "worker_class": other,
                "pages": cmp_pages,
                "loads": cmp_loads,
                "rss": second.workers_rss_kib(),
            }
            second.stop()
            second_fortunes.stop()

        log("memory: one worker serving every page of the 4,000-target plan")
        rss_big = rss_4000(env, tmp, prep)

        writers_workers = WRITERS + writers.READERS
        log(
            f"reads while reporters write: {WRITERS} reporters, {writers.READERS} readers, "
            f"{writers_workers} workers"
        )
        writer_server = Server(env, "sync", tmp, workers=writers_workers, name="writers")
        servers.append(writer_server)
        writer_server.start()
        try:
            writers_result = writers.measure(
                writer_server.port, load, prep["sessions"]["viewer"], PG, DB_NAME, groups=(2, WRITERS)
            )
        finally:
            writer_server.stop()
        log(f"  {json.dumps({k: v for k, v in writers_result.items() if k != 'errors'})}")

        ctx = {
            "started": started_wall.strftime("%Y-%m-%d %H:%M %Z"),
            "elapsed_s": time.monotonic() - started,
            "machine": machine(pg_version),
            "load_before": log_load_before,
            "idle_busy": idle_busy,
            "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "prep": {k: v for k, v in prep.items() if k != "sessions"},
            "pages": pages,
            "loads": loads,
            "queries": queries,
            "baseline_cold": baseline_cold,
            "cold": cold,
            "growth": growth,
            "writes": writes,
            "rss_4000": rss_big,
            "writers": writers_result,
            "writers_workers": writers_workers,
            "pairs": pairs,
            "weight": weight,
            "rss": rss,
            "compare": compare,
            "skipped": skipped,
        }
        ctx["budgets"] = evaluate(pages, loads, queries, weight, rss, pairs) + cold_budget_checks(ctx)
        write_results(ctx)
        # Without the sessions: they log in to the benchmark's database.
        public = ctx | {"pages": [{k: v for k, v in p.items() if k != "session"} for p in pages]}
        if compare:
            public["compare"] = compare | {
                "pages": [{k: v for k, v in p.items() if k != "session"} for p in compare["pages"]]
            }
        (BENCH / "results.json").write_text(
            json.dumps(public, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        print()
        print(text_table(LOAD_HEADER, load_rows(pages, loads, queries)))
        print()
        print(text_table(["budget", "measured", "result"], [list(r) for r in ctx["budgets"]]))
        failed = [r for r in ctx["budgets"] if r[2] in ("FAIL", "OVER")]
        print(f"\n{len(failed)} of {len(ctx['budgets'])} budget checks fail; details in bench/RESULTS.md")
        ok = True
        return 0
    except (Interrupted, KeyboardInterrupt) as exc:
        log(f"interrupted ({exc}); cleaning up")
        return 130
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        log(f"failed: {exc}")
        for server in servers:
            tail = server.log_tail()
            if tail:
                log(f"gunicorn log ({server.worker_class}):\n{tail}")
        return 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)  # let the clean-up finish (it is bounded by timeouts)
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        if not ok:
            log("no results written")


if __name__ == "__main__":
    sys.exit(main())
