"""Pages fast without the page cache: short filter lists, paged tables, cheap cells, gzip, defer."""

import datetime as dt
import gzip
import re

import pytest
from django.urls import reverse

from targets import tables as target_tables
from targets.models import Figure

from .factories import make_figure, make_plan, make_target, make_task, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def unit_choices(response) -> list[str]:
    field = response.context["filter"].form.fields["unit"]
    return [str(unit) for unit in field.queryset]


def test_the_unit_filter_offers_only_the_plans_own_units(viewer_client, plan, task):
    own = make_unit("区教育局")
    make_unit("没有目标的局")
    other_plan = make_plan(district="别的区")
    foreign = make_unit("别区住建局")
    make_target(task, "1-01", units=[own])
    make_target(make_task(other_plan, 1), "1-01", units=[foreign])
    url = reverse("targets:target-list", args=[plan.pk])
    response = viewer_client.get(url)
    assert unit_choices(response) == ["区教育局"]
    task_page = viewer_client.get(reverse("targets:keytask-detail", args=[task.pk]))
    assert unit_choices(task_page) == ["区教育局"]
    # A unit of another plan is not a choice: a clear 400, not an empty list.
    assert viewer_client.get(url, {"unit": foreign.pk}).status_code == 400


def test_long_target_lists_page_fifty_rows_with_page_links(viewer_client, plan, task):
    for i in range(1, 61):
        make_target(task, f"1-{i:02d}")
    url = reverse("targets:target-list", args=[plan.pk])
    first = viewer_client.get(url)
    codes = [row.record.target.code for row in first.context["table"].page.object_list]
    assert codes == [f"1-{i:02d}" for i in range(1, 51)]
    html = first.content.decode()
    assert "60 项目标" in html  # the count is of every row, not of the page
    assert 'href="?page=2"' in html
    second = viewer_client.get(url, {"page": 2})
    assert [row.record.target.code for row in second.context["table"].page.object_list] == [
        f"1-{i:02d}" for i in range(51, 61)
    ]
    # A page number out of range shows the last page rather than an error.
    assert viewer_client.get(url, {"page": 99}).context["table"].page.number == 2


def test_a_cells_render_signature_is_worked_out_once_per_method(viewer_client, plan, task, monkeypatch):
    for i in range(1, 6):
        target = make_target(task, f"1-{i:02d}", units=[make_unit(f"单位{i}")])
        make_figure(target, dt.date(2020, 6, 1), 10 * i, status=Figure.Status.APPROVED)
    calls = []
    uncached = target_tables._uncached_signature

    def counting(fn):
        calls.append(getattr(fn, "__func__", fn).__qualname__)
        return uncached(fn)

    monkeypatch.setattr(target_tables, "_uncached_signature", counting)
    monkeypatch.setattr(target_tables, "_signatures", {})
    url = reverse("targets:target-list", args=[plan.pk]) + "?as_of=2020-06"
    assert viewer_client.get(url).status_code == 200
    first = sorted(calls)
    # One per render method of the table (5 rows x 11 columns of cells), not one per cell.
    assert first == sorted(set(first))
    assert "TargetTable.render_name" in first and len(first) <= 11
    calls.clear()
    assert viewer_client.get(url).status_code == 200
    assert calls == []


def test_pages_are_sent_compressed(viewer_client, plan, task):
    make_target(task, "1-01")
    url = reverse("targets:target-list", args=[plan.pk])
    response = viewer_client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "目标1-01" in html
    plain = viewer_client.get(url)
    assert not plain.has_header("Content-Encoding")
    assert len(response.content) < len(plain.content) / 3


def test_scripts_do_not_block_the_first_paint(viewer_client, plan, task):
    target = make_target(task, "1-01")
    make_figure(target, dt.date(2020, 6, 1), 10, status=Figure.Status.APPROVED)
    for url in (
        reverse("targets:plan-detail", args=[plan.pk]),
        reverse("targets:target-detail", args=[target.pk]),
    ):
        html = viewer_client.get(url).content.decode()
        scripts = re.findall(r"<script src=\"([^\"]+)\"([^>]*)>", html)
        names = [src.rsplit("/", 1)[-1] for src, _attrs in scripts]
        assert "plotly.min.js" in names and "charts.js" in names
        assert all("defer" in attrs for _src, attrs in scripts), scripts
        # Deferred scripts run in document order: plotly before charts.js, which draws the charts.
        assert names.index("plotly.min.js") < names.index("charts.js")


def test_the_project_list_offers_only_the_plans_units_areas_and_officials(viewer_client, plan):
    from projects.tests.factories import make_group, make_project

    own, foreign = make_unit("区住建局"), make_unit("别区住建局")
    make_unit("没有项目的局")
    other = make_plan(district="别的区")
    group = make_group(plan)
    for i in range(1, 56):
        make_project(
            plan, f"项目{i:02d}", groups=[group], responsible_unit=own, area="北片区", lead_official="张三"
        )
    make_project(other, "别区项目", responsible_unit=foreign, area="南片区", lead_official="李四")
    url = reverse("projects:project-list", args=[plan.pk])
    response = viewer_client.get(url)
    fields = response.context["filter"].form.fields
    assert [str(u) for u in fields["unit"].queryset] == ["区住建局"]
    assert [value for value, _label in fields["area"].choices if value] == ["北片区"]
    assert [value for value, _label in fields["lead_official"].choices if value] == ["张三"]
    assert viewer_client.get(url, {"unit": foreign.pk}).status_code == 400
    # 50 projects a page, with a link to the rest.
    assert len(response.context["table"].page.object_list) == 50
    assert 'href="?page=2"' in response.content.decode()


def test_the_default_date_is_the_end_of_the_latest_month_with_an_approved_figure(plan, task):
    from targets.progress import latest_reported_month_end

    assert latest_reported_month_end(plan) is None
    first, second = make_target(task, "1-01"), make_target(task, "1-02")
    make_figure(first, dt.date(2020, 3, 1), 1)
    make_figure(first, dt.date(2020, 5, 1), 2)
    make_figure(second, dt.date(2020, 4, 1), 3)
    # Not approved: they do not move the date.
    make_figure(second, dt.date(2020, 7, 1), 4, status=Figure.Status.SUBMITTED)
    make_figure(first, dt.date(2020, 8, 1), 5, status=Figure.Status.DRAFT)
    # Another plan's later figure neither.
    other = make_target(make_task(make_plan(district="乙区"), 1, title="其他"), "1-01")
    make_figure(other, dt.date(2020, 10, 1), 6)
    assert latest_reported_month_end(plan) == dt.date(2020, 5, 31)
    make_figure(second, dt.date(2020, 6, 1), 7)
    assert latest_reported_month_end(plan) == dt.date(2020, 6, 30)


@pytest.mark.parametrize("sliced", [False, True])
def test_a_plans_units_and_planned_nodes_come_whole_and_each_unit_once(plan, task, sliced):
    """`for_dashboard` builds each unit once, with all its fields, shared by its targets' lists in
    name order; planned nodes come in month order. The same for a whole list (its units selected
    by the targets' own query) and a page of it (by the ids of its targets)."""
    from targets.models import PlannedValue, Target

    roads, schools = make_unit("区住建局"), make_unit("区教育局")
    roads.source_text = "原文:区住建局"
    roads.save()
    first = make_target(task, "1-01", units=[schools, roads])
    make_target(task, "1-02", units=[roads])
    make_target(task, "1-03")
    PlannedValue.objects.create(target=first, month=dt.date(2020, 9, 1), value=60)
    PlannedValue.objects.create(target=first, month=dt.date(2020, 6, 1), value=30)
    fetch = Target.objects.for_plan(plan).order_by("code").for_dashboard(dt.date(2020, 6, 30))
    targets = {t.code: t for t in (fetch[:10] if sliced else fetch)}
    assert len(targets) == 3
    assert [u.name for u in targets["1-01"].unit_list()] == ["区住建局", "区教育局"]
    assert [u.name for u in targets["1-02"].unit_list()] == ["区住建局"]
    assert targets["1-03"].unit_list() == []
    assert targets["1-01"].unit_list()[0] is targets["1-02"].unit_list()[0]
    unit = targets["1-02"].unit_list()[0]
    assert (unit.pk, unit.kind, unit.district, unit.source_text) == (
        roads.pk,
        roads.kind,
        roads.district,
        "原文:区住建局",
    )
    assert unit.get_deferred_fields() == set()
    assert [(p.month, p.value) for p in targets["1-01"].planned_points()] == [
        (dt.date(2020, 6, 1), 30),
        (dt.date(2020, 9, 1), 60),
    ]
    assert targets["1-02"].planned_points() == []
