"""`make loadtest`: many people at once reading pages and submitting figures; nothing may be lost.

    .venv/bin/python bench/load.py        (or `make loadtest`)

The benchmark's server (bench/run.py's helpers): PostgreSQL database `zhongyuan_bench` (created,
migrated and filled with the seed and the synthetic scale data when missing), the benchmark's
settings (`bench.settings`: production plus the bench app), gunicorn with 2 `sync` workers on a
free port of 127.0.0.1. `bench.load_prepare` then recreates a
dedicated synthetic plan (合成区压力测试, 2019, so every month is closed) with a unit, targets and a
reporter with a fresh session per client.

LOAD_CLIENTS threads (32) run for LOAD_SECONDS (60), each in a bounded loop without pauses:

- the ordinary clients view pages of the benchmark's synthetic plan (plan overview, key task,
  target, all targets, project list, bulletin) and, with probability LOAD_SUBMIT_SHARE (0.25) per
  step, submit figures of their own unit's targets through the monthly entry page as a browser
  does: GET the page (CSRF cookie and token, formset management data, base_version), fill in 1 to
  3 rows of the month, POST with `_submit` (cookie, csrfmiddlewaretoken, Origin and Referer), follow
  the 303 and check the success message. Every client has its own targets, months in order, so each
  (target, month) is submitted once, by one client;
- LOAD_CONFLICT_PAIRS pairs (2) of clients, two reporters of one unit, edit the SAME figure at the
  same moment, round after round: both GET the page, wait for each other, both POST `_save` from
  the same base_version. Exactly one must be saved (303); the other must be refused with HTTP 400
  and the message that the figure was changed (被 … 修改). A refusal there is correct, not an error.

Every acknowledged save (303 to the entry page) is recorded with its (target, month, value).
Afterwards `bench.load_prepare verify` checks in the database that each one is stored exactly
(value, status submitted — draft for the pairs' figure —, the reporter, the version, one submission
event), that no (target, month) has two rows and that nothing else was stored. Errors: any 5xx,
connection error or timeout (LOAD_REQUEST_TIMEOUT, 60 s), or status or page other than expected.

Prints a table and appends it to bench/LOAD.md. Exit status 1 when there was an error or an
acknowledged save is not stored exactly; gunicorn is stopped on every exit, also on failure or
Ctrl-C. Also honoured: BENCH_DB, BENCH_PG, BENCH_WAIT_QUIET (see bench/run.py), LOAD_TARGETS_PER_UNIT
(12), LOAD_SEED (1).
"""

import datetime as dt
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run as bench  # noqa: E402  (the benchmark's database, settings and server)


def env_number(name: str, default: str, kind=int, minimum=0):
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        sys.exit(f"loadtest: {name}={raw!r} is not a number")
    if value < minimum:
        sys.exit(f"loadtest: {name} must be at least {minimum}")
    return value


SECONDS = env_number("LOAD_SECONDS", "60", minimum=1)
CLIENTS = env_number("LOAD_CLIENTS", "32", minimum=1)
PAIRS = env_number("LOAD_CONFLICT_PAIRS", "2")
PER_UNIT = env_number("LOAD_TARGETS_PER_UNIT", "12", minimum=1)
SUBMIT_SHARE = env_number("LOAD_SUBMIT_SHARE", "0.25", kind=float)
TIMEOUT = env_number("LOAD_REQUEST_TIMEOUT", "60", kind=float, minimum=1)
SEED = env_number("LOAD_SEED", "1")
if 2 * PAIRS > CLIENTS:
    sys.exit(f"loadtest: {PAIRS} conflict pairs need {2 * PAIRS} clients, LOAD_CLIENTS is {CLIENTS}")
if SUBMIT_SHARE > 1:
    sys.exit("loadtest: LOAD_SUBMIT_SHARE is a probability (0 to 1)")

HOST = bench.HOST
LOAD_MD = bench.BENCH / "LOAD.md"
# Upper bounds of the loops (the clock ends them long before).
MAX_STEPS = SECONDS * 1000
MAX_ROUNDS = SECONDS * 100
VIEWS = [
    ("plan overview", "overview"),
    ("key task", "keytask"),
    ("target", "target"),
    ("all targets", "targets_filtered"),
    ("project list", "projects"),
    ("bulletin", "bulletin"),
]
SUBMITTED_RE = re.compile(r"已保存并报送审核 (\d+) 条数据")
DRAFT_RE = re.compile(r"已保存草稿 (\d+) 条数据")
CHANGED_RE = re.compile(r"被[^<]{0,80}?修改")
MESSAGE_RE = re.compile(r'class="(?:errornote|errorlist[^"]*)"[^>]*>\s*(?:<li>)?([^<]{1,200})')
NOTE = "压力测试(合成数据)"

STOP = threading.Event()


def log(message: str) -> None:
    print(f"loadtest: {message}", flush=True)


from bench.client import (  # noqa: E402
    CONCURRENT,
    ENTRY_GET,
    SUBMIT,
    Browser,
    EntryForm,
    Tally,
    entry_url,
    get_form,
    same_page,
)


def finished() -> bool:
    return STOP.is_set()


def regular_client(index: int, spec: dict, ctx: dict, deadline: float, tally: Tally) -> None:
    """Views pages and submits its unit's figures, month after month, 1 to 3 rows at a time."""
    rng = random.Random(SEED * 1000 + index)
    browser = Browser(ctx["port"], spec["session"], tally)
    year = ctx["year"]
    chunks = []
    for month in range(1, 13):
        targets = list(spec["targets"])
        rng.shuffle(targets)
        while targets:
            n = rng.randint(1, 3)
            chunks.append((month, targets[:n]))
            targets = targets[n:]
    form, form_month = None, None
    for _ in range(MAX_STEPS):
        if time.monotonic() >= deadline or finished():
            return
        if not (chunks and rng.random() < SUBMIT_SHARE):
            kind, path = rng.choice(ctx["views"])
            browser.view(kind, path)
            continue
        month, targets = chunks.pop(0)
        page = entry_url(ctx, spec["unit"], f"{year}-{month:02d}")
        if form_month != month:
            form, form_month = get_form(browser, page), month
            if form is None:
                form_month = None
                continue
        # Cumulative and level figures grow by the target's step each month (plus some cents), so
        # no value is below last month's or an outlier that would need an explanation.
        values = {t["id"]: f"{t['step'] * month}.{rng.randint(0, 99):02d}" for t in targets}
        data = form.filled(
            {t: {"value": v, "progress_note": NOTE} for t, v in values.items()}, ("_submit", "保存并报送审核")
        )
        form, form_month = None, None
        if data is None:
            tally.error(SUBMIT, f"a row of {[t['code'] for t in targets]} is read-only or missing on {page}")
            continue
        response = browser.request(SUBMIT, page, form=data, referer=page)
        if response is None:
            continue
        if response.status not in (302, 303) or not same_page(response.location, page):
            tally.error(SUBMIT, f"HTTP {response.status} {response.location} {response.messages()}".strip())
            continue
        tally.acked_posts += 1
        for target, value in values.items():
            tally.acks.append(
                {
                    "target": target,
                    "month": f"{year}-{month:02d}-01",
                    "value": value,
                    "status": "submitted",
                    "user": spec["user"],
                    "version": 1,
                }
            )
        # The browser follows the redirect: the same page, with the success message.
        after = browser.request(ENTRY_GET, response.location)
        if after is None:
            continue
        shown = SUBMITTED_RE.search(after.text) if after.status == 200 else None
        if shown is None or int(shown[1]) != len(values):
            tally.error(
                ENTRY_GET, f"after a submission: HTTP {after.status}, no “已保存并报送审核 {len(values)} 条”"
            )
            continue
        form, form_month = EntryForm(after.text), month


class Pair:
    """Two reporters of one unit who edit the same figure at the same moment, round after round."""

    def __init__(self, spec: dict, deadline: float):
        self.spec = spec
        self.deadline = deadline
        self.stop = False
        self.barrier = threading.Barrier(2, action=self._decide, timeout=2 * TIMEOUT + 30)
        self.rounds: dict[int, dict[int, tuple[str, str | None]]] = defaultdict(dict)

    def _decide(self) -> None:
        # Runs once per round start, when both are there: both see the same decision.
        self.stop = time.monotonic() >= self.deadline or finished()


def pair_client(pair: Pair, member: int, ctx: dict, tally: Tally) -> None:
    rng = random.Random(SEED * 1000 + 900 + member)
    spec = pair.spec
    user = spec["users"][member]
    browser = Browser(ctx["port"], spec["sessions"][member], tally)
    page = entry_url(ctx, spec["unit"], spec["month"])
    try:
        for number in range(MAX_ROUNDS):
            pair.barrier.wait()
            if pair.stop:
                return
            form = get_form(browser, page)
            pair.barrier.wait()  # both have the page, with the same base_version: now both save
            outcome, value = "error", None
            if form is not None:
                value = f"{100 + number}.{25 + 50 * member}"
                note = f"压力测试同时修改,第 {number + 1} 轮,{user}"
                data = form.filled(
                    {spec["target"]: {"value": value, "progress_note": note}}, ("_save", "保存草稿")
                )
                response = None
                if data is None:
                    tally.error(CONCURRENT, f"the row is read-only or missing on {page}")
                else:
                    response = browser.request(CONCURRENT, page, form=data, referer=page)
                if response is None:
                    pass
                elif response.status in (302, 303) and same_page(response.location, page):
                    outcome = "won"
                    tally.acked_posts += 1
                    after = browser.request(ENTRY_GET, response.location)
                    shown = DRAFT_RE.search(after.text) if after is not None and after.status == 200 else None
                    if after is not None and (shown is None or shown[1] != "1"):
                        tally.error(ENTRY_GET, f"after a save: HTTP {after.status}, no “已保存草稿 1 条”")
                elif response.status == 400 and CHANGED_RE.search(response.text):
                    outcome = "refused"
                    tally.refused += 1
                else:
                    tally.error(
                        CONCURRENT,
                        f"HTTP {response.status} {response.location} {response.messages()}".strip(),
                    )
            pair.rounds[number][member] = (outcome, value)
            kind, path = rng.choice(ctx["views"])
            browser.view(kind, path)
    except threading.BrokenBarrierError:
        if not finished():
            tally.error(CONCURRENT, "the other client of the pair stopped")
    except Exception:
        pair.barrier.abort()
        raise


def judge_pair(pair: Pair, tally: Tally) -> dict:
    """Each round: exactly one save acknowledged and one refused. The figure: the last winner's."""
    spec = pair.spec
    rounds = good = wins = 0
    last = None
    for number in sorted(pair.rounds):
        outcomes = pair.rounds[number]
        rounds += 1
        got = sorted(o for o, _ in outcomes.values())
        winners = [(m, v) for m, (o, v) in outcomes.items() if o == "won"]
        wins += len(winners)
        if winners:
            last = winners[-1]
        if got == ["refused", "won"]:
            good += 1
        elif "error" not in got:  # an error is already counted
            tally.error(
                CONCURRENT, f"round {number + 1}: {' and '.join(got)} (one save and one refusal expected)"
            )
    expected = None
    if last is not None:
        member, value = last
        expected = {
            "target": spec["target"],
            "month": f"{spec['month']}-01",
            "value": value,
            "status": "draft",
            "user": spec["users"][member],
            "version": wins,
        }
    return {"rounds": rounds, "good": good, "wins": wins, "expected": expected}


# ---------------------------------------------------------------------------------------- report


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def kind_rows(tally: Tally, elapsed: float) -> list[list[str]]:
    order = [label for label, _ in VIEWS] + [ENTRY_GET, SUBMIT, CONCURRENT]
    rows = []
    everything = []
    for kind in order:
        times = sorted(tally.times.get(kind, []))
        if not times:
            continue
        everything += times
        rows.append(row_for(kind, times, tally.errors.get(kind, 0), elapsed))
    rows.append(row_for("all", sorted(everything), sum(tally.errors.values()), elapsed))
    return rows


def row_for(kind: str, times: list[float], errors: int, elapsed: float) -> list[str]:
    return [
        kind,
        str(len(times)),
        f"{len(times) / elapsed:.1f}",
        *(f"{percentile(times, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99)),
        f"{times[-1] * 1000:.0f}" if times else "–",
        str(errors),
    ]


HEADER = ["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]


def report(
    ctx: dict, tally: Tally, pairs: list[dict], check: dict, elapsed: float, cpu: dict
) -> tuple[str, bool]:
    errors = sum(tally.errors.values())
    acked = check["expected"]
    regular_acks = [a for a in tally.acks if a["status"] == "submitted"]
    rounds = sum(p["rounds"] for p in pairs)
    good_rounds = sum(p["good"] for p in pairs)
    db_ok = check["verified"] == check["expected"] and not (
        check["missing"] or check["mismatched"] or check["duplicates"] or check["unexpected"]
    )
    ok = errors == 0 and db_ok
    regular = CLIENTS - 2 * PAIRS
    lines = [
        f"## {ctx['started']}: {'PASS' if ok else 'FAIL'}",
        "",
        f"`make loadtest` (bench/load.py): {CLIENTS} clients for {SECONDS} s (measured {elapsed:.1f} s): "
        f"{regular} reporters viewing pages and submitting their own unit's figures (submission share "
        f"{SUBMIT_SHARE}), {PAIRS} pairs of reporters editing the same figure at the same moment. "
        f"gunicorn {bench.WORKERS} `sync` workers, production settings "
        + (f"with Redis ({bench.REDIS})" if bench.use_redis() else "without Redis")
        + f", on {HOST}; "
        f"PostgreSQL `{bench.DB_NAME}`; "
        f"pages of {ctx['bench_plan']}; figures into {ctx['plan']['name']} (id {ctx['plan']['id']}). "
        f"{ctx['machine']}; load average before / after: {ctx['load_before']} / {ctx['load_after']}; "
        f"other work just before the load: {ctx['idle_busy']}% of one CPU.",
        "",
        bench.markdown_table(HEADER, kind_rows(tally, elapsed)),
        "",
        f"- errors (5xx, connection errors, timeouts, unexpected status or page): **{errors}**",
        f"- acknowledged submissions: **{len(regular_acks)}** figures (target, month) in "
        f"{tally.acked_posts - sum(p['wins'] for p in pairs)} submissions (303), each a distinct "
        f"(target, month)",
        f"- concurrent edits of one figure: {rounds} rounds, {good_rounds} with exactly one save and "
        f"one refusal; **{tally.refused}** refused with HTTP 400 and “被 … 修改” "
        f"({sum(p['wins'] for p in pairs)} saves acknowledged)",
        f"- in the database: **{check['verified']} of {acked}** acknowledged figures stored exactly (value, "
        "status submitted — draft for the pairs' figures, whose value is the last winner's and whose version "
        f"counts the saves —, reporter, one submission event); missing {check['missing']}, different "
        f"{check['mismatched']}, (target, month) with more than one row {check['duplicates']}, stored "
        f"without acknowledgement {check['unexpected']}",
        f"- CPU during the load, in % of one CPU: machine {cpu['machine']}, gunicorn workers "
        f"{cpu['workers']}, PostgreSQL {cpu['postgres']}, load clients {cpu['clients']}, "
        f"other {cpu['other']}",
    ]
    if tally.error_examples:
        lines += ["", "Errors (first 20):", ""] + [f"- {e}" for e in tally.error_examples]
    for name, examples in check["examples"].items():
        if examples:
            lines += ["", f"Database check, {name} (first 5):", ""]
            lines += [f"- `{json.dumps(e, ensure_ascii=False)}`" for e in examples]
    return "\n".join(lines) + "\n", ok


def append_load_md(text: str) -> None:
    if not LOAD_MD.exists():
        LOAD_MD.write_text(
            "# Load test results\n\nAppended by `make loadtest` (bench/load.py), newest last. Issue 7, "
            "“Load”: zero errors, and every acknowledged submission in the database.\n",
            encoding="utf-8",
        )
    with LOAD_MD.open("a", encoding="utf-8") as out:
        out.write("\n" + text)


# ---------------------------------------------------------------------------------------- main


def run_load(server: bench.Server, ctx: dict, load: dict) -> tuple[Tally, list[dict], float, dict]:
    ctx["port"] = server.port
    deadline = time.monotonic() + SECONDS
    tallies, threads, pairs = [], [], []

    def start(target, *args):
        tally = Tally()
        tallies.append(tally)
        thread = threading.Thread(target=guarded, args=(target, tally, *args), daemon=True)
        threads.append(thread)

    def guarded(target, tally, *args):
        try:
            target(*args, tally)
        except Exception as exc:  # a bug of the load test must show, not hang or vanish
            tally.error("client", f"{type(exc).__name__}: {exc}")

    for index, spec in enumerate(load["clients"]):
        start(regular_client, index, spec, ctx, deadline)
    for spec in load["pairs"]:
        pair = Pair(spec, deadline)
        pairs.append(pair)
        for member in (0, 1):
            start(pair_client, pair, member, ctx)

    hz = os.sysconf("SC_CLK_TCK")
    workers, backends = server.worker_pids(), bench.pg_backend_pids()
    own = os.times()
    machine0, workers0, pg0 = (
        bench.machine_busy_ticks(),
        bench.process_ticks(workers),
        bench.process_ticks(backends),
    )
    started = time.monotonic()
    for thread in threads:
        thread.start()
    progress = started
    # The workers' database connections are replaced now and then (CONN_MAX_AGE): look for new
    # backends every second and keep the last CPU ticks seen of each, so an ended one still counts.
    pg_seen = dict(pg0)
    while any(t.is_alive() for t in threads):
        if time.monotonic() > deadline + 3 * TIMEOUT + 60:
            STOP.set()
            log("clients still busy long after the end; giving up on them")
            break
        time.sleep(1)
        pg_seen |= bench.process_ticks(sorted(set(pg_seen) | set(bench.pg_backend_pids())))
        if time.monotonic() - progress >= 10:
            progress = time.monotonic()
            done = sum(len(t) for tally in tallies for t in tally.times.values())
            log(f"  {progress - started:3.0f} s: {done} requests")
    elapsed = time.monotonic() - started
    pg_seen |= bench.process_ticks(sorted(set(pg_seen) | set(bench.pg_backend_pids())))
    own_after = os.times()
    used = {
        "machine": bench.machine_busy_ticks() - machine0,
        "workers": bench.ticks_used(workers0, bench.process_ticks(workers)),
        "postgres": bench.ticks_used(pg0, pg_seen),
        "clients": (own_after.user + own_after.system - own.user - own.system) * hz,
    }
    cpu = {k: round(v / hz / elapsed * 100) for k, v in used.items()}
    cpu["other"] = max(0, cpu["machine"] - cpu["workers"] - cpu["postgres"] - cpu["clients"])
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    judged = [judge_pair(pair, total) for pair in pairs]
    return total, judged, elapsed, cpu


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, bench._on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="zhongyuan-loadtest-"))
    server = None
    try:
        ctx = {"started": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}
        ctx["load_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        pg_version = bench.ensure_database()
        env = bench.production_env()
        manage = [bench.PY, "manage.py"]
        log("migrate, seed data, scale data (as `make bench`; only missing plans are generated)")
        bench.run([*manage, "migrate", "--noinput", "-v", "0"], env, timeout=600)
        bench.run([*manage, "load_seed"], env, timeout=300)
        bench.run([*manage, "generate_scale_data"], env, timeout=900)
        bench.analyze_database()
        prep = bench.last_json_line(
            bench.run([bench.PY, "-m", "bench.prepare"], env, timeout=300, capture=True)
        )
        log(f"recreating the load test's plan: {CLIENTS} clients ({PAIRS} pairs), {PER_UNIT} targets each")
        load = bench.last_json_line(
            bench.run(
                [bench.PY, "-m", "bench.load_prepare", "prepare", str(CLIENTS), str(PAIRS), str(PER_UNIT)],
                env,
                timeout=300,
                capture=True,
            )
        )
        log("collectstatic (production settings)")
        bench.run([*manage, "collectstatic", "--noinput", "-v", "0"], env, timeout=600)

        views = [(label, prep["synthetic"].get(key)) for label, key in VIEWS]
        for label, path in views:
            if not path:
                log(f"not viewed: {label} (no URL for it in bench.prepare)")
        m = bench.machine(pg_version)
        ctx |= {
            "views": [(label, path) for label, path in views if path],
            "entry_url": load["entry_url"],
            "year": load["plan"]["year"],
            "plan": load["plan"],
            "bench_plan": f"{prep['synthetic_plan']['name']} (id {prep['synthetic_plan']['id']})",
            "machine": f"{m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, Django {m['django']}, "
            f"PostgreSQL {m['postgresql']}, gunicorn {m['gunicorn']}",
        }

        ctx["idle_busy"] = bench.wait_for_quiet()
        server = bench.Server(env, "sync", tmp)
        server.start()
        log(f"load: {CLIENTS} clients for {SECONDS} s on {HOST}:{server.port}")
        tally, pairs, elapsed, cpu = run_load(server, ctx, load)
        if server.proc.poll() is not None:
            tally.error("server", f"gunicorn exited with code {server.proc.returncode} during the load")
        server.stop()
        ctx["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

        expected, seen = {}, set()
        for ack in tally.acks:
            key = (ack["target"], ack["month"])
            if key in seen:
                tally.error(SUBMIT, f"(target {key[0]}, {key[1]}) acknowledged twice")
            seen.add(key)
            expected[key] = ack
        for pair in pairs:
            if pair["expected"]:
                ack = pair["expected"]
                tally.acks.append(ack)
                expected[(ack["target"], ack["month"])] = ack
        expected_file = tmp / "expected.json"
        expected_file.write_text(json.dumps({"figures": list(expected.values())}), encoding="utf-8")
        log(f"checking {len(expected)} acknowledged figures in the database")
        check = bench.last_json_line(
            bench.run(
                [bench.PY, "-m", "bench.load_prepare", "verify", str(expected_file)],
                env,
                timeout=300,
                capture=True,
            )
        )
        text, ok = report(ctx, tally, pairs, check, elapsed, cpu)
        append_load_md(text)
        print()
        print(bench.text_table(HEADER, kind_rows(tally, elapsed)))
        print()
        print("\n".join(line for line in text.splitlines() if line.startswith("- ")))
        print(f"\n{'PASS' if ok else 'FAIL'}; appended to bench/LOAD.md")
        return 0 if ok else 1
    except (bench.Interrupted, KeyboardInterrupt) as exc:
        STOP.set()
        log(f"interrupted ({exc}); cleaning up")
        return 130
    except (RuntimeError, subprocess.TimeoutExpired, OSError, KeyError) as exc:
        STOP.set()
        log(f"failed: {type(exc).__name__}: {exc}")
        if server is not None:
            tail = server.log_tail()
            if tail:
                log(f"gunicorn log:\n{tail}")
        return 1
    finally:
        STOP.set()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)  # let the clean-up finish (it is bounded by timeouts)
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
