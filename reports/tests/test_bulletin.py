"""The bulletin's assembly: headline, tables, ranking, problems, indicators and query count.

On 2020-06-30, 181 of the 365 days from 2020-01-01 to 2020-12-31 have passed: a 0 → 100 target
is expected at 49.6%, so 50 is on track (+0.4), 30 behind (−19.6) and 10 seriously behind (−39.6).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.tests.factories import make_group, make_problem, make_project
from reports.bulletin import (
    RANKING_RULE,
    BulletinError,
    UnitRank,
    build_bulletin,
    rank_units,
    resolve_month,
)
from targets.models import Figure, Target
from targets.rules import Light
from targets.tests.factories import make_figure, make_target, make_task, make_unit

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)
MAY = dt.date(2020, 5, 1)
NOW = dt.datetime(2020, 7, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_TIME = dt.datetime(2020, 7, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
LATE = dt.datetime(2020, 7, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def every_light(plan, task):
    """One target of each light on 2020-06-30, over two key tasks, plus an indicator."""
    second = make_task(plan, 2, title="保障改善民生")
    make_figure(make_target(task, "1-01", name="已完成目标"), JUNE, 100)
    make_figure(make_target(task, "1-02", name="正常目标"), JUNE, 50)
    make_figure(make_target(task, "1-03", name="滞后目标"), JUNE, 30)
    make_figure(make_target(second, "2-01", name="严重滞后目标"), JUNE, 10)
    make_figure(make_target(second, "2-02", name="逾期目标", deadline=dt.date(2020, 3, 31)), MAY, 10)
    make_target(second, "2-03", name="暂无数据目标")
    old = make_target(second, "2-04", name="上月有数目标")
    make_figure(old, MAY, 40)
    no_base = make_target(second, "2-05", name="无基线目标", kind=Target.Kind.LEVEL, baseline=None)
    make_figure(no_base, JUNE, 50)
    milestone = make_target(second, "2-06", name="里程碑目标", kind=Target.Kind.MILESTONE, goal=None)
    make_figure(milestone, JUNE, reached=False)
    indicator = make_target(
        second, "2-07", name="地区生产总值", kind=Target.Kind.MONITORED, goal=None, deadline=None
    )
    make_figure(indicator, MAY, 150)
    make_figure(indicator, JUNE, 317.8)


def test_headline_numbers_equal_the_table_counts(plan, every_light):
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    head = bulletin.headline
    table = {light: 0 for light in Light}
    for section in bulletin.tasks:
        for light, n in section.counts.items():
            table[light] += n

    assert head.total == sum(len(section.lines) for section in bulletin.tasks) == 9
    assert head.achieved == table[Light.ACHIEVED] == 1
    # 1-02, the milestone, and 2-04 (May's 40 judged at 5-31: 40.0 − 41.4 = −1.4)
    assert head.on_track == table[Light.ON_TRACK] == 3
    assert head.behind == table[Light.BEHIND] + table[Light.SERIOUSLY_BEHIND] == 2
    assert head.seriously_behind == table[Light.SERIOUSLY_BEHIND] == 1
    assert head.overdue == table[Light.OVERDUE] == 1
    assert head.no_data == table[Light.NO_DATA] == 1
    assert head.with_data == 8
    assert head.unassessable == table[Light.UNASSESSABLE] == 1
    assert sum(n for _label, n, _lights in head.parts) == head.total
    assert head.sentence == (
        "截至2020年6月底,全区9项量化目标中有数据的8项(数据覆盖8/9):已完成1项、正常推进3项、"
        "滞后2项(其中严重滞后1项)、逾期未完成1项、无法评估1项;暂无数据1项。"
    )


def test_sentence_leaves_out_empty_optional_parts(plan, task):
    make_figure(make_target(task, "1-01"), JUNE, 50)
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    assert (
        bulletin.headline.sentence
        == "截至2020年6月底,全区1项量化目标中有数据的1项(数据覆盖1/1):正常推进1项。"
    )


def test_attention_lists_overdue_then_seriously_behind_then_behind_then_at_risk(plan, every_light):
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    # 2-04 is on track on May's 40 (41.4 expected), but its trend reaches 40 × 365/151 = 96.7 of 100.
    assert [(line.target.code, line.light, line.row.at_risk) for line in bulletin.attention] == [
        ("2-02", Light.OVERDUE, False),
        ("2-01", Light.SERIOUSLY_BEHIND, True),
        ("1-03", Light.BEHIND, True),
        ("2-04", Light.ON_TRACK, True),
    ]
    assert [line.units_text for line in bulletin.attention] == ["未明确"] * 4
    assert [line.lead_official_text for line in bulletin.attention] == ["未明确"] * 4


def test_behind_targets_of_one_light_are_ordered_by_gap(plan, task):
    make_figure(make_target(task, "1-01", name="差一点"), JUNE, 35)  # gap −14.6
    worse = make_target(task, "1-02", name="差得多", lead_official="张副区长")
    make_figure(worse, JUNE, 25)  # gap −24.6
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    assert [line.target.code for line in bulletin.attention] == ["1-02", "1-01"]
    assert bulletin.attention[0].lead_official_text == "张副区长"


def test_values_shown_are_approved_or_say_not_reported(plan, task):
    approved = make_target(task, "1-01", name="已审核")
    make_figure(approved, MAY, 40)
    make_figure(approved, JUNE, 55, status=Figure.Status.SUBMITTED)  # not yet approved: not shown
    make_target(task, "1-02", name="无数据")
    milestone = make_target(
        task, "1-03", kind=Target.Kind.MILESTONE, goal=None, deadline=dt.date(2020, 10, 31)
    )
    make_figure(milestone, JUNE, reached=True, reached_on=dt.date(2020, 6, 18))
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    lines = {line.target.code: line for line in bulletin.lines}

    assert lines["1-01"].value == Decimal("40")
    assert lines["1-01"].value_text == "40个(5月)"
    assert lines["1-01"].light == Light.ON_TRACK  # May's 40 against 5-31's 41.4: −1.4
    assert lines["1-02"].value is None
    assert lines["1-02"].value_text == "暂无数据"
    assert lines["1-03"].value_text == "已完成(06-18)"
    assert lines["1-03"].goal_text == "10-31前完成"


def test_indicators_show_the_latest_approved_value(plan, every_light):
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    ((task, (line,)),) = bulletin.indicators
    assert task.number == 2
    assert line.value == Decimal("317.8")
    assert line.figure.month == JUNE
    assert bulletin.indicator_count == 1


def _unit_targets(task, unit, code, value, *, submitted_at):
    target = make_target(task, code, units=[unit])
    make_figure(target, JUNE, value, submitted_at=submitted_at)
    return target


def test_ranking_follows_its_rule_on_a_hand_worked_case(plan, task):
    """Three units; A and B tie on share (50%) and B wins on the on-time rate.

    A: achieved (on time) + behind (late)      → 1/2 = 50.0%, on time 1/2 = 50.0%
    B: on track (on time) + behind (on time)   → 1/2 = 50.0%, on time 2/2 = 100.0%
    C: achieved (late)                          → 1/1 = 100.0%, on time 0/1 = 0.0%
    Rule: share desc → C first despite its on-time rate; then B (100% on time) before A (50%).
    """
    a, b, c = make_unit("甲局"), make_unit("乙局"), make_unit("丙局")
    _unit_targets(task, a, "1-01", 100, submitted_at=ON_TIME)
    _unit_targets(task, a, "1-02", 30, submitted_at=LATE)
    _unit_targets(task, b, "1-03", 50, submitted_at=ON_TIME)
    _unit_targets(task, b, "1-04", 30, submitted_at=ON_TIME)
    _unit_targets(task, c, "1-05", 100, submitted_at=LATE)
    make_target(task, "1-06")  # nobody answers for it

    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)

    assert [
        (r.rank, r.unit_name, r.targets, r.good, r.good_share, r.on_time, r.on_time_rate)
        for r in bulletin.ranking
    ] == [
        (1, "丙局", 1, 1, Decimal("100.0"), 0, Decimal("0.0")),
        (2, "乙局", 2, 1, Decimal("50.0"), 2, Decimal("100.0")),
        (3, "甲局", 2, 1, Decimal("50.0"), 1, Decimal("50.0")),
    ]
    assert bulletin.unassigned_count == 1
    assert bulletin.unassigned_text == "未明确责任单位的目标 1 项"
    assert "按本月按时报送率从高到低" in bulletin.ranking_rule == str(RANKING_RULE)


def test_ranking_falls_back_to_target_count_then_name():
    entries = [
        UnitRank("乙", targets=2, good=1, reported_targets=2, on_time=2),
        UnitRank("甲", targets=2, good=1, reported_targets=2, on_time=2),
        UnitRank("丙", targets=4, good=2, reported_targets=4, on_time=4),
        UnitRank("丁", targets=2, good=1, reported_targets=0, on_time=0),  # nothing due: rate unknown, last
    ]
    assert [(r.rank, r.unit_name) for r in rank_units(entries)] == [
        (1, "丙"),
        (2, "乙"),
        (3, "甲"),
        (4, "丁"),
    ]
    # 乙 before 甲: names compare by code point (乙 U+4E59 < 甲 U+7532).


def test_problems_grouped_by_lead_official_as_of_the_month_end(plan):
    zhang = make_project(plan, "一号项目", lead_official="张副区长")
    nobody = make_project(plan, "二号项目")
    make_problem(zhang, "征地未完成", due_by=dt.date(2020, 6, 15))  # overdue on 06-30
    make_problem(zhang, "资金未到位", due_by=dt.date(2020, 7, 31))
    make_problem(zhang, "七月才提出", raised_on=dt.date(2020, 7, 2))  # not yet raised
    make_problem(zhang, "五月已解决", resolved_on=dt.date(2020, 5, 20))
    make_problem(nobody, "八月解决的", due_by=dt.date(2020, 6, 1), resolved_on=dt.date(2020, 8, 1))

    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)

    assert [
        (g.label, [(line.description, line.overdue) for line in g.lines]) for g in bulletin.problem_groups
    ] == [
        ("张副区长", [("征地未完成", True), ("资金未到位", False)]),
        ("未明确", [("八月解决的", True)]),
    ]
    assert (bulletin.open_problems, bulletin.overdue_problems) == (3, 2)


def test_project_groups_without_items_or_stated_count_are_counted_not_listed(plan):
    listed = make_group(plan, "计划开工项目", stated_count=12)
    make_group(plan, "空分组")
    make_project(plan, "一号项目", groups=[listed], stage="started", started_on=dt.date(2020, 3, 1))
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    assert [s.group.name for s in bulletin.project_groups] == ["计划开工项目"]
    # 1 of the 12 stated is registered, and started: rated over that 1, and labelled so (not 1/12).
    (started,) = [r for r in bulletin.project_groups[0].rates if r.stage == "started"]
    assert (started.basis, started.count, started.of, started.percent) == ("partial", 1, 1, Decimal("100.0"))
    assert (started.registered, started.stated) == (1, 12)
    assert bulletin.omitted_group_count == 1


def _world(plan, task, n_targets: int) -> None:
    unit = make_unit(f"单位{n_targets}")
    group = make_group(plan, f"分组{n_targets}", stated_count=3)
    for i in range(n_targets):
        target = make_target(task, f"1-{i:02d}", units=[unit], lead_official="张副区长")
        make_figure(target, JUNE, 30 + i)
        project = make_project(plan, f"项目{i}", groups=[group], lead_official="张副区长")
        make_problem(project, due_by=dt.date(2020, 6, 1))
    indicator = make_target(task, "9-99", kind=Target.Kind.MONITORED, goal=None, deadline=None)
    make_figure(indicator, JUNE, 1)


def _queries(plan) -> int:
    with CaptureQueriesContext(connection) as ctx:
        build_bulletin(plan=plan, month=JUNE, now=NOW)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_targets(plan, task):
    from targets.tests.factories import make_plan

    _world(plan, task, 1)
    other = make_plan(district="另一区")
    _world(other, make_task(other, 1), 3)
    assert _queries(plan) == _queries(other)


def test_month_is_resolved_or_refused_with_a_chinese_message(plan, task):
    make_figure(make_target(task, "1-01"), dt.date(2020, 8, 1), 10)
    today = dt.date(2021, 3, 1)
    assert resolve_month(None, plan, today=today) == dt.date(2020, 8, 1)
    assert resolve_month("2020-03", plan, today=today) == dt.date(2020, 3, 1)
    with pytest.raises(BulletinError, match="格式不对"):
        resolve_month("2020/03", plan, today=today)
    with pytest.raises(BulletinError, match="不在计划"):
        resolve_month("2021-01", plan, today=today)
    with pytest.raises(BulletinError, match="尚未结束"):
        resolve_month("2020-09", plan, today=dt.date(2020, 9, 15))
