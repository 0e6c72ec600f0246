"""The ledger pages: project list, project page, group summaries, and the link from a key task."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.ledger import LEDGER, PARTIAL, InvestmentCompletion, StageRate
from projects.models import StatedStageCount
from projects.tables import ProjectTable
from targets.models import Figure, LedgerMeasure
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit

from .factories import make_group, make_investment, make_problem, make_project

pytestmark = pytest.mark.django_db

MAR, JUN, JUL = dt.date(2020, 3, 1), dt.date(2020, 6, 1), dt.date(2020, 7, 1)


@pytest.fixture
def plan(db):
    return make_plan()


@pytest.fixture
def task(plan):
    return make_task(plan, 3, title="加快推进项目建设", headline="确保9月底前12个项目全部开工")


@pytest.fixture
def ledger(plan, task):
    """Four projects in two groups.

    9月底前计划开工 (12 stated): 甲 started, 乙 in reserve (储备), 丙 stage unknown.
    省市重点项目 (no stated count): 甲, and 丁 which reached 达产 on a date nobody recorded.
    Both groups hold projects that go into production (达产率 applies).
    """
    other_task = make_task(plan, 5, title="优化营商环境")
    east, west = make_unit("区发改委"), make_unit("区住建局")
    to_start = make_group(
        plan, "9月底前计划开工", key_task=task, stated_count=12, sort_order=1, measures_production=True
    )
    key = make_group(plan, "省市重点项目", key_task=task, sort_order=2, measures_production=True)
    jia = make_project(
        plan,
        "甲项目",
        groups=[to_start, key],
        key_task=task,
        area="东区",
        responsible_unit=east,
        lead_official="张三",
        service_commissioner="赵六",
        stage="started",
        started_on=dt.date(2020, 4, 15),
        planned_start=dt.date(2020, 4, 1),
        planned_completion=dt.date(2021, 6, 30),
        total_investment=25,
        annual_planned_investment=10,
        progress_note="主体结构施工中",
        source_text="甲项目总投资25亿元,年内完成投资10亿元",
    )
    _target, jia_figures = make_investment(jia, task, {MAR: 2, JUN: 4})
    make_figure(_target, JUL, 5, status=Figure.Status.SUBMITTED)  # not approved: never counted
    yi = make_project(
        plan,
        "乙项目",
        groups=[to_start],
        key_task=task,
        area="西区",
        responsible_unit=west,
        lead_official="李四",
        stage="reserve",
        planned_start=dt.date(2020, 9, 1),
        annual_planned_investment=30,
    )
    make_investment(yi, task, {JUN: 6})
    overdue = make_problem(yi, "用地指标未落实", responsible_unit=west, due_by=dt.date(2020, 5, 31))
    bing = make_project(plan, "丙项目", groups=[to_start])
    make_problem(bing, "规划未批复")
    make_problem(bing, "资金未到位", due_by=dt.date(2099, 12, 31))
    make_problem(bing, "手续不全", due_by=dt.date(2020, 4, 30), resolved_on=dt.date(2020, 4, 20))
    ding = make_project(
        plan,
        "丁项目",
        groups=[key],
        key_task=other_task,
        area="东区",
        responsible_unit=east,
        lead_official="王五",
        stage="producing",
        started_on=dt.date(2019, 6, 1),
        registered_on=dt.date(2019, 9, 1),
        completed_on=dt.date(2020, 5, 30),
        planned_start=dt.date(2019, 8, 1),
    )
    count_target = make_target(
        task,
        "3-01",
        name="9月底前开工项目",
        goal=Decimal("12"),
        ledger_group=to_start,
        ledger_measure=LedgerMeasure.COUNT,
        ledger_stage="started",
    )
    return {
        "to_start": to_start,
        "key": key,
        "jia": jia,
        "yi": yi,
        "bing": bing,
        "ding": ding,
        "overdue": overdue,
        "jia_figures": jia_figures,
        "count_target": count_target,
        "east": east,
    }


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].rows]


def list_url(plan) -> str:
    return reverse("projects:project-list", args=[plan.pk])


def test_anonymous_is_sent_to_login(client, plan, ledger):
    for name, pk in [
        ("projects:project-list", plan.pk),
        ("projects:group-list", plan.pk),
        ("projects:project-detail", ledger["jia"].pk),
        ("projects:group-detail", ledger["to_start"].pk),
    ]:
        url = reverse(name, args=[pk])
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_list_shows_every_project_by_name(viewer_client, plan, ledger):
    response = viewer_client.get(list_url(plan))
    assert response.status_code == 200
    # Ordered by name (code point order): 丁 U+4E01, 丙 U+4E19, 乙 U+4E59, 甲 U+7532.
    assert names(response) == ["丁项目", "丙项目", "乙项目", "甲项目"]
    rows = {row.record.name: row for row in response.context["table"].rows}
    bing = rows["丙项目"]
    assert [bing.get_cell(c) for c in ("stage", "responsible_unit", "lead_official", "area")] == [
        '<span class="missing">阶段未知</span>',
        '<span class="missing">未明确</span>',
        '<span class="missing">未明确</span>',
        '<span class="missing">未明确</span>',
    ]
    assert rows["甲项目"].get_cell("stage") == "开工"
    assert (bing.record.open_problems, bing.record.overdue_problems) == (2, 0)
    assert (rows["乙项目"].record.open_problems, rows["乙项目"].record.overdue_problems) == (1, 1)
    assert rows["甲项目"].get_cell("groups") == "9月底前计划开工、省市重点项目"
    html = response.content.decode()
    assert '<span class="overdue-count">1 逾期</span>' in html
    assert f'href="{list_url(plan)}">项目台账</a>' in html  # the nav link


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "started"}, ["甲项目"]),
        ({"stage": "producing"}, ["丁项目"]),
        ({"stage": "unknown"}, ["丙项目"]),
        ({"overdue": "true"}, ["乙项目"]),
        ({"overdue": "false"}, ["丁项目", "丙项目", "甲项目"]),
        ({"area": "东区"}, ["丁项目", "甲项目"]),
        ({"lead_official": "李四"}, ["乙项目"]),
        ({"stage": "registered", "area": "东区"}, []),
    ],
)
def test_list_filters(viewer_client, plan, ledger, params, expected):
    response = viewer_client.get(list_url(plan), params)
    assert response.status_code == 200
    assert names(response) == expected


def test_list_filters_by_group_and_unit(viewer_client, plan, ledger):
    by_key = viewer_client.get(list_url(plan), {"group": ledger["key"].pk})
    assert names(by_key) == ["丁项目", "甲项目"]
    # 甲 is in both groups and is listed once.
    both = viewer_client.get(list_url(plan), {"group": [ledger["key"].pk, ledger["to_start"].pk]})
    assert names(both) == ["丁项目", "丙项目", "乙项目", "甲项目"]
    by_unit = viewer_client.get(list_url(plan), {"unit": ledger["east"].pk})
    assert names(by_unit) == ["丁项目", "甲项目"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "purple"}, "stage"),
        ({"group": "99999"}, "group"),
        ({"group": "x"}, "group"),
        ({"unit": "x"}, "unit"),
        ({"unit": "99999"}, "unit"),
        ({"area": "北区"}, "area"),
        ({"lead_official": "无此人"}, "lead_official"),
    ],
)
def test_bad_filter_gives_400_with_the_error(viewer_client, plan, ledger, params, field):
    response = viewer_client.get(list_url(plan), params)
    assert response.status_code == 400
    assert response.context["table"] is None
    assert list(response.context["filter"].errors) == [field]
    assert 'class="error"' in response.content.decode()


def test_a_group_of_another_plan_is_a_bad_filter(viewer_client, plan, ledger):
    other = make_group(make_plan(district="别区"), "别的分组")
    response = viewer_client.get(list_url(plan), {"group": other.pk})
    assert response.status_code == 400


@pytest.mark.parametrize("column", ProjectTable.base_columns.keys())
def test_every_column_sorts_both_ways(viewer_client, plan, ledger, column):
    ascending = viewer_client.get(list_url(plan), {"sort": column})
    descending = viewer_client.get(list_url(plan), {"sort": f"-{column}"})
    assert ascending.status_code == descending.status_code == 200
    if not ascending.context["table"].columns[column].orderable:
        assert column == "groups"
        return
    up, down = names(ascending), names(descending)
    assert sorted(up) == sorted(down) == ["丁项目", "丙项目", "乙项目", "甲项目"]
    expected_up = {
        "name": ["丁项目", "丙项目", "乙项目", "甲项目"],
        # Unknown first, then 储备, 开工, 达产: stage order, not alphabetical.
        "stage": ["丙项目", "乙项目", "甲项目", "丁项目"],
        "planned_start": None,
        "lead_official": None,
    }
    if expected_up.get(column):
        assert up == expected_up[column]
        assert down == list(reversed(expected_up[column]))
    if column == "open_problems":
        assert down[:2] == ["丙项目", "乙项目"]
    if column == "overdue_problems":
        assert down[0] == "乙项目"
    if column == "planned_start":
        # 丙 has no planned start; the others by date.
        assert [n for n in up if n != "丙项目"] == ["丁项目", "甲项目", "乙项目"]
        assert [n for n in down if n != "丙项目"] == ["乙项目", "甲项目", "丁项目"]
    if column == "key_task":
        assert [n for n in up if n != "丙项目"] == ["乙项目", "甲项目", "丁项目"]
        assert [n for n in down if n != "丙项目"] == ["丁项目", "甲项目", "乙项目"]


def test_project_page_shows_facts_timeline_and_chart(viewer_client, ledger):
    response = viewer_client.get(reverse("projects:project-detail", args=[ledger["jia"].pk]))
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2020, 6, 30)
    timeline = [(s["label"], s["reached"], s["date"]) for s in response.context["timeline"]]
    # 开工 before 入库 (四比四看): 甲 has started and is not yet in the statistics database.
    assert timeline == [
        ("储备", True, None),
        ("开工", True, dt.date(2020, 4, 15)),
        ("入库", False, None),
        ("竣工", False, None),
        ("达产", False, None),
    ]
    assert response.context["completed"] == Decimal("4.00")
    assert response.context["completion"] == InvestmentCompletion(
        completed=Decimal("4.00"), planned=Decimal("10.00"), percent=Decimal("40.0"), items_with_plan=1
    )
    html = response.content.decode()
    assert html.count('class="timeline-step reached') == 2
    assert "甲项目总投资25亿元,年内完成投资10亿元" in html
    assert "主体结构施工中" in html and "赵六" in html
    assert 'id="investment-progress"' in html
    assert html.index('src="/static/vendor/plotly.min.js"') < html.index('id="investment-progress"')
    assert "没有登记问题" in html


def test_project_page_investment_as_of_an_earlier_month(viewer_client, ledger):
    url = reverse("projects:project-detail", args=[ledger["jia"].pk])
    assert viewer_client.get(url, {"as_of": "2020-03"}).context["completed"] == Decimal("2.00")
    # The submitted July figure is not approved: July still shows June's 4.
    assert viewer_client.get(url, {"as_of": "2020-07"}).context["completed"] == Decimal("4.00")
    assert viewer_client.get(url, {"as_of": "2020-02"}).context["completed"] is None


def test_project_page_bad_as_of_gives_400(viewer_client, ledger):
    response = viewer_client.get(reverse("projects:project-detail", args=[ledger["jia"].pk]), {"as_of": "x"})
    assert response.status_code == 400
    assert "格式不正确" in response.context["message"]


def test_project_page_marks_an_overdue_problem(viewer_client, ledger):
    response = viewer_client.get(reverse("projects:project-detail", args=[ledger["yi"].pk]))
    assert response.context["problems"] == [(ledger["overdue"], True)]
    html = response.content.decode()
    assert '<tr class="problem-overdue">' in html
    assert '<span class="overdue-mark">逾期</span> 未解决' in html


def test_project_page_with_unknown_dates_and_no_investment(viewer_client, ledger):
    ding = viewer_client.get(reverse("projects:project-detail", args=[ledger["ding"].pk]))
    assert [s["reached"] for s in ding.context["timeline"]] == [True] * 5
    html = ding.content.decode()
    assert html.count("日期未知") == 1  # 达产: reached, date not recorded
    assert ding.context["chart"] is None
    assert "尚无投资计划/数据" in html
    assert "plotly.min.js" not in html

    bing = viewer_client.get(reverse("projects:project-detail", args=[ledger["bing"].pk]))
    assert [s["reached"] for s in bing.context["timeline"]] == [False] * 5
    states = [(p.description, overdue) for p, overdue in bing.context["problems"]]
    assert states == [("资金未到位", False), ("规划未批复", False), ("手续不全", False)]


def test_group_page_rates_over_the_registered_items_with_known_stage(viewer_client, ledger):
    response = viewer_client.get(reverse("projects:group-detail", args=[ledger["to_start"].pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    # 12 stated, 3 in the ledger, 丙's stage unknown: rated over 甲 (started) and 乙 (储备) only.
    known = {"basis": PARTIAL, "registered": 3, "unknown": 1, "stated": 12}
    assert summary.rates == [
        StageRate(stage="started", count=1, of=2, percent=Decimal("50.0"), **known),
        StageRate(stage="registered", count=0, of=2, percent=Decimal("0.0"), **known),
        StageRate(stage="completed", count=0, of=2, percent=Decimal("0.0"), **known),
        StageRate(stage="producing", count=0, of=2, percent=Decimal("0.0"), **known),
    ]
    # Planned 10 and 30, completed 4 and 6; 丙 has no plan and is left out: 10 / 40 = 25.0%.
    assert summary.investment == InvestmentCompletion(
        completed=Decimal("10.00"), planned=Decimal("40.00"), percent=Decimal("25.0"), items_with_plan=2
    )
    assert (summary.item_count, summary.stated_count) == (3, 12)
    assert (summary.open_problems, summary.overdue_problems) == (3, 1)
    stages = response.context["stages"]
    rows = [
        (row.record.name, [row.get_cell(f"done_{stage.value}") for stage in stages])
        for row in response.context["table"].paginated_rows
    ]
    assert rows == [("丙项目", ["✗ 未开工"]), ("乙项目", ["✗ 未开工"]), ("甲项目", ["✓ 已开工"])]
    assert [t.code for t in response.context["targets"]] == ["3-01"]
    html = response.content.decode()
    assert "台账中 3 项 / 文件所述 12 项" in html
    assert (
        '<span class="rate">1 / 2<span class="rate-pct">(50.0%)</span></span><span class="rate-basis">'
        "台账已录入 3 项 / 文件所述 12 项,其中 1 项阶段未知;比率只按阶段已知的 2 项计算</span>"
    ) in html
    assert "台账尚未录全(已录入 3 项,文件所述 12 项)" in html
    assert "1 / 12" not in html and "8.3%" not in html
    labels = [label for label, _rate in summary.labelled_rates]
    assert labels == ["开工率", "入库率", "竣工率", "达产率"]
    assert [html.index(f'<span class="rate-label">{label}</span>') for label in labels] == sorted(
        html.index(f'<span class="rate-label">{label}</span>') for label in labels
    )
    assert "10 / 40 亿元" in html
    assert "✓ 已开工" in html and "✗ 未开工" in html
    assert f'href="{ledger["count_target"].get_absolute_url()}?as_of=2020-06-30"' in html


def test_group_page_two_of_five_registered(viewer_client, plan):
    group = make_group(plan, "新建公厕", stated_count=5)
    make_project(plan, "一号公厕", groups=[group], stage="completed", started_on=dt.date(2020, 3, 1))
    make_project(plan, "二号公厕", groups=[group], stage="started", started_on=dt.date(2020, 4, 1))
    response = viewer_client.get(reverse("projects:group-detail", args=[group.pk]))
    registered = {"basis": PARTIAL, "registered": 2, "unknown": 0, "stated": 5}
    # Over the 2 registered, not the 5 stated; no 达产率: toilets do not go into production.
    assert response.context["summary"].rates == [
        StageRate(stage="started", count=2, of=2, percent=Decimal("100.0"), **registered),
        StageRate(stage="registered", count=1, of=2, percent=Decimal("50.0"), **registered),
        StageRate(stage="completed", count=1, of=2, percent=Decimal("50.0"), **registered),
    ]
    html = response.content.decode()
    label = '<span class="rate-basis">台账已录入 2 项 / 文件所述 5 项,比率只按已录入项目计算</span>'
    assert html.count(label) == 3
    assert '<span class="rate">2 / 2<span class="rate-pct">(100.0%)</span></span>' + label in html
    assert '<span class="rate">1 / 2<span class="rate-pct">(50.0%)</span></span>' + label in html
    assert '<span class="rate-label">达产率</span>' not in html
    assert html.count('<span class="rate-label">') == 4  # 开工率, 入库率, 竣工率 and investment
    assert "该分组的项目没有“达产”阶段,不计算达产率。" in html


def test_group_page_without_stated_count_uses_the_ledger(viewer_client, ledger):
    response = viewer_client.get(reverse("projects:group-detail", args=[ledger["key"].pk]))
    summary = response.context["summary"]
    # 甲 started; 丁 started, registered, completed and producing.
    assert [(r.basis, r.count, r.of, r.percent) for r in summary.rates] == [
        (LEDGER, 2, 2, Decimal("100.0")),
        (LEDGER, 1, 2, Decimal("50.0")),
        (LEDGER, 1, 2, Decimal("50.0")),
        (LEDGER, 1, 2, Decimal("50.0")),
    ]
    assert response.context["stages"] == []  # no counted target: no done/not-done column
    html = response.content.decode()
    assert "文件未说明数量" in html
    assert "rate-basis" not in html  # a whole ledger needs no label


def test_group_page_of_an_empty_group(viewer_client, plan):
    group = make_group(plan, "城市道路", stated_count=12)
    response = viewer_client.get(reverse("projects:group-detail", args=[group.pk]))
    assert [(r.count, r.of, r.percent) for r in response.context["summary"].rates] == [(None, 12, None)] * 3
    html = response.content.decode()
    assert '<span class="ledger-count">台账未录入(文件所述 12 项)</span>' in html
    assert html.count('<span class="rate-none missing">台账未录入(文件所述 12 项)</span>') == 3
    assert "台账中 0 项" not in html and "0 / 12" not in html and "0.0%" not in html
    assert "无年度计划投资" in html


def test_group_page_shows_a_count_the_document_states(viewer_client, plan):
    group = make_group(plan, "老旧小区改造", stated_count=487)
    StatedStageCount.objects.create(
        group=group,
        stage="started",
        count=487,
        as_of=dt.date(2020, 6, 30),
        source_text="487个老旧小区改造已全部开工",
    )
    url = reverse("projects:group-detail", args=[group.pk])
    html = viewer_client.get(url, {"as_of": "2020-06"}).content.decode()
    assert (
        '<span class="rate">487 / 487<span class="rate-pct">(100.0%)</span></span>'
        '<span class="rate-basis rate-document">文件所述:487个老旧小区改造已全部开工(截至 2020-06-30)</span>'
    ) in html
    # The 入库 and 竣工 counts are not stated: no rate, and never 0.
    assert html.count("台账未录入(文件所述 487 项)</span>") == 3  # the page head and two tiles
    # Before the report's date the document had not said it yet.
    earlier = viewer_client.get(url, {"as_of": "2020-05"})
    assert [r.basis for r in earlier.context["summary"].rates] == ["unregistered"] * 3


def test_group_list_summarizes_every_group(viewer_client, plan, ledger):
    response = viewer_client.get(reverse("projects:group-list", args=[plan.pk]))
    assert response.status_code == 200
    rows = [
        (s.group.name, s.item_count, s.stated_count, [r.count for r in s.rates], s.investment.percent)
        for s in response.context["summaries"]
    ]
    assert rows == [
        ("9月底前计划开工", 3, 12, [1, 0, 0, 0], Decimal("25.0")),
        ("省市重点项目", 2, None, [2, 1, 1, 1], Decimal("40.0")),
    ]
    assert response.context["rate_headers"] == ["开工率", "入库率", "竣工率", "达产率"]


def test_group_list_marks_rates_that_do_not_apply_and_empty_ledgers(viewer_client, plan):
    make_group(plan, "新建公厕", stated_count=20)
    response = viewer_client.get(reverse("projects:group-list", args=[plan.pk]))
    (toilets,) = response.context["summaries"]
    assert [(label, rate is None) for label, rate in toilets.rate_cells] == [
        ("开工率", False),
        ("入库率", False),
        ("竣工率", False),
        ("达产率", True),
    ]
    html = response.content.decode()
    assert '<td class="num"><span class="missing">未录入</span> / 20' in html
    assert html.count('<span class="rate-none missing">台账未录入(文件所述 20 项)</span>') == 3
    assert html.count('<span class="rate-na">不适用</span>') == 1
    assert "0.0%" not in html and "0 / 20" not in html


def test_keytask_page_links_its_groups(viewer_client, plan, task, ledger):
    response = viewer_client.get(reverse("targets:keytask-detail", args=[task.pk]))
    html = response.content.decode()
    to_start, key = ledger["to_start"], ledger["key"]
    assert f'href="/projects/groups/{to_start.pk}/?as_of=2020-06-30">9月底前计划开工</a>' in html
    assert f'href="/projects/groups/{key.pk}/?as_of=2020-06-30">省市重点项目</a>' in html
    assert f'href="/projects/plan/{plan.pk}/?group={to_start.pk}&amp;group={key.pk}"' in html


def _populate(n: int):
    """A plan with one group of n projects, each with a unit, groups, problems and investment."""
    plan = make_plan(district=f"区{n}")
    task = make_task(plan, 1)
    group = make_group(plan, "分组", key_task=task, stated_count=5)
    make_target(task, "1-01", ledger_group=group, ledger_measure=LedgerMeasure.COUNT, ledger_stage="started")
    for i in range(n):
        project = make_project(
            plan,
            f"项目{i}",
            groups=[group],
            key_task=task,
            responsible_unit=make_unit(f"单位{n}-{i}"),
            stage="started",
            annual_planned_investment=10,
        )
        make_investment(project, task, {MAR: 1, JUN: 2})
        make_problem(project, due_by=dt.date(2020, 4, 1))
        make_problem(project, resolved_on=dt.date(2020, 3, 2))
    return plan, group


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["project-list", "group-detail", "group-list"])
def test_query_count_does_not_grow_with_projects(viewer, viewer_client, page):
    counts = []
    for n in (1, 3):
        plan, group = _populate(n)
        viewer.district_memberships.create(district=plan.district)
        pk = group.pk if page == "group-detail" else plan.pk
        counts.append(count_queries(viewer_client, reverse(f"projects:{page}", args=[pk])))
    assert counts[0] == counts[1]


def test_project_page_query_count_does_not_grow_with_figures_or_problems(viewer, viewer_client):
    counts = []
    for n in (1, 3):
        plan, group = _populate(n)
        viewer.district_memberships.create(district=plan.district)
        project = group.projects.first()
        for i in range(n):
            make_problem(project, f"问题{i}")
        counts.append(count_queries(viewer_client, reverse("projects:project-detail", args=[project.pk])))
    assert counts[0] == counts[1]


def test_a_stated_stage_count_moves_its_plan_version(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan, other = make_plan(), make_plan(district="别区")
        group = make_group(plan, "老旧小区改造", stated_count=487)
    plan.refresh_from_db()
    other.refresh_from_db()
    before = (plan.data_version, other.data_version)
    # Versions move when the change is committed (tests run in one transaction).
    with django_capture_on_commit_callbacks(execute=True):
        stated = StatedStageCount.objects.create(
            group=group,
            stage="started",
            count=487,
            as_of=dt.date(2020, 6, 30),
            source_text="487个老旧小区改造已全部开工",
        )
    plan.refresh_from_db()
    other.refresh_from_db()
    assert (plan.data_version, other.data_version) == (before[0] + 1, before[1])
    with django_capture_on_commit_callbacks(execute=True):
        stated.delete()
    plan.refresh_from_db()
    assert plan.data_version == before[0] + 2
