"""The benchmark's machinery: out of production, its baseline site, its synthetic data."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, modify_settings, override_settings
from django.urls import Resolver404, resolve

from bench.management.commands.generate_scale_data import Command as GenerateScaleData

ROOT = Path(__file__).resolve().parent.parent


def test_production_does_not_know_the_bench_app():
    assert "bench" not in settings.INSTALLED_APPS
    assert not any(app.startswith("bench.") for app in settings.INSTALLED_APPS)
    assert settings.ROOT_URLCONF == "zhongyuan.urls"
    with pytest.raises(Resolver404):
        resolve("/bench/fortunes/")


@pytest.mark.django_db
def test_production_answers_404_for_the_benchmarks_page():
    assert Client().get("/bench/fortunes/").status_code == 404


def test_bench_settings_are_production_settings_plus_the_bench_app():
    import bench.settings as bench_settings
    import zhongyuan.settings as production

    assert [*production.INSTALLED_APPS, "bench"] == bench_settings.INSTALLED_APPS
    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.MIDDLEWARE == production.MIDDLEWARE
    assert bench_settings.DATABASES == production.DATABASES


@pytest.mark.django_db
@modify_settings(INSTALLED_APPS={"append": "bench"})
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bench_settings_serve_the_fortunes_page_through_the_products_stack():
    from targets.models import Unit

    Unit.objects.all().delete()
    units = [Unit.objects.create(name=f"单位{n:02d}") for n in (13, 5, 9, 1, 12, 2, 11, 3, 10, 4, 8, 7, 6)]
    first_twelve = sorted(units[:12], key=lambda u: u.name)
    response = Client().get("/bench/fortunes/")
    assert response.status_code == 200
    rows = [f"<tr><td>{u.pk}</td><td>{u.name}</td></tr>" for u in first_twelve]
    body = response.content.decode()
    assert [line for line in body.splitlines() if line.startswith("<tr><td>")] == rows
    assert "单位06" not in body  # the 13th by id
    assert Client().post("/bench/fortunes/").status_code == 405
    # The rest of the site is still there under the benchmark's URLs.
    assert resolve("/plans/").url_name == "plan-list"


def _fortunes_site(database: Path, *args: str) -> str:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_one_file_fortunes_site_reads_twelve_rows_in_one_query_and_renders_a_table(tmp_path):
    database = tmp_path / "fortunes.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE targets_unit (id integer PRIMARY KEY, name varchar(100))")
        db.executemany(
            "INSERT INTO targets_unit VALUES (?, ?)",
            [
                (n, name)
                for n, name in enumerate(["区统计局", "<b>区财政局</b>", *"丙乙甲丁戊己庚辛壬癸", "末位"], 1)
            ],
        )
    out = _fortunes_site(
        database,
        "-c",
        "import json, bench.fortunes_site as site\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "r = Client().get('/fortunes/')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.content.decode(),\n"
        "  'cookies': list(r.cookies), 'post': Client().post('/fortunes/').status_code,\n"
        "  'middleware': settings.MIDDLEWARE, 'apps': settings.INSTALLED_APPS}))\n",
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert (got["status"], got["post"], got["cookies"]) == (200, 405, [])
    assert (got["middleware"], got["apps"]) == ([], [])
    rows = [line for line in got["body"].splitlines() if line.startswith("<tr><td>")]
    names = ["区统计局", "<b>区财政局</b>", *"丙乙甲丁戊己庚辛壬癸"]
    expected = sorted(((n, name) for n, name in enumerate(names, 1)), key=lambda row: row[1])
    escaped = [(n, name.replace("<", "&lt;").replace(">", "&gt;")) for n, name in expected]
    assert rows == [f"<tr><td>{n}</td><td>{name}</td></tr>" for n, name in escaped]
    assert "末位" not in got["body"]  # the 13th row by id

    measured = json.loads(_fortunes_site(database, "-m", "bench.fortunes_site", "2").strip().splitlines()[-1])
    assert (measured["status"], measured["queries"], measured["rows"]) == (200, 1, 12)
    assert measured["total_ms"] > 0


@pytest.mark.django_db
def test_generate_scale_data_builds_one_plan_per_size_in_proportion_and_always_the_same(capsys):
    from projects.models import Project, ProjectGroup
    from targets.models import Figure, Plan, Target, Unit

    def snapshot():
        plan = Plan.objects.get(district="合成区规模20")
        return (
            list(
                Target.objects.filter(key_task__plan=plan)
                .order_by("sort_order")
                .values_list("code", "kind", "goal")
            ),
            list(
                Figure.objects.filter(target__key_task__plan=plan)
                .order_by("target__sort_order", "month")
                .values_list("value", "reached")
            ),
            list(
                Project.objects.filter(plan=plan)
                .order_by("name")
                .values_list("name", "stage", "responsible_unit__name")
            ),
        )

    call_command(GenerateScaleData(), plan_targets=[20, 60], units=4)
    assert capsys.readouterr().out.strip() == "synthetic plans: 2 created, 2 in all"
    counts = {
        plan.district: (
            plan.key_tasks.count(),
            Target.objects.filter(key_task__plan=plan).count(),
            Figure.objects.filter(target__key_task__plan=plan).count(),
            Project.objects.filter(plan=plan).count(),
            ProjectGroup.objects.filter(plan=plan).count(),
            Unit.objects.filter(name__startswith=plan.district).count(),
        )
        for plan in Plan.objects.all()
    }
    assert counts == {
        "合成区规模20": (8, 20, 240, 100, 4, 10),
        "合成区规模60": (8, 60, 720, 300, 4, 30),
    }
    assert all("合成数据" in title for title in Plan.objects.values_list("title", flat=True))
    first = snapshot()
    call_command(GenerateScaleData(), plan_targets=[20, 60], units=4)
    assert "0 created, 2 in all" in capsys.readouterr().out

    # Built again, alone, after everything synthetic is gone: the same rows.
    call_command(GenerateScaleData(), delete=True)
    assert Plan.objects.count() == 0
    call_command(GenerateScaleData(), plan_targets=[20], units=4)
    assert snapshot() == first
    call_command(GenerateScaleData(), delete=True)
    assert (Plan.objects.count(), Unit.objects.filter(name__startswith="合成区").count()) == (0, 0)
