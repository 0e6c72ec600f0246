"""Each chart's text alternative: its numbers as an HTML table next to it, and a summary label.

The table is built from the same lists as the plotly figure (common.plotting.Chart), so these
tests read the table back from the rendered page and compare it cell by cell.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from targets.models import Target

from .factories import make_figure, make_target, make_task

JUN = dt.date(2020, 6, 1)
MAR = dt.date(2020, 3, 1)


class ChartTableParser(HTMLParser):
    """Collects the chart's aria-label, the table's caption, column headings and rows."""

    def __init__(self):
        super().__init__()
        self.label = None
        self.caption = ""
        self.columns: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []
        self._in_table = False
        self._cell = None  # (tag, scope) while inside a th/td/caption
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("role") == "img" and "chart" in attrs.get("class", "").split():
            self.label = attrs.get("aria-label")
        if tag == "table" and "chart-table" in attrs.get("class", "").split():
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self._row = None
        if tag in ("th", "td", "caption"):
            self._cell, self._text = (tag, attrs.get("scope")), ""

    def handle_data(self, data):
        if self._cell is not None:
            self._text += data

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        if tag not in ("th", "td", "caption") or self._cell is None:
            return
        kind, scope = self._cell
        text = self._text.strip()
        if kind == "caption":
            self.caption = text
        elif kind == "th" and scope == "col":
            self.columns.append(text)
        elif kind == "th" and scope == "row":
            self.rows.append((text, []))
        else:
            self.rows[-1][1].append(text)
        self._cell = None


def chart_table(response) -> ChartTableParser:
    assert response.status_code == 200
    parser = ChartTableParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def lights_plan(plan):
    """At 2020-06-30, task 1: achieved and on track; task 2: behind and not reported."""
    first = make_task(plan, 1, title="优化营商环境")
    second = make_task(plan, 2, title="城市更新")
    for task, code, june in [
        (first, "1-01", 100),
        (first, "1-02", 60),
        (second, "2-01", 30),
        (second, "2-02", None),
    ]:
        target = make_target(task, code)
        if june is not None:
            make_figure(target, JUN, june)
    return plan


def test_overview_chart_table_counts_targets_by_light(viewer_client, lights_plan):
    url = reverse("targets:plan-detail", args=[lights_plan.pk])
    table = chart_table(viewer_client.get(url, {"as_of": "2020-06-30"}))
    assert table.label == "堆叠条形图:各项重点工作的量化目标按状态统计(重点工作2项,量化目标4项)。"
    assert table.caption == "各项重点工作的量化目标按状态统计(项)"
    assert table.columns == ["重点工作", "✓ 已完成", "● 正常推进", "▲ 滞后", "? 暂无数据", "合计"]
    assert table.rows == [
        ("1. 优化营商环境", ["1", "1", "0", "0", "2"]),
        ("2. 城市更新", ["0", "0", "1", "1", "2"]),
    ]


def test_overview_chart_table_in_english(viewer_client, lights_plan):
    viewer_client.cookies["django_language"] = "en"
    url = reverse("targets:plan-detail", args=[lights_plan.pk])
    response = viewer_client.get(url, {"as_of": "2020-06-30"})
    table = chart_table(response)
    assert "<summary>Chart data</summary>" in response.content.decode()
    assert (
        table.label
        == "Stacked bar chart: quantified targets of each key task by status (key tasks: 2, targets: 4)."
    )
    assert table.columns == ["Key task", "✓ Achieved", "● On track", "▲ Behind", "? No data", "Total"]
    assert table.rows == [
        ("1. 优化营商环境", ["1", "1", "0", "0", "2"]),
        ("2. 城市更新", ["0", "0", "1", "1", "2"]),
    ]


def test_target_chart_table_lists_expected_and_actual_by_date(viewer_client, task):
    target = make_target(task, "T1", kind=Target.Kind.CUMULATIVE, unit_of_measure="个")
    make_figure(target, MAR, 20)
    make_figure(target, JUN, 60)
    table = chart_table(viewer_client.get(target.get_absolute_url(), {"as_of": "2020-06-30"}))
    assert table.caption == "实际值与序时进度(单位:个)"
    assert table.columns[:3] == ["日期", "序时进度", "实际(已审核)"]
    rows = dict(table.rows)
    # Goal 100 from 0 over 2020-01-01 … 2020-12-31: the expected value is 100 × elapsed days / 365.
    assert rows["2020-01-01"][:2] == ["0", ""]
    assert rows["2020-03-31"][:2] == ["24.66", "20"]
    assert rows["2020-06-30"][:2] == ["49.59", "60"]
    assert rows["2020-12-31"][0] == "100"
    assert [day for day, _cells in table.rows] == [
        "2020-01-01",
        *(
            f"2020-{m:02d}-{d}"
            for m, d in zip(range(1, 13), [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], strict=True)
        ),
    ]
    assert (
        table.label
        == "折线图:实际值与序时进度(单位:个)。目标 100 个。期限 2020-12-31。最新值 60(2020-06-30)。"
    )
