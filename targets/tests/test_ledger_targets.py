"""Targets whose actual value is counted or summed from the project ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Project, ProjectGroup
from targets import rules
from targets.models import LedgerMeasure, Target

from .factories import make_figure, make_target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def starts(plan, task):
    group = ProjectGroup.objects.create(plan=plan, name="9月底前计划开工", key_task=task, stated_count=12)
    target = make_target(
        task,
        "3-01",
        name="9月底前拟开工的12个项目全部开工",
        goal=Decimal(12),
        deadline=dt.date(2020, 9, 30),
        ledger_group=group,
        ledger_measure=LedgerMeasure.COUNT,
        ledger_stage="started",
    )
    return group, target


def add_project(plan, group, name, **kwargs):
    project = Project.objects.create(plan=plan, name=name, **kwargs)
    project.groups.add(group)
    return project


def test_empty_group_is_not_reported(viewer_client, plan, starts):
    _group, target = starts
    response = viewer_client.get(reverse("targets:target-detail", args=[target.pk]), {"as_of": "2020-06"})
    assert response.context["assessment"].light == rules.Light.NO_DATA
    html = response.content.decode()
    assert "台账中尚无项目" in html
    assert "台账未录入(文件所述 12 项)" in html and "台账中 0 项" not in html


def test_count_by_month_end(viewer_client, plan, starts):
    group, target = starts
    add_project(plan, group, "甲项目", stage="started", started_on=dt.date(2020, 5, 10))
    add_project(plan, group, "乙项目", stage="completed")  # started, date unknown
    # 入库 (纳入统计库) comes after 开工: registered on 3-1, 丙 had started by then.
    add_project(plan, group, "丙项目", stage="registered", registered_on=dt.date(2020, 3, 1))
    add_project(
        plan, group, "丁项目", stage="started", started_on=dt.date(2020, 8, 1)
    )  # after the as-of date
    response = viewer_client.get(reverse("targets:target-detail", args=[target.pk]), {"as_of": "2020-06"})
    row = response.context["row"]
    # Jan–Feb: 0; March: 丙; May: 甲; June (the latest month) adds the undated 乙.
    assert [(o.month_end.month, o.value) for o in row.observations] == [
        (1, 0),
        (2, 0),
        (3, 1),
        (4, 1),
        (5, 2),
        (6, 3),
    ]
    # 3 of 12 = 25.0%; expected 181 of 273 days = 66.3%; gap −41.3 → seriously behind.
    assessment = response.context["assessment"]
    assert (assessment.completion, assessment.expected_share, assessment.gap) == (
        Decimal("25.0"),
        Decimal("66.3"),
        Decimal("-41.3"),
    )
    assert assessment.light == rules.Light.SERIOUSLY_BEHIND
    items = [(p.name, done) for p, done in response.context["ledger_items"]]
    assert items == [("丙项目", True), ("乙项目", True), ("甲项目", True), ("丁项目", False)]


def test_investment_sum_from_project_figures(viewer_client, plan, task):
    group = ProjectGroup.objects.create(plan=plan, name="省市重点项目", key_task=task, stated_count=25)
    total = make_target(
        task,
        "3-02",
        goal=Decimal("303"),
        unit_of_measure="亿元",
        ledger_group=group,
        ledger_measure=LedgerMeasure.INVESTMENT,
    )
    for name, values in [("甲", {5: "10", 6: "25"}), ("乙", {6: "7.5"}), ("丙", {})]:
        project = add_project(plan, group, name, annual_planned_investment=Decimal(50))
        own = make_target(task, f"P-{name}", unit_of_measure="亿元", goal=Decimal(50), project=project)
        for month, value in values.items():
            make_figure(own, dt.date(2020, month, 1), value)
    response = viewer_client.get(reverse("targets:target-detail", args=[total.pk]), {"as_of": "2020-06"})
    assert [(o.month_end.month, o.value) for o in response.context["row"].observations] == [
        (5, Decimal("10")),
        (6, Decimal("32.5")),
    ]


def test_project_investment_targets_stay_off_the_plan_pages(viewer_client, plan, task):
    make_target(task, "1-01")
    project = Project.objects.create(plan=plan, name="某项目")
    make_target(task, "P-1", project=project)
    overview = viewer_client.get(reverse("targets:plan-detail", args=[plan.pk]))
    assert overview.context["overall"].assessed_total == 1
    listing = viewer_client.get(reverse("targets:target-list", args=[plan.pk]))
    assert [r.record.target.code for r in listing.context["table"].rows] == ["1-01"]
    assert Target.objects.count() == 2


def test_project_investment_targets_stay_off_the_key_task_page(viewer_client, plan, task):
    make_target(task, "1-01")
    project = Project.objects.create(plan=plan, name="某项目")
    make_target(task, "P-1", project=project)
    response = viewer_client.get(reverse("targets:keytask-detail", args=[task.pk]))
    assert [r.record.target.code for r in response.context["table"].rows] == ["1-01"]
