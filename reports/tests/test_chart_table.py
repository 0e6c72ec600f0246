"""The bulletin's chart and its numbers as a table (its text alternative)."""

import datetime as dt

from django.urls import reverse

from targets.tests.factories import make_figure, make_target
from targets.tests.test_chart_tables import chart_table


def test_bulletin_chart_table_counts_the_headline(viewer_client, plan, task):
    # At 2020-06-30, goal 100 from 0 over the year: 100 achieved, 60 on track, 30 behind, one without
    # data; parts without targets are left out.
    for code, june in [("1-01", 100), ("1-02", 60), ("1-03", 30), ("1-04", None)]:
        target = make_target(task, code)
        if june is not None:
            make_figure(target, dt.date(2020, 6, 1), june)
    url = reverse("reports:bulletin", args=[plan.pk])
    table = chart_table(viewer_client.get(url, {"month": "2020-06"}))
    assert table.caption == "量化目标按状态统计(共4项)"
    assert table.label == "条形图:量化目标按状态统计(共4项)。"
    assert table.columns == ["状态", "目标数"]
    assert table.rows == [
        ("✓ 已完成", ["1"]),
        ("● 正常推进", ["1"]),
        ("▲▼ 滞后", ["1"]),
        ("? 暂无数据", ["1"]),
    ]
