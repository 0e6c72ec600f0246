"""The checks and the all-or-nothing save shared by every entry path."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from entry.roles import REPORTER, assign_role
from entry.write import EntriesRejected, Entry, check_entries, save_entries
from targets.models import Figure, FigureEvent, Target
from targets.tests.factories import make_figure, make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def reporter(task):
    user = make_user("rep")
    assign_role(user, REPORTER)
    unit = make_unit("甲单位")
    unit.members.add(user)
    user.unit = unit
    return user


@pytest.fixture
def schools(task, reporter):
    return make_target(task, "7-01", goal=D(23), unit_of_measure="所", units=[reporter.unit])


def check(entry, user):
    (result,) = check_entries([entry], user=user, today=dt.date(2026, 11, 21))
    return result


def test_a_good_entry_passes(schools, reporter):
    result = check(Entry(target=schools, month=dt.date(2020, 6, 1), value=D(10)), reporter)
    assert (result.errors, result.warnings) == ({}, {})


@pytest.mark.parametrize(
    ("month", "value", "field", "message"),
    [
        (dt.date(2020, 6, 1), D(-1), "value", "数值不能为负数。"),
        (dt.date(2020, 6, 1), None, "value", "请填写数值。"),
        (dt.date(2019, 12, 1), D(1), "month", "月份必须在计划年度 2020 年之内。"),
        (dt.date(2021, 1, 1), D(1), "month", "月份必须在计划年度 2020 年之内。"),
    ],
)
def test_value_and_month_errors(schools, reporter, month, value, field, message):
    result = check(Entry(target=schools, month=month, value=value), reporter)
    assert result.errors == {field: message}


@pytest.mark.parametrize(
    ("entry", "errors"),
    [
        ({"value": D("1.234")}, {"value": "数值最多保留 2 位小数,“1.234”的小数位数过多。"}),
        ({"value": D(10) ** 12}, {"value": "数值过大:小数点前最多 12 位数字,“1000000000000”超出。"}),
        (
            {"value": D(1), "problems": "问" * 5001},
            {"problems": "最多 5000 字,现有 5001 字,请精简。"},
        ),
        (
            {"value": D(1), "progress_note": "x" * 100_000, "anomaly_note": "y" * 5001},
            {
                "progress_note": "最多 5000 字,现有 100000 字,请精简。",
                "anomaly_note": "最多 5000 字,现有 5001 字,请精简。",
            },
        ),
        ({"value": D("1.230"), "problems": "问" * 5000}, {}),
    ],
    ids=["decimal-places", "too-large", "note", "two-notes", "at-the-limits"],
)
def test_entries_are_held_to_the_forms_rules(schools, reporter, entry, errors):
    """Whatever builds an Entry (a form, the Excel import, a kept preview) meets the same rules."""
    assert check(Entry(target=schools, month=dt.date(2020, 6, 1), **entry), reporter).errors == errors


def test_month_not_yet_ended(task, reporter):
    this_year = make_target(task, "7-02", units=[reporter.unit])
    this_year.key_task.plan.period_end = dt.date(2026, 12, 31)
    this_year.key_task.plan.save()
    (result,) = check_entries(
        [Entry(target=this_year, month=dt.date(2026, 11, 1), value=D(1))],
        user=reporter,
        today=dt.date(2026, 11, 21),
    )
    assert result.errors == {"month": "2026-11 尚未结束,不能填报该月数据。"}


def test_percentage_over_100(task, reporter):
    rate = make_target(
        task, "6-05", kind=Target.Kind.LEVEL, goal=D(98), unit_of_measure="%", units=[reporter.unit]
    )
    result = check(Entry(target=rate, month=dt.date(2020, 6, 1), value=D("100.5")), reporter)
    assert result.errors == {"value": "百分比必须在 0 到 100 之间。"}


def test_milestone_needs_the_date_reached(task, reporter):
    opening = make_target(task, "5-02", kind=Target.Kind.MILESTONE, goal=None, units=[reporter.unit])
    june = dt.date(2020, 6, 1)
    assert check(Entry(target=opening, month=june), reporter).errors == {
        "reached": "里程碑目标请填写是否已完成。"
    }
    assert check(Entry(target=opening, month=june, reached=True), reporter).errors == {
        "reached_on": "已完成的里程碑请填写完成日期。"
    }
    late = Entry(target=opening, month=june, reached=True, reached_on=dt.date(2020, 7, 2))
    assert check(late, reporter).errors == {"reached_on": "完成日期不能晚于所报月份的月末。"}
    ok = Entry(target=opening, month=june, reached=True, reached_on=dt.date(2020, 6, 20))
    assert check(ok, reporter).errors == {}


def test_cumulative_drop_needs_a_correction_reason(schools, reporter):
    make_figure(schools, dt.date(2020, 5, 1), 8, status=Figure.Status.APPROVED)
    drop = Entry(target=schools, month=dt.date(2020, 6, 1), value=D(7))
    assert check(drop, reporter).errors == {
        "correction_reason": "累计值 7 低于 2020-05 的 8,请填写更正原因。"
    }
    drop.correction_reason = "5月误报,实际为7所"
    assert check(drop, reporter).errors == {}


def test_value_over_three_times_the_goal_is_a_warning(schools, reporter):
    entry = Entry(target=schools, month=dt.date(2020, 6, 1), value=D(70))
    result = check(entry, reporter)
    assert result.errors == {}
    assert result.warnings == {"value": "数值 70 超过目标值 23 的 3 倍,请确认无误并在“异常说明”中说明。"}
    entry.anomaly_note = "含续建项目,已核实"
    assert check(entry, reporter).ok


def test_unusual_jump_is_a_warning(task, reporter):
    green = make_target(task, "7-11", goal=D("175.5"), unit_of_measure="万平方米", units=[reporter.unit])
    for month, value in [(1, 10), (2, 20), (3, 30)]:
        make_figure(green, dt.date(2020, month, 1), value)
    # Usual change 10 a month; +60 is 6 times that.
    result = check(Entry(target=green, month=dt.date(2020, 4, 1), value=D(90)), reporter)
    assert result.warnings == {
        "value": "本月变化 60 是以往月均变化 10.00 的 5 倍以上,请确认无误并在“异常说明”中说明。"
    }
    assert check(Entry(target=green, month=dt.date(2020, 4, 1), value=D(70)), reporter).ok


def test_same_target_twice_in_one_batch(schools, reporter):
    june = dt.date(2020, 6, 1)
    results = check_entries(
        [Entry(target=schools, month=june, value=D(1)), Entry(target=schools, month=june, value=D(2))],
        user=reporter,
        today=dt.date(2026, 11, 21),
    )
    assert [r.errors for r in results] == [{}, {"__all__": "同一目标同一月份出现了两次。"}]


def test_save_is_all_or_nothing(task, schools, reporter):
    other = make_target(task, "7-03", units=[reporter.unit])
    june = dt.date(2020, 6, 1)
    with pytest.raises(EntriesRejected) as rejected:
        save_entries(
            [Entry(target=schools, month=june, value=D(10)), Entry(target=other, month=june, value=D(-5))],
            user=reporter,
        )
    assert [c.ok for c in rejected.value.checks] == [True, False]
    assert Figure.objects.count() == 0


def test_save_creates_drafts_and_submits_with_events(task, schools, reporter):
    june = dt.date(2020, 6, 1)
    (draft,) = save_entries(
        [Entry(target=schools, month=june, value=D(10), progress_note="进展顺利")], user=reporter
    )
    assert (draft.status, draft.entered_by, draft.version, draft.progress_note) == (
        "draft",
        reporter,
        1,
        "进展顺利",
    )
    (submitted,) = save_entries(
        [Entry(target=schools, month=june, value=D(11), base_version=1)], user=reporter, submit=True
    )
    assert (submitted.status, submitted.value, submitted.version) == ("submitted", D(11), 2)
    assert submitted.submitted_at is not None
    assert list(FigureEvent.objects.values_list("action", "actor__username")) == [("submitted", "rep")]
    # Both saves are in the history, with who made them.
    assert list(
        submitted.history.order_by("history_date").values_list("value", "history_user__username")
    ) == [
        (D(10), "rep"),
        (D(11), "rep"),
    ]


def test_later_save_from_a_stale_version_is_refused(schools, reporter):
    june = dt.date(2020, 6, 1)
    save_entries([Entry(target=schools, month=june, value=D(10))], user=reporter)
    colleague = make_user("colleague")
    assign_role(colleague, REPORTER)
    reporter.unit.members.add(colleague)
    save_entries([Entry(target=schools, month=june, value=D(12), base_version=1)], user=colleague)
    with pytest.raises(EntriesRejected) as rejected:
        save_entries([Entry(target=schools, month=june, value=D(15), base_version=1)], user=reporter)
    (result,) = rejected.value.checks
    assert "被 colleague 修改" in result.errors["__all__"]
    assert Figure.objects.get().value == D(12)


def test_new_entry_where_one_exists_is_refused(schools, reporter):
    june = dt.date(2020, 6, 1)
    save_entries([Entry(target=schools, month=june, value=D(10))], user=reporter)
    with pytest.raises(EntriesRejected):
        save_entries([Entry(target=schools, month=june, value=D(11))], user=reporter)
    assert Figure.objects.get().value == D(10)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_leave_one_row_and_one_winner(task, schools, reporter):
    june = dt.date(2020, 6, 1)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(value):
        try:
            barrier.wait()
            save_entries([Entry(target=schools, month=june, value=D(value))], user=reporter)
            outcomes.append("saved")
        except EntriesRejected:
            outcomes.append("rejected")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(v,)) for v in (10, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["rejected", "saved"]
    assert Figure.objects.filter(target=schools, month=june).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_figure_never_lose_an_update_silently(task, schools, reporter):
    june = dt.date(2020, 6, 1)
    save_entries([Entry(target=schools, month=june, value=D(10))], user=reporter)
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(value):
        try:
            barrier.wait()
            save_entries([Entry(target=schools, month=june, value=D(value), base_version=1)], user=reporter)
            outcomes[value] = "saved"
        except EntriesRejected as rejected:
            outcomes[value] = rejected.checks[0].errors["__all__"]
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(v,)) for v in (11, 12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [v for v, outcome in outcomes.items() if outcome == "saved"]
    assert len(winners) == 1
    (loser,) = [outcome for outcome in outcomes.values() if outcome != "saved"]
    assert "修改" in loser
    figure = Figure.objects.get(target=schools, month=june)
    assert (figure.value, figure.version) == (D(winners[0]), 2)
