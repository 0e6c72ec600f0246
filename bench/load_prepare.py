"""`make loadtest`'s data: a dedicated synthetic plan with a unit and a reporter per client, and the
check of the database afterwards.

    python -m bench.load_prepare prepare CLIENTS CONFLICT_PAIRS TARGETS_PER_UNIT   (one JSON line)
    python -m bench.load_prepare verify EXPECTED.json                              (one JSON line)

Both run with the benchmark's DATABASE_URL and settings (`bench.settings`; bench/load.py passes them).

`prepare` deletes the load test's plan (district 合成区压力测试, year 2019, so every month is closed)
and its units, and creates them again: per ordinary client a unit 合成区压力测试单位NN with
TARGETS_PER_UNIT targets of its own (cumulative and level, alternately) and a reporter
`load-reporter-NN` (no usable password) who is its only member; per conflict pair a unit with one
target and two reporters. Every reporter gets a fresh logged-in session. The plan's district starts
with 合成区 like those of `generate_scale_data` (whose `--delete` removes it too) and sorts after
them, so the plan `bench.prepare` picks from the middle of the synthetic plans does not change.

`verify` compares what the load test was told was saved with the stored figures of that plan.
"""

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

from bench.django_env import setup

DISTRICT = "合成区压力测试"
UNIT_PREFIX = "合成区压力测试单位"
USER_PREFIX = "load-reporter-"
YEAR = 2019
KEY_TASKS = 4
CONFLICT_MONTH = 6


def target_step(client: int, index: int) -> int:
    """Monthly step of a client's target: its figure for month m is step × m plus under 1 (cents)."""
    return 10 + (client * 37 + index * 11) % 90


def prepare(clients: int, pairs: int, per_unit: int) -> dict:
    setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.urls import reverse

    from bench.prepare import session_for
    from entry.roles import REPORTER, assign_role
    from targets.models import DataVersion, DistrictMembership, KeyTask, Plan, Target, Unit

    def reporter(username: str):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.clear()
        assign_role(user, REPORTER)
        # A reporter sees only the plans of its districts (targets.access.visible_plans).
        DistrictMembership.objects.get_or_create(user=user, district=DISTRICT)
        return user

    regular = clients - 2 * pairs
    with transaction.atomic():
        deleted, _ = Plan.objects.filter(district=DISTRICT).delete()
        Unit.objects.filter(name__startswith=UNIT_PREFIX).delete()
        plan = Plan.objects.create(
            district=DISTRICT,
            city="合成市",
            year=YEAR,
            title=f"{YEAR}年压力测试(合成数据,仅供压力测试,每次运行重建)",
            period_start=dt.date(YEAR, 1, 1),
            period_end=dt.date(YEAR, 12, 31),
            source="bench/load_prepare.py",
        )
        tasks = [
            KeyTask.objects.create(plan=plan, number=n, title=f"压力测试重点工作{n}", headline="合成数据")
            for n in range(1, KEY_TASKS + 1)
        ]

        def target(code: str, name: str, kind: str, goal: int, number: int):
            return Target.objects.create(
                key_task=tasks[number % KEY_TASKS],
                code=code,
                name=name,
                kind=kind,
                direction="gte",
                goal=Decimal(goal),
                baseline=Decimal(0),
                unit_of_measure="个",
                start=dt.date(YEAR, 1, 1),
                deadline=dt.date(YEAR, 12, 28),
                source_text="合成数据(压力测试)",
                sort_order=number,
            )

        out_clients = []
        for c in range(regular):
            unit = Unit.objects.create(name=f"{UNIT_PREFIX}{c + 1:02d}")
            user = reporter(f"{USER_PREFIX}{c + 1:02d}")
            unit.members.set([user])
            targets = []
            for j in range(per_unit):
                step = target_step(c, j)
                kind = "cumulative" if j % 2 == 0 else "level"
                t = target(
                    f"L{c + 1:02d}-{j + 1:02d}", f"压力测试目标{c + 1:02d}-{j + 1:02d}", kind, step * 13, c
                )
                t.responsible_units.set([unit])
                targets.append({"id": t.pk, "code": t.code, "step": step})
            out_clients.append(
                {"user": user.username, "unit": unit.pk, "session": session_for(user), "targets": targets}
            )
        out_pairs = []
        for p in range(pairs):
            unit = Unit.objects.create(name=f"{UNIT_PREFIX}C{p + 1}")
            users = [reporter(f"{USER_PREFIX}c{p + 1}{side}") for side in "ab"]
            unit.members.set(users)
            t = target(f"C{p + 1}", f"压力测试同时修改{p + 1}", "level", 1000, p)
            t.responsible_units.set([unit])
            out_pairs.append(
                {
                    "unit": unit.pk,
                    "target": t.pk,
                    "month": f"{YEAR}-{CONFLICT_MONTH:02d}",
                    "users": [u.username for u in users],
                    "sessions": [session_for(u) for u in users],
                }
            )
    DataVersion.bump()
    return {
        "plan": {"id": plan.pk, "name": str(plan), "year": YEAR, "deleted_rows_before": deleted},
        "entry_url": reverse("admin:targets_figure_month"),
        "overview": reverse("targets:plan-detail", args=[plan.pk]),
        "clients": out_clients,
        "pairs": out_pairs,
    }


def verify(path: str) -> dict:
    """Check the stored figures of the load test's plan against what was acknowledged.

    EXPECTED.json: {"figures": [{"target", "month" (YYYY-MM-DD), "value", "status", "user",
    "version"}, …]}: one entry per (target, month), its last acknowledged state.
    """
    setup()
    from django.db.models import Count

    from targets.models import Figure, FigureEvent

    expected = json.loads(Path(path).read_text(encoding="utf-8"))["figures"]
    figures = Figure.objects.filter(
        target__key_task__plan__district=DISTRICT, target__key_task__plan__year=YEAR
    )
    stored = {(f.target_id, f.month.isoformat()): f for f in figures.select_related("updated_by")}
    events = dict(
        FigureEvent.objects.filter(figure__in=figures, action=FigureEvent.Action.SUBMITTED)
        .values_list("figure_id")
        .annotate(n=Count("id"))
    )
    duplicates = list(
        figures.values("target_id", "month")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("target_id", "month", "n")
    )
    missing, mismatched, verified = [], [], 0
    for e in expected:
        key = (e["target"], e["month"])
        figure = stored.get(key)
        if figure is None:
            missing.append(e)
            continue
        who = figure.updated_by.get_username() if figure.updated_by else None
        problems = []
        if figure.value != Decimal(e["value"]):
            problems.append(f"value {figure.value} instead of {e['value']}")
        if figure.status != e["status"]:
            problems.append(f"status {figure.status} instead of {e['status']}")
        if who != e["user"]:
            problems.append(f"updated by {who} instead of {e['user']}")
        if figure.version != e["version"]:
            problems.append(f"version {figure.version} instead of {e['version']}")
        wanted_events = 1 if e["status"] == Figure.Status.SUBMITTED else 0
        if events.get(figure.pk, 0) != wanted_events:
            problems.append(f"{events.get(figure.pk, 0)} submission events instead of {wanted_events}")
        if problems:
            mismatched.append({**e, "problems": problems})
        else:
            verified += 1
    keys = {(e["target"], e["month"]) for e in expected}
    unexpected = [
        {"target": t, "month": m, "value": str(f.value), "status": f.status}
        for (t, m), f in stored.items()
        if (t, m) not in keys
    ]
    return {
        "expected": len(expected),
        "verified": verified,
        "stored": len(stored),
        "missing": len(missing),
        "mismatched": len(mismatched),
        "duplicates": len(duplicates),
        "unexpected": len(unexpected),
        "examples": {
            "missing": missing[:5],
            "mismatched": mismatched[:5],
            "duplicates": [list(map(str, d)) for d in duplicates[:5]],
            "unexpected": unexpected[:5],
        },
    }


def main(argv: list[str]) -> None:
    if len(argv) == 4 and argv[0] == "prepare":
        result = prepare(*(int(x) for x in argv[1:]))
    elif len(argv) == 2 and argv[0] == "verify":
        result = verify(argv[1])
    else:
        sys.exit(__doc__)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
