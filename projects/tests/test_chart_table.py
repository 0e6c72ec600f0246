"""The project page's investment chart and its numbers as a table (its text alternative)."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from targets.tests.factories import make_figure, make_plan, make_task
from targets.tests.test_chart_tables import chart_table

from .factories import make_investment, make_project


def test_investment_chart_table_has_plan_path_and_approved_figures(viewer_client):
    plan = make_plan()
    task = make_task(plan, 3, title="加快推进项目建设")
    project = make_project(plan, "甲项目", key_task=task, annual_planned_investment=Decimal("36.5"))
    target, _figures = make_investment(project, task, {dt.date(2020, 3, 1): 2, dt.date(2020, 6, 1): "4.5"})
    make_figure(target, dt.date(2020, 7, 1), 5, status="submitted")  # not approved: not in the chart

    url = reverse("projects:project-detail", args=[project.pk])
    table = chart_table(viewer_client.get(url, {"as_of": "2020-07"}))

    assert table.caption == "累计完成投资与年度计划(单位:亿元)"
    assert table.columns == ["日期", "按年度计划均衡推进", "累计完成投资(已审核)"]
    rows = dict(table.rows)
    # 36.5 亿元 spread evenly over the 365 days from 2020-01-01 to 2020-12-31: 0.1 a day.
    assert rows["2020-01-01"] == ["0", ""]
    assert rows["2020-03-31"] == ["9", "2"]
    assert rows["2020-06-30"] == ["18.1", "4.5"]
    assert rows["2020-07-31"] == ["21.2", ""]
    assert rows["2020-12-31"] == ["36.5", ""]
    assert len(table.rows) == 13
    assert (
        table.label
        == "折线图:累计完成投资与年度计划。年度计划 36.5 亿元。截至 2020-06-30 累计完成 4.5 亿元。"
    )
