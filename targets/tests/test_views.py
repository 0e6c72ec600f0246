import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import rules
from targets.models import Figure, Target
from targets.tables import TargetTable

from .factories import make_figure, make_target, make_task, make_unit

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)


@pytest.fixture
def four_targets(task):
    """On 2020-06-30, 181 of 365 days have passed: expected share 49.6%."""
    on_track = make_target(task, "1-01", name="正常目标")
    make_figure(on_track, JUNE, 60)  # 60% vs 49.6% → gap +10.4 → on track
    seriously = make_target(task, "1-02", name="严重滞后目标")
    make_figure(seriously, JUNE, 10)  # 10% → gap −39.6 → seriously behind
    make_target(task, "1-03", name="暂无数据目标")  # no figure at all
    achieved = make_target(task, "1-04", name="已完成目标", deadline=dt.date(2020, 9, 30))
    make_figure(achieved, JUNE, 100)
    return [on_track, seriously, achieved]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_anonymous_is_sent_to_login(client, plan):
    response = client.get(reverse("targets:plan-detail", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/plans/{plan.pk}/"


def test_overview_counts_targets_by_light(viewer_client, plan, four_targets):
    response = viewer_client.get(reverse("targets:plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2020, 6, 30)
    counts = dict(response.context["overall"].counts)
    assert counts == {
        rules.Light.ON_TRACK: 1,
        rules.Light.SERIOUSLY_BEHIND: 1,
        rules.Light.NO_DATA: 1,
        rules.Light.ACHIEVED: 1,
    }
    (_task, summary), *_ = response.context["task_summaries"]
    assert summary.assessed_total == 4
    # Mean of 60, 10, 100 (the unreported target has no completion).
    assert summary.mean_completion == Decimal("56.7")
    attention = [(row.target.code, reason) for row, reason in response.context["attention"]]
    assert attention == [("1-02", "2020年6月数据落后序时进度 39.6 个百分点")]
    html = response.content.decode()
    # The headline says how many targets the verdicts rest on; nobody is blamed for missing data.
    assert "全区4项量化目标中有数据的3项(数据覆盖3/4)" in html
    assert "没有逾期未报的目标" in html
    assert 'src="/static/vendor/plotly.min.js"' in response.content.decode()


def test_overview_as_of_a_later_month_marks_june_figures_stale(viewer_client, plan, four_targets):
    response = viewer_client.get(reverse("targets:plan-detail", args=[plan.pk]), {"as_of": "2020-07"})
    assert response.context["as_of"] == dt.date(2020, 7, 31)
    counts = dict(response.context["overall"].counts)
    # No July figure yet: each verdict still comes from June's figure, judged at 6-30.
    assert counts == {
        rules.Light.ON_TRACK: 1,
        rules.Light.SERIOUSLY_BEHIND: 1,
        rules.Light.NO_DATA: 1,
        rules.Light.ACHIEVED: 1,
    }


def test_overview_as_of_before_any_figure(viewer_client, plan, four_targets):
    response = viewer_client.get(reverse("targets:plan-detail", args=[plan.pk]), {"as_of": "2020-03-31"})
    assert dict(response.context["overall"].counts) == {rules.Light.NO_DATA: 4}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("yesterday", "格式不正确"),
        ("2020-13", "不存在"),
        ("2020-02-30", "不存在"),
        ("2019-12-31", "不在计划期"),
        ("2021-02", "不在计划期"),
        ("9" * 500, "格式不正确"),
    ],
)
def test_bad_as_of_gives_400_with_message(viewer_client, plan, four_targets, raw, message):
    for name, pk in [
        ("targets:plan-detail", plan.pk),
        ("targets:keytask-detail", four_targets[0].key_task.pk),
        ("targets:target-detail", four_targets[0].pk),
        ("targets:target-list", plan.pk),
        ("targets:indicator-list", plan.pk),
    ]:
        response = viewer_client.get(reverse(name, args=[pk]), {"as_of": raw})
        assert response.status_code == 400, name
        assert message in response.context["message"]


def test_future_as_of_is_refused(viewer_client, db):
    from .factories import make_plan

    future = make_plan(
        district="测试区", year=2099, period_start=dt.date(2099, 1, 1), period_end=dt.date(2099, 12, 31)
    )
    response = viewer_client.get(reverse("targets:plan-detail", args=[future.pk]), {"as_of": "2099-06"})
    assert response.status_code == 400
    assert "尚未到来" in response.context["message"]


def test_keytask_table_lists_targets_with_assessment(viewer_client, task, four_targets):
    response = viewer_client.get(reverse("targets:keytask-detail", args=[task.pk]), {"sort": "code"})
    table = response.context["table"]
    rows = [(r.record.target.code, r.record.light) for r in table.rows]
    assert rows == [
        ("1-01", rules.Light.ON_TRACK),
        ("1-02", rules.Light.SERIOUSLY_BEHIND),
        ("1-03", rules.Light.NO_DATA),
        ("1-04", rules.Light.ACHIEVED),
    ]
    html = response.content.decode()
    assert "未明确" in html  # no responsible unit in the text
    assert "+10.4" in html and "-39.6" in html


def test_keytask_filter_by_light(viewer_client, task, four_targets):
    response = viewer_client.get(
        reverse("targets:keytask-detail", args=[task.pk]), {"light": ["seriously_behind", "no_data"]}
    )
    codes = [r.record.target.code for r in response.context["table"].rows]
    assert codes == ["1-02", "1-03"]


@pytest.mark.parametrize(
    "params",
    [
        {"light": "purple"},
        {"kind": "nonsense"},
        {"deadline_before": "not-a-date"},
        {"unit": "99999"},
        {"key_task": "x"},
    ],
)
def test_bad_filter_gives_400(viewer_client, plan, task, four_targets, params):
    response = viewer_client.get(reverse("targets:target-list", args=[plan.pk]), params)
    assert response.status_code == 400
    assert response.context["table"] is None
    assert response.context["filter"].errors


def test_all_targets_due_by_september_and_behind(viewer_client, plan, task, four_targets):
    other_task = make_task(plan, 2)
    early = make_target(other_task, "2-01", deadline=dt.date(2020, 9, 30))
    make_figure(early, JUNE, 20)  # expected 181/273 = 66.3% → gap −46.3 → seriously behind
    response = viewer_client.get(
        reverse("targets:target-list", args=[plan.pk]),
        {"deadline_before": "2020-09-30", "light": ["behind", "seriously_behind"]},
    )
    rows = [(r.record.target.code, r.record.gap) for r in response.context["table"].rows]
    assert rows == [("2-01", Decimal("-46.3"))]


def test_unassigned_filter(viewer_client, plan, task, four_targets):
    unit = make_unit("区教育局")
    four_targets[0].responsible_units.add(unit)
    url = reverse("targets:target-list", args=[plan.pk])
    assigned = [r.record.target.code for r in viewer_client.get(url, {"unit": unit.pk}).context["table"].rows]
    assert assigned == ["1-01"]
    unassigned = [
        r.record.target.code for r in viewer_client.get(url, {"unassigned": "true"}).context["table"].rows
    ]
    assert unassigned == ["1-02", "1-03", "1-04"]


@pytest.mark.parametrize("column", TargetTable.base_columns.keys())
def test_every_sortable_column_sorts_both_ways(viewer_client, plan, four_targets, column):
    url = reverse("targets:target-list", args=[plan.pk])
    ascending = viewer_client.get(url, {"sort": column})
    descending = viewer_client.get(url, {"sort": f"-{column}"})
    assert ascending.status_code == descending.status_code == 200
    table = ascending.context["table"]
    if not table.columns[column].orderable:
        return
    up = [r.record.target.code for r in table.rows]
    down = [r.record.target.code for r in descending.context["table"].rows]
    assert sorted(up) == sorted(down) == ["1-01", "1-02", "1-03", "1-04"]
    if column == "light":
        # Worst first when descending: seriously behind, not reported, on track, achieved.
        assert down == ["1-02", "1-03", "1-01", "1-04"]
        assert up == list(reversed(down))
    if column == "completion":
        assert down[:3] == ["1-04", "1-01", "1-02"]


def test_unknown_sort_key_is_ignored(viewer_client, plan, four_targets):
    response = viewer_client.get(reverse("targets:target-list", args=[plan.pk]), {"sort": "drop table"})
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 4


def test_target_page_shows_source_history_and_forecast(viewer_client, task):
    target = make_target(
        task,
        "7-01",
        name="新建续建中小学幼儿园",
        goal=Decimal("23"),
        unit_of_measure="所",
        source_text="新建、续建中小学幼儿园23所",
    )
    make_figure(target, JUNE, 10, source_text="新建中小学、幼儿园10所")
    response = viewer_client.get(reverse("targets:target-detail", args=[target.pk]))
    assessment = response.context["assessment"]
    assert assessment.light == rules.Light.ON_TRACK
    assert assessment.completion == Decimal("43.5")
    assert assessment.expected_share == Decimal("49.6")
    # 13 schools to go in the 6 months after June.
    assert assessment.required_monthly_rate.quantize(Decimal("0.01")) == Decimal("2.17")
    html = response.content.decode()
    assert "新建、续建中小学幼儿园23所" in html
    assert "新建中小学、幼儿园10所" in html
    assert 'id="target-progress"' in html
    assert "由种子文件导入" in html


def test_target_page_hides_unapproved_figures(viewer_client, task):
    target = make_target(task, "1-09")
    make_figure(target, JUNE, 50, status=Figure.Status.SUBMITTED)
    response = viewer_client.get(reverse("targets:target-detail", args=[target.pk]), {"as_of": "2020-06"})
    assert response.context["figures"] == []
    assert response.context["assessment"].light == rules.Light.NO_DATA


def test_indicator_page_lists_monitored_figures(viewer_client, plan, task):
    gdp = make_target(
        task,
        "2-90",
        name="地区生产总值",
        kind=Target.Kind.MONITORED,
        goal=None,
        deadline=None,
        unit_of_measure="亿元",
    )
    make_figure(gdp, JUNE, "317.8", source_text="全区生产总值完成317.8亿元")
    meetings = make_target(task, "1-90", name="例会", kind=Target.Kind.MONITORED, goal=None, deadline=None)
    make_figure(meetings, JUNE, 100, value_qualifier=Figure.Qualifier.MORE_THAN)
    response = viewer_client.get(reverse("targets:indicator-list", args=[plan.pk]))
    html = response.content.decode()
    assert "317.8" in html and "100余" in html
    [(_group_task, groups)] = response.context["by_task"]
    assert [[i.code for i, _figure in rows] for _sentence, rows in groups] == [["1-90"], ["2-90"]]


def test_indicators_quoted_from_one_sentence_print_it_once(viewer_client, plan, task):
    sentence = "新增就业11348人,再就业2266人"
    for code, value in [("7-12", 11348), ("7-13", 2266)]:
        indicator = make_target(task, code, kind=Target.Kind.MONITORED, goal=None, deadline=None)
        make_figure(indicator, JUNE, value, source_text=sentence)
    html = viewer_client.get(reverse("targets:indicator-list", args=[plan.pk])).content.decode()
    assert html.count(sentence) == 1
    assert '<td class="quote" rowspan="2"' in html


def _populate(task, n):
    unit = make_unit(f"单位{n}")
    for i in range(n):
        target = make_target(task, f"1-{i:02d}", units=[unit])
        make_figure(target, JUNE, 10 * (i + 1))


@pytest.mark.parametrize(
    "url_name",
    ["targets:plan-detail", "targets:keytask-detail", "targets:target-list", "targets:indicator-list"],
)
def test_list_pages_query_count_does_not_grow_with_rows(viewer_client, plan, url_name, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the full rendering every time
    counts = []
    for n in (1, 3):
        task = make_task(plan, n)
        _populate(task, n)
        pk = task.pk if url_name == "targets:keytask-detail" else plan.pk
        counts.append(count_queries(viewer_client, reverse(url_name, args=[pk])))
        Target.objects.filter(key_task=task).delete()
    assert counts[0] == counts[1]


def test_target_page_query_count_does_not_grow_with_figures(viewer_client, task, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the full rendering every time
    counts = []
    for months in (1, 3):
        target = make_target(task, f"1-{months}")
        for m in range(1, months + 1):
            make_figure(target, dt.date(2020, m, 1), 10 * m)
        counts.append(count_queries(viewer_client, reverse("targets:target-detail", args=[target.pk])))
    assert counts[0] == counts[1]


def test_target_links_keep_the_as_of_date(viewer_client, task, four_targets):
    response = viewer_client.get(reverse("targets:keytask-detail", args=[task.pk]), {"as_of": "2020-06"})
    html = response.content.decode()
    assert f'href="/plans/targets/{four_targets[0].pk}/?as_of=2020-06-30"' in html


def test_list_filter_by_risk_and_the_warning_in_the_verdict_cell(viewer_client, plan, four_targets):
    url = reverse("targets:target-list", args=[plan.pk])
    # 1-02: 10 at 6-30 projects to 20.17 of 100 by 12-31; 1-01's 60 projects to 121.
    at_risk = viewer_client.get(url, {"as_of": "2020-06-30", "risk": "true"})
    assert [r.record.target.code for r in at_risk.context["table"].rows] == ["1-02"]
    html = at_risk.content.decode()
    assert "预计难以完成" in html and "依据2020年6月数据" in html
    others = viewer_client.get(url, {"as_of": "2020-06-30", "risk": "false"})
    assert [r.record.target.code for r in others.context["table"].rows] == ["1-01", "1-03", "1-04"]


def test_overview_counts_each_tasks_supervised_items(viewer_client, plan, task):
    from supervision.models import State, SupervisedItem

    for code, state in [("1.1", State.DRAFT), ("1.2", State.IN_PROGRESS), ("1.3", State.CLOSED)]:
        SupervisedItem.objects.create(
            plan=plan,
            key_task=task,
            code=code,
            title=f"举措{code}",
            source_text="原文。",
            state=state,
            due_date=dt.date(2020, 12, 31),
        )
    response = viewer_client.get(reverse("targets:plan-detail", args=[plan.pk]), {"as_of": "2020-06-30"})
    assert response.context["items"] == {task.pk: {"total": 3, "closed": 1, "waiting": 1, "open": 1}}
    assert "待交办 1 · 推进中 1 · 已办结 1" in response.content.decode()


def test_a_milestone_counts_down_and_links_its_ledger_project(viewer_client, plan, task):
    from projects.tests.factories import make_group, make_project

    group = make_group(plan, "二砂文化创意园", key_task=task)
    project = make_project(plan, "二砂文化创意园首开区", groups=[group])
    ersha = make_target(
        task,
        "5-02",
        kind=Target.Kind.MILESTONE,
        goal=None,
        deadline=dt.date(2020, 10, 31),
        ledger_group=group,
    )
    response = viewer_client.get(reverse("targets:target-detail", args=[ersha.pk]), {"as_of": "2020-06-30"})
    html = response.content.decode()
    # 6-30 → 10-31: 31 + 31 + 30 + 31 = 123 days.
    assert "(还有 123 天)" in html
    assert f'<a href="{project.get_absolute_url()}">二砂文化创意园首开区</a>' in html
    assert "—%" not in html
    late = viewer_client.get(reverse("targets:target-detail", args=[ersha.pk]), {"as_of": "2020-11-30"})
    assert "(已过期限 30 天)" in late.content.decode()


def test_amounts_in_yi_yuan_read_as_rmb_billion_on_english_pages(viewer_client, plan, task):
    investment = make_target(task, "3-02", goal=Decimal("303.0"), unit_of_measure="亿元")
    make_figure(investment, JUNE, "172.4")
    url = reverse("targets:target-detail", args=[investment.pk])
    chinese = viewer_client.get(url, {"as_of": "2020-06"}).content.decode()
    assert "≥ 303 亿元" in chinese and "172.4 亿元" in chinese
    viewer_client.cookies["django_language"] = "en"
    english = viewer_client.get(url, {"as_of": "2020-06"}).content.decode()
    assert "≥ RMB 30.3 billion" in english and "RMB 17.24 billion" in english
