"""Unit tests for the pure status rules; no database, numbers worked by hand in the comments.

Day counts used throughout (2020 is a leap year):
  2020-01-01 → 2020-06-15: 166 days    2020-01-01 → 2020-06-30: 181 days
  2020-01-01 → 2020-09-30: 273 days    2020-01-01 → 2020-10-31: 304 days
  2020-01-01 → 2020-12-31: 365 days    2020-06-30 → 2020-12-31: 184 days
"""

from datetime import date
from decimal import Decimal as D

from targets.rules import (
    Assessment,
    Commitment,
    Direction,
    Kind,
    Light,
    Observation,
    Reporting,
    TargetSpec,
    Thresholds,
    assess,
    completion_share,
    expected_share,
    expected_value,
    gap_points,
    is_achieved,
    planned_path_problems,
    projected_value,
    reporting_state,
    required_monthly_rate,
    status_light,
)

START = date(2020, 1, 1)
YEAR_END = date(2020, 12, 31)
H1 = date(2020, 6, 30)
DEFAULT = Thresholds()


def q1(value):
    return value.quantize(D("0.1"))


def spec(kind=Kind.CUMULATIVE, direction=Direction.AT_LEAST, goal=D(23), baseline=D(0), **kwargs):
    values = {"start": START, "deadline": YEAR_END, **kwargs}
    return TargetSpec(kind=kind, direction=direction, goal=goal, baseline=baseline, **values)


def obs(year, month, day, value=None, **kwargs):
    return Observation(month_end=date(year, month, day), value=None if value is None else D(value), **kwargs)


SCHOOLS = spec()  # 23 schools by year end, from 0
CLASSES_56 = spec(kind=Kind.LEVEL, direction=Direction.AT_MOST, goal=D(10), baseline=D(20))  # ≤10%, from 20%
GREEN_SPACE = spec(goal=D("175.5"))  # 175.5万㎡ by year end
ERSHA = spec(
    kind=Kind.MILESTONE, goal=None, baseline=None, deadline=date(2020, 10, 31)
)  # 二砂首开区 by 10-31
GDP = spec(kind=Kind.MONITORED, goal=None, baseline=None, deadline=None)


# --- Light ----------------------------------------------------------------------------------------


def test_light_labels_symbols_and_severity_order():
    assert [light.label for light in Light] == [
        "已完成",
        "逾期完成",
        "达标",
        "正常推进",
        "滞后",
        "严重滞后",
        "未完成",
        "逾期未完成",
        "未达标",
        "暂无数据",
        "无法评估",
        "监测",
    ]
    assert len({light.symbol for light in Light}) == len(Light)
    worst_first = sorted(Light, key=lambda light: light.severity, reverse=True)
    assert worst_first == [
        Light.OVERDUE,
        Light.NOT_COMPLETED,
        Light.BELOW_STANDARD,
        Light.SERIOUSLY_BEHIND,
        Light.BEHIND,
        Light.UNASSESSABLE,
        Light.NO_DATA,
        Light.ON_TRACK,
        Light.ACHIEVED_LATE,
        Light.MEETS_STANDARD,
        Light.ACHIEVED,
        Light.MONITORED,
    ]
    assert Light("on_track") is Light.ON_TRACK and Light.ON_TRACK == "on_track"
    assert [state.label for state in Reporting] == [
        "已报送",
        "待报送",
        "逾期未报",
        "责任单位未明确",
        "台账统计",
        "未到报送期",
    ]
    # Only a passed due day without a figure is a unit's failure.
    assert [state for state in Reporting if state.is_units_failure] == [Reporting.LATE]


# --- gte cumulative: 23 schools, 10 built by 30 June ----------------------------------------------


def test_cumulative_expected_completion_and_gap():
    # expected share = 181 / 365 = 49.589…% → 49.6; expected value = 23 × 181/365 = 11.405…
    assert q1(expected_share(spec=SCHOOLS, on=H1)) == D("49.6")
    assert expected_value(spec=SCHOOLS, on=H1) == D(23) * (D(181) / D(365))
    # completion = 10 / 23 = 43.478…% → 43.5
    completion = completion_share(spec=SCHOOLS, value=D(10))
    assert q1(completion) == D("43.5")
    assert gap_points(completion=D("43.5"), expected=D("49.6")) == D("-6.1")
    assert gap_points(completion=None, expected=D("49.6")) is None


def test_cumulative_assessment_on_track():
    result = assess(spec=SCHOOLS, observations=[obs(2020, 6, 30, 10)], as_of=H1, thresholds=DEFAULT)
    assert result == Assessment(
        light=Light.ON_TRACK,  # gap −6.1 >= −10
        latest=obs(2020, 6, 30, 10),
        expected=D("11.41"),  # 11.405…
        expected_share=D("49.6"),
        completion=D("43.5"),
        gap=D("-6.1"),
        required_monthly_rate=D("2.17"),  # (23 − 10) / 6 months = 2.1666…
        projected=D("20.17"),  # 10 × 365/181 = 20.165…
        projected_achieves=False,
        measured_on=H1,
        achieved_on=None,
        at_risk=True,  # on track today, but the trend lands at 20.17 of 23: 预计难以完成
    )


def test_expected_clipped_to_start_and_deadline():
    assert expected_value(spec=SCHOOLS, on=date(2019, 12, 1)) == D(0)
    assert expected_share(spec=SCHOOLS, on=date(2021, 3, 31)) == D(100)
    assert expected_value(spec=SCHOOLS, on=date(2021, 3, 31)) == D(23)


def test_achieved_when_goal_met_before_deadline():
    observations = [obs(2020, 5, 31, 20), obs(2020, 6, 30, 24)]
    assert (
        status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=DEFAULT) == Light.ACHIEVED
    )
    # completion 24/23 = 104.3%: may exceed 100
    assert q1(completion_share(spec=SCHOOLS, value=D(24))) == D("104.3")
    assert required_monthly_rate(spec=SCHOOLS, observations=observations, as_of=H1) is None


def test_achieved_stays_achieved_with_an_old_figure():
    # Goal met in October; no November figure, as_of is after the deadline: still achieved.
    observations = [obs(2020, 10, 31, 23)]
    light = status_light(spec=SCHOOLS, observations=observations, as_of=date(2021, 1, 15), thresholds=DEFAULT)
    assert light == Light.ACHIEVED


def test_behind_and_seriously_behind():
    # expected 49.6; 7/23 = 30.4 → gap −19.2; 3/23 = 13.0 → gap −36.6
    assert status_light(spec=SCHOOLS, observations=[obs(2020, 6, 30, 7)], as_of=H1, thresholds=DEFAULT) == (
        Light.BEHIND
    )
    assert status_light(spec=SCHOOLS, observations=[obs(2020, 6, 30, 3)], as_of=H1, thresholds=DEFAULT) == (
        Light.SERIOUSLY_BEHIND
    )


def test_light_follows_the_rounded_gap_shown():
    # Planned 500 of 1000 by June → expected 50.0; 399.6 → completion 39.96 → shown 40.0.
    # Shown gap 40.0 − 50.0 = −10.0, which is on track (the unrounded −10.04 would be behind).
    target = spec(goal=D(1000), planned_path=((H1, D(500)),))
    result = assess(spec=target, observations=[obs(2020, 6, 30, "399.6")], as_of=H1, thresholds=DEFAULT)
    assert (result.completion, result.expected_share, result.gap) == (D("40.0"), D("50.0"), D("-10.0"))
    assert result.light == Light.ON_TRACK


# --- lte level: classes of 56+ pupils ≤ 10%, from 20% ---------------------------------------------


def test_lte_completion_measured_downward():
    # (15 − 20) / (10 − 20) = 50%
    assert completion_share(spec=CLASSES_56, value=D(15)) == D(50)
    # (25 − 20) / (10 − 20) = −50%: moved away from the goal
    assert completion_share(spec=CLASSES_56, value=D(25)) == D(-50)
    # expected value on 30 June: 20 − 10 × 181/365 = 15.04…
    assert expected_value(spec=CLASSES_56, on=H1).quantize(D("0.01")) == D("15.04")


def test_lte_achieved_at_or_under_goal():
    assert is_achieved(spec=CLASSES_56, value=D(10))
    assert is_achieved(spec=CLASSES_56, value=D("9.5"))
    assert not is_achieved(spec=CLASSES_56, value=D("10.1"))
    light = status_light(spec=CLASSES_56, observations=[obs(2020, 6, 30, 9)], as_of=H1, thresholds=DEFAULT)
    assert light == Light.ACHIEVED


def test_lte_assessment_and_negative_required_rate():
    result = assess(spec=CLASSES_56, observations=[obs(2020, 6, 30, 15)], as_of=H1, thresholds=DEFAULT)
    # completion 50.0 − expected 49.6 = +0.4
    assert (result.completion, result.expected_share, result.gap) == (D("50.0"), D("49.6"), D("0.4"))
    assert result.light == Light.ON_TRACK
    # (10 − 15) / 6 = −0.8333…: a decrease of 0.83 points a month is needed
    assert required_monthly_rate(spec=CLASSES_56, observations=[obs(2020, 6, 30, 15)], as_of=H1) == (
        D(-5) / D(6)
    )
    assert result.required_monthly_rate == D("-0.83")
    # projected: line from (1 Jan, 20) to (30 Jun, 15), read at 31 Dec: 20 − 5 × 365/181 = 9.917…
    assert result.projected == D("9.92")
    assert result.projected_achieves is True


# --- goal equal to baseline -----------------------------------------------------------------------


def test_goal_equal_to_baseline():
    integrity = spec(kind=Kind.LEVEL, goal=D(98), baseline=D(98))  # road integrity ≥ 98%, held
    assert completion_share(spec=integrity, value=D("98.5")) == D(100)
    assert completion_share(spec=integrity, value=D(97)) == D(0)
    assert expected_value(spec=integrity, on=H1) == D(98)
    assert q1(expected_share(spec=integrity, on=H1)) == D("49.6")  # the elapsed share of time

    classes_66 = spec(kind=Kind.LEVEL, direction=Direction.AT_MOST, goal=D(0), baseline=D(0))  # eliminated
    assert completion_share(spec=classes_66, value=D(0)) == D(100)
    assert completion_share(spec=classes_66, value=D(2)) == D(0)


# --- deadlines before year end --------------------------------------------------------------------


def test_deadline_30_september():
    target = spec(goal=D(100), deadline=date(2020, 9, 30))
    # 181 / 273 = 66.30…%
    assert q1(expected_share(spec=target, on=H1)) == D("66.3")
    # 60 of 100 → 60.0 − 66.3 = −6.3 → on track
    assert status_light(spec=target, observations=[obs(2020, 6, 30, 60)], as_of=H1, thresholds=DEFAULT) == (
        Light.ON_TRACK
    )
    # on the deadline itself, 90 of 100 is not completed, however close (never "on track")
    sept = [obs(2020, 9, 30, 90)]
    assert status_light(spec=target, observations=sept, as_of=date(2020, 9, 30), thresholds=DEFAULT) == (
        Light.NOT_COMPLETED
    )
    # a month later, not achieved → overdue; no rate needed any more
    oct_31 = date(2020, 10, 31)
    assert status_light(spec=target, observations=sept, as_of=oct_31, thresholds=DEFAULT) == Light.OVERDUE
    assert required_monthly_rate(spec=target, observations=sept, as_of=oct_31) is None
    done = [obs(2020, 9, 30, 100)]
    assert status_light(spec=target, observations=done, as_of=oct_31, thresholds=DEFAULT) == Light.ACHIEVED


def test_deadline_31_october():
    target = spec(goal=D(100), deadline=date(2020, 10, 31))
    # 181 / 304 = 59.53…%
    assert q1(expected_share(spec=target, on=H1)) == D("59.5")
    assert expected_share(spec=target, on=date(2020, 11, 30)) == D(100)
    # (100 − 60) / 4 months (30 Jun → 31 Oct) = 10
    assert required_monthly_rate(spec=target, observations=[obs(2020, 6, 30, 60)], as_of=H1) == D(10)


# --- milestones -----------------------------------------------------------------------------------


def test_milestone_not_reached_before_deadline_is_on_track():
    observations = [obs(2020, 6, 30, reached=False)]
    result = assess(spec=ERSHA, observations=observations, as_of=H1, thresholds=DEFAULT)
    assert result.light == Light.ON_TRACK
    assert result.completion is None and result.expected is None and result.gap is None
    assert (
        result.required_monthly_rate is None
        and result.projected is None
        and result.projected_achieves is None
    )


def test_milestone_reached():
    observations = [
        obs(2020, 8, 31, reached=False),
        obs(2020, 9, 30, reached=True, reached_on=date(2020, 9, 28)),
    ]
    light = status_light(spec=ERSHA, observations=observations, as_of=date(2020, 9, 30), thresholds=DEFAULT)
    assert light == Light.ACHIEVED
    assert is_achieved(spec=ERSHA, reached=True)
    assert not is_achieved(spec=ERSHA, reached=None)


def test_milestone_overdue():
    observations = [obs(2020, 10, 31, reached=False)]
    light = status_light(spec=ERSHA, observations=observations, as_of=date(2020, 11, 30), thresholds=DEFAULT)
    assert light == Light.OVERDUE


def test_milestone_verdict_comes_from_its_latest_figure_with_its_age():
    observations = [obs(2020, 6, 30, reached=False)]
    result = assess(spec=ERSHA, observations=observations, as_of=date(2020, 7, 31), thresholds=DEFAULT)
    assert (result.light, result.measured_on) == (Light.ON_TRACK, H1)


# --- monitored indicators -------------------------------------------------------------------------


def test_monitored_indicator():
    observations = [obs(2020, 6, 30, "317.8")]  # GDP 317.8亿元 in H1
    result = assess(spec=GDP, observations=observations, as_of=H1, thresholds=DEFAULT)
    assert result == Assessment(
        light=Light.MONITORED,
        latest=obs(2020, 6, 30, "317.8"),
        expected=None,
        expected_share=None,
        completion=None,
        gap=None,
        required_monthly_rate=None,
        projected=None,  # no deadline
        projected_achieves=None,
        measured_on=H1,
    )
    assert status_light(spec=GDP, observations=[], as_of=H1, thresholds=DEFAULT) == Light.MONITORED


# --- reporting ------------------------------------------------------------------------------------


def test_no_figures_at_all():
    result = assess(spec=SCHOOLS, observations=[], as_of=H1, thresholds=DEFAULT)
    assert (result.light, result.measured_on) == (Light.NO_DATA, None)
    assert result.latest is None and result.completion is None and result.gap is None
    assert result.expected_share == D("49.6")
    # from the baseline: (23 − 0) / 6 = 3.833…
    assert result.required_monthly_rate == D("3.83")
    assert result.projected is None


def test_an_older_figure_is_judged_at_its_own_date():
    # No June figure yet on 30 June: May's is judged against May's 序时进度, not June's.
    # expected 151/365 = 41.36…% → 41.4; completion 9/23 = 39.13…% → 39.1; gap −2.3
    result = assess(spec=SCHOOLS, observations=[obs(2020, 5, 31, 9)], as_of=H1, thresholds=DEFAULT)
    assert (result.light, result.measured_on) == (Light.ON_TRACK, date(2020, 5, 31))
    assert (result.expected_share, result.completion, result.gap) == (D("41.4"), D("39.1"), D("-2.3"))


def test_mid_month_as_of_uses_last_closed_month():
    # as_of 15 June: May is the last closed month; its figure is compared with 31 May's 序时进度.
    # expected 151/365 = 41.36…% → 41.4; completion 9/23 = 39.13…% → 39.1; gap −2.3
    june_15 = date(2020, 6, 15)
    result = assess(spec=SCHOOLS, observations=[obs(2020, 5, 31, 9)], as_of=june_15, thresholds=DEFAULT)
    assert (result.expected_share, result.completion, result.gap) == (D("41.4"), D("39.1"), D("-2.3"))
    assert result.light == Light.ON_TRACK
    # (23 − 9) / 7 months (15 Jun → 31 Dec, the part month counted whole) = 2
    assert result.required_monthly_rate == D("2.00")


def test_figures_after_as_of_are_ignored():
    observations = [obs(2020, 6, 30, 10), obs(2020, 7, 31, 23)]
    result = assess(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=DEFAULT)
    assert result.latest == obs(2020, 6, 30, 10)
    assert result.light == Light.ON_TRACK


def test_month_dated_by_its_first_day_counts_from_its_end():
    # A June figure dated 1 June is not yet counted on 15 June, and counted on 30 June.
    observations = [obs(2020, 6, 1, 10)]
    assert (
        assess(spec=SCHOOLS, observations=observations, as_of=date(2020, 6, 15), thresholds=DEFAULT).latest
        is None
    )
    assert (
        status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=DEFAULT) == Light.ON_TRACK
    )


def test_unassessable_level_without_baseline():
    integrity = spec(kind=Kind.LEVEL, goal=D(98), baseline=None)
    assert status_light(
        spec=integrity, observations=[obs(2020, 6, 30, 95)], as_of=H1, thresholds=DEFAULT
    ) == (Light.UNASSESSABLE)
    # meeting the goal needs no baseline
    assert status_light(
        spec=integrity, observations=[obs(2020, 6, 30, 99)], as_of=H1, thresholds=DEFAULT
    ) == (Light.ACHIEVED)


def test_unassessable_without_deadline():
    target = spec(deadline=None)
    assert expected_value(spec=target, on=H1) is None
    assert status_light(spec=target, observations=[obs(2020, 6, 30, 10)], as_of=H1, thresholds=DEFAULT) == (
        Light.UNASSESSABLE
    )


# --- thresholds -----------------------------------------------------------------------------------


def test_thresholds_are_settings():
    observations = [obs(2020, 6, 30, 10)]  # gap −6.1
    assert (
        status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=DEFAULT) == Light.ON_TRACK
    )
    stricter = Thresholds(on_track=D(-5), behind=D(-30))
    assert (
        status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=stricter) == Light.BEHIND
    )
    strictest = Thresholds(on_track=D(-5), behind=D(-6))
    assert status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=strictest) == (
        Light.SERIOUSLY_BEHIND
    )


# --- planned path ---------------------------------------------------------------------------------


def test_planned_path_overrides_linear_expectation():
    path = (
        (date(2020, 3, 31), D(3)),
        (date(2020, 6, 30), D(15)),
        (date(2020, 9, 30), D(20)),
        (YEAR_END, D(23)),
    )
    target = spec(planned_path=path)
    assert expected_value(spec=target, on=date(2020, 2, 15)) == D(0)  # before the first point: baseline
    assert expected_value(spec=target, on=date(2020, 6, 29)) == D(3)
    assert expected_value(spec=target, on=H1) == D(15)
    # 15 / 23 = 65.21…%; completion 43.5 → gap −21.7 → behind (on track on the straight line)
    result = assess(spec=target, observations=[obs(2020, 6, 30, 10)], as_of=H1, thresholds=DEFAULT)
    assert (result.expected, result.expected_share, result.gap) == (D("15.00"), D("65.2"), D("-21.7"))
    assert result.light == Light.BEHIND


def test_planned_path_dated_by_first_of_month():
    target = spec(planned_path=((date(2020, 6, 1), D(15)),))
    assert expected_value(spec=target, on=date(2020, 6, 29)) == D(0)
    assert expected_value(spec=target, on=H1) == D(15)


# --- required monthly rate ------------------------------------------------------------------------


def test_required_monthly_rate_green_space():
    # (175.5 − 74.4) / 6 months (30 Jun → 31 Dec) = 101.1 / 6 = 16.85
    rate = required_monthly_rate(spec=GREEN_SPACE, observations=[obs(2020, 6, 30, "74.4")], as_of=H1)
    assert rate == D("16.85")


def test_required_monthly_rate_months_left():
    observations = [obs(2020, 11, 30, 20)]
    # on the deadline: at least one month → 23 − 20 = 3
    assert required_monthly_rate(spec=SCHOOLS, observations=observations, as_of=YEAR_END) == D(3)
    # 30 Nov → 31 Dec: one month
    assert required_monthly_rate(spec=SCHOOLS, observations=observations, as_of=date(2020, 11, 30)) == D(3)
    # after the deadline: none
    assert required_monthly_rate(spec=SCHOOLS, observations=observations, as_of=date(2021, 1, 31)) is None
    assert required_monthly_rate(spec=ERSHA, observations=[], as_of=H1) is None
    assert required_monthly_rate(spec=GDP, observations=[], as_of=H1) is None


# --- projected value ------------------------------------------------------------------------------


def test_projected_value_from_one_observation():
    # line from (1 Jan, 0) to (30 Jun, 10), read at 31 Dec: 10 × 365/181 = 20.1657…
    projected = projected_value(spec=SCHOOLS, observations=[obs(2020, 6, 30, 10)], as_of=H1)
    assert projected.quantize(D("0.0001")) == D("20.1657")
    assert projected_value(spec=spec(baseline=None), observations=[obs(2020, 6, 30, 10)], as_of=H1) is None
    assert projected_value(spec=SCHOOLS, observations=[], as_of=H1) is None


def test_projected_value_from_three_collinear_observations():
    # one per day: 30 Jun 100, 31 Jul 131, 31 Aug 162 → 31 Dec is 184 days after 30 Jun → 284
    observations = [obs(2020, 6, 30, 100), obs(2020, 7, 31, 131), obs(2020, 8, 31, 162)]
    projected = projected_value(spec=spec(goal=D(300)), observations=observations, as_of=date(2020, 8, 31))
    assert projected == D(284)


def test_projected_value_least_squares_uses_last_three_up_to_as_of():
    # x (days from 30 Jun) = 0, 31, 62; y = 10, 14, 15; mean x 31, mean y 13
    # slope = ((−31)(−3) + 0 + (31)(2)) / (31² + 0 + 31²) = 155 / 1922 = 5/62 per day
    # at 31 Dec (x = 184): 13 + 5/62 × (184 − 31) = 13 + 765/62 = 1571/62 = 25.3387…
    # The older May figure and the September figure (after as_of) are not used.
    observations = [
        obs(2020, 5, 31, 99),
        obs(2020, 6, 30, 10),
        obs(2020, 7, 31, 14),
        obs(2020, 8, 31, 15),
        obs(2020, 9, 30, 0),
    ]
    as_of = date(2020, 8, 31)
    projected = projected_value(spec=SCHOOLS, observations=observations, as_of=as_of)
    assert projected.quantize(D("0.0001")) == D("25.3387")
    result = assess(spec=SCHOOLS, observations=observations, as_of=as_of, thresholds=DEFAULT)
    assert result.projected == D("25.34")
    assert result.projected_achieves is True  # 25.34 >= 23


# --- before the start -----------------------------------------------------------------------------


def test_as_of_before_start():
    target = spec(start=date(2020, 3, 1))
    jan_31 = date(2020, 1, 31)
    assert expected_value(spec=target, on=jan_31) == D(0)
    assert expected_share(spec=target, on=jan_31) == D(0)
    # even with a figure for the last closed month, nothing is expected yet: no verdict
    observations = [obs(2020, 1, 31, 1)]
    result = assess(spec=target, observations=observations, as_of=jan_31, thresholds=DEFAULT)
    assert result.light == Light.NO_DATA
    # (23 − 1) / 11 months (31 Jan → 31 Dec) = 2
    assert result.required_monthly_rate == D("2.00")


# --- the deadline day, the day after, the year-end review in January -------------------------------

PROJECT_STARTS = spec(goal=D(12), deadline=date(2020, 9, 30))  # 12 project starts by 9-30
ROADS = spec(goal=D(37), commitment=Commitment.STRETCH)  # 力争 37 roads open by year end
SEPT_30 = date(2020, 9, 30)


def test_deadline_day_not_achieved_is_not_completed_then_overdue():
    eleven = [obs(2020, 9, 30, 11)]
    # 11 of 12 on 9-30: 91.7% against 100% → −8.3 would be "on track" by the gap; never at a deadline.
    assert status_light(spec=PROJECT_STARTS, observations=eleven, as_of=SEPT_30, thresholds=DEFAULT) == (
        Light.NOT_COMPLETED
    )
    assert status_light(
        spec=PROJECT_STARTS, observations=eleven, as_of=date(2020, 10, 1), thresholds=DEFAULT
    ) == (Light.OVERDUE)
    # 34 of 37 roads on 12-31, then the year-end review on 2021-01-15 (no January figure needed).
    roads = [obs(2020, 12, 31, 34)]
    assert status_light(spec=ROADS, observations=roads, as_of=YEAR_END, thresholds=DEFAULT) == (
        Light.NOT_COMPLETED
    )
    review = assess(spec=ROADS, observations=roads, as_of=date(2021, 1, 15), thresholds=DEFAULT)
    assert (review.light, review.measured_on, review.at_risk) == (Light.OVERDUE, YEAR_END, False)
    # An older figure does not save it: August's 10 of 12, read on 9-30, is not completed.
    august = [obs(2020, 8, 31, 10)]
    result = assess(spec=PROJECT_STARTS, observations=august, as_of=SEPT_30, thresholds=DEFAULT)
    assert (result.light, result.measured_on) == (Light.NOT_COMPLETED, date(2020, 8, 31))


def test_milestone_not_reached_on_its_deadline_day():
    # 二砂 due 10-31: reported not reached in October.
    october = [obs(2020, 10, 31, reached=False)]
    assert status_light(spec=ERSHA, observations=october, as_of=date(2020, 10, 31), thresholds=DEFAULT) == (
        Light.NOT_COMPLETED
    )
    assert status_light(spec=ERSHA, observations=october, as_of=date(2020, 11, 1), thresholds=DEFAULT) == (
        Light.OVERDUE
    )


def test_no_figure_at_all_waits_even_after_the_deadline():
    # The verdict waits for data; the reporting state (逾期未报) says whose move it is.
    assert status_light(
        spec=PROJECT_STARTS, observations=[], as_of=date(2021, 1, 15), thresholds=DEFAULT
    ) == (Light.NO_DATA)


def test_late_achievement():
    # 12 of 12 first reported in October: achieved, but after the 9-30 deadline.
    figures = [obs(2020, 9, 30, 11), obs(2020, 10, 31, 12)]
    result = assess(spec=PROJECT_STARTS, observations=figures, as_of=date(2020, 11, 30), thresholds=DEFAULT)
    assert (result.light, result.achieved_on) == (Light.ACHIEVED_LATE, date(2020, 10, 31))
    # Reached in September: on time, and it stays so after the deadline.
    on_time = [obs(2020, 8, 31, 11), obs(2020, 9, 30, 12), obs(2020, 10, 31, 12)]
    result = assess(spec=PROJECT_STARTS, observations=on_time, as_of=date(2021, 1, 15), thresholds=DEFAULT)
    assert (result.light, result.achieved_on) == (Light.ACHIEVED, SEPT_30)
    # A milestone's own date decides: reached on 11-03, reported with November, due 10-31.
    late = [obs(2020, 11, 30, reached=True, reached_on=date(2020, 11, 3))]
    result = assess(spec=ERSHA, observations=late, as_of=date(2020, 11, 30), thresholds=DEFAULT)
    assert (result.light, result.achieved_on) == (Light.ACHIEVED_LATE, date(2020, 11, 3))
    # Reached on 10-28 but reported with November's figure: on time.
    reported_late = [obs(2020, 11, 30, reached=True, reached_on=date(2020, 10, 28))]
    assert status_light(
        spec=ERSHA, observations=reported_late, as_of=date(2020, 11, 30), thresholds=DEFAULT
    ) == (Light.ACHIEVED)


def test_achievement_dates_from_the_latest_run_of_achieving_figures():
    # Met in August, fell back in September (a correction), met again in November: achieved 11-30.
    figures = [obs(2020, 8, 31, 23), obs(2020, 9, 30, 22), obs(2020, 11, 30, 23)]
    result = assess(spec=SCHOOLS, observations=figures, as_of=YEAR_END, thresholds=DEFAULT)
    assert (result.light, result.achieved_on) == (Light.ACHIEVED, date(2020, 11, 30))


# --- standards to keep: floors and ceilings ---------------------------------------------------------

INTEGRITY = spec(kind=Kind.LEVEL, goal=D(98), baseline=D(98), standard=True)  # 道路设施完好率不低于98%
CLASSES_56_CAP = spec(kind=Kind.LEVEL, direction=Direction.AT_MOST, goal=D(10), baseline=None, standard=True)
CLASSES_66_GONE = spec(kind=Kind.LEVEL, direction=Direction.AT_MOST, goal=D(0), baseline=None, standard=True)


def test_floor_is_met_or_not_at_every_reading_whatever_the_baseline():
    for month_end in (date(2020, 1, 31), H1, SEPT_30, YEAR_END):
        below = assess(
            spec=INTEGRITY,
            observations=[obs(2020, month_end.month, month_end.day, 97)],
            as_of=month_end,
            thresholds=DEFAULT,
        )
        assert (below.light, below.at_risk) == (Light.BELOW_STANDARD, False)
        met = [obs(2020, month_end.month, month_end.day, "98.0")]
        assert status_light(spec=INTEGRITY, observations=met, as_of=month_end, thresholds=DEFAULT) == (
            Light.MEETS_STANDARD
        )
    # Read in the year-end review too, from December's figure.
    december = [obs(2020, 12, 31, "98.5")]
    assert status_light(
        spec=INTEGRITY, observations=december, as_of=date(2021, 1, 15), thresholds=DEFAULT
    ) == (Light.MEETS_STANDARD)


def test_ceiling_without_baseline_and_elimination():
    # ≤10% with no baseline: judged at every reading, never 无法评估.
    assert (
        status_light(
            spec=CLASSES_56_CAP,
            observations=[obs(2020, 3, 31, "9.8")],
            as_of=date(2020, 3, 31),
            thresholds=DEFAULT,
        )
        == Light.MEETS_STANDARD
    )
    assert (
        status_light(
            spec=CLASSES_56_CAP, observations=[obs(2020, 6, 30, "10.2")], as_of=H1, thresholds=DEFAULT
        )
        == Light.BELOW_STANDARD
    )
    # 彻底消除: 2 classes of 66+ left is below the standard, 0 meets it.
    assert (
        status_light(spec=CLASSES_66_GONE, observations=[obs(2020, 6, 30, 2)], as_of=H1, thresholds=DEFAULT)
        == Light.BELOW_STANDARD
    )
    assert (
        status_light(
            spec=CLASSES_66_GONE,
            observations=[obs(2020, 9, 30, 0)],
            as_of=date(2020, 10, 15),
            thresholds=DEFAULT,
        )
        == Light.MEETS_STANDARD
    )
    assert status_light(spec=CLASSES_66_GONE, observations=[], as_of=H1, thresholds=DEFAULT) == Light.NO_DATA


# --- a mid-month reading -------------------------------------------------------------------------------


def test_mid_month_reading_keeps_the_verdict_of_the_last_figure():
    # 7-11 green space: 74.4 of 175.5万㎡ at 6-30. completion 42.39… → 42.4; expected 49.6; gap −7.2.
    # Read on 7-15 it is still compared with 6-30 (against 7-15's 53.7% it would read 滞后, −11.3).
    june = [obs(2020, 6, 30, "74.4")]
    at_h1 = assess(spec=GREEN_SPACE, observations=june, as_of=H1, thresholds=DEFAULT)
    mid_july = assess(spec=GREEN_SPACE, observations=june, as_of=date(2020, 7, 15), thresholds=DEFAULT)
    assert (at_h1.light, at_h1.gap) == (Light.ON_TRACK, D("-7.2"))
    assert (mid_july.light, mid_july.gap, mid_july.expected_share, mid_july.measured_on) == (
        Light.ON_TRACK,
        D("-7.2"),
        D("49.6"),
        H1,
    )


# --- risk beside the verdict ----------------------------------------------------------------------------


def test_projection_miss_is_a_warning_beside_the_verdict():
    # 7-11: 74.4 at 6-30 projects to 74.4 × 365/181 = 150.03 < 175.5: on track, but 预计难以完成.
    result = assess(spec=GREEN_SPACE, observations=[obs(2020, 6, 30, "74.4")], as_of=H1, thresholds=DEFAULT)
    assert (result.light, result.projected, result.projected_achieves, result.at_risk) == (
        Light.ON_TRACK,
        D("150.03"),
        False,
        True,
    )
    # A trend that reaches the goal carries no warning; nor does an achieved target.
    ahead = assess(spec=GREEN_SPACE, observations=[obs(2020, 6, 30, "90")], as_of=H1, thresholds=DEFAULT)
    assert (ahead.projected_achieves, ahead.at_risk) == (True, False)
    done = assess(spec=SCHOOLS, observations=[obs(2020, 6, 30, 23)], as_of=H1, thresholds=DEFAULT)
    assert (done.light, done.at_risk) == (Light.ACHIEVED, False)


# --- planned nodes ---------------------------------------------------------------------------------------


def test_planned_nodes_for_work_that_lands_in_bulk():
    # 37 roads, mostly opened in Q4: nodes 3 by 6-30, 10 by 9-30, 37 by 12-31.
    nodes = ((H1, D(3)), (SEPT_30, D(10)), (YEAR_END, D(37)))
    planned = spec(goal=D(37), planned_path=nodes)
    june = [obs(2020, 6, 30, 3)]
    # On the straight line 3/37 = 8.1% against 49.6%: −41.5 → 严重滞后.
    assert status_light(spec=spec(goal=D(37)), observations=june, as_of=H1, thresholds=DEFAULT) == (
        Light.SERIOUSLY_BEHIND
    )
    # Against the nodes: expected 3 (8.1%), gap 0.0 → 正常推进.
    result = assess(spec=planned, observations=june, as_of=H1, thresholds=DEFAULT)
    assert (result.light, result.expected, result.expected_share, result.gap) == (
        Light.ON_TRACK,
        D("3.00"),
        D("8.1"),
        D("0.0"),
    )
    # The straight-line trend (3 by 6-30 → 6.05 by 12-31) would say 预计难以完成; the plan says bulk in Q4.
    assert (result.projected_achieves, result.at_risk) == (False, False)
    # September: 6 against the node's 10 → 16.2 − 27.0 = −10.8 → 滞后.
    september = assess(spec=planned, observations=[obs(2020, 9, 30, 6)], as_of=SEPT_30, thresholds=DEFAULT)
    assert (september.light, september.gap) == (Light.BEHIND, D("-10.8"))


# --- "剩余": a target that starts from the figure that defines the remainder ---------------------------


def test_remaining_target_starts_from_its_defining_figure():
    # 487 compounds, 267 done at 6-30: the remaining 220 by year end, measured from 6-30.
    remaining = spec(goal=D(487), baseline=D(267), start=H1)
    # 10-31: 123 of 184 days = 66.8% expected; 400 done → (400 − 267) / 220 = 60.5% → −6.3.
    result = assess(
        spec=remaining, observations=[obs(2020, 10, 31, 400)], as_of=date(2020, 10, 31), thresholds=DEFAULT
    )
    assert (result.expected_share, result.completion, result.gap, result.light) == (
        D("66.8"),
        D("60.5"),
        D("-6.3"),
        Light.ON_TRACK,
    )


# --- reporting state ---------------------------------------------------------------------------------------


def reporting(as_of, reported=(), **kwargs):
    values = {
        "has_unit": True,
        "self_reported": True,
        "start": START,
        "deadline": YEAR_END,
        "period_end": YEAR_END,
        "reported_months": {date(2020, m, 1) for m in reported},
        "as_of": as_of,
        "due_day": 5,
    }
    return reporting_state(**{**values, **kwargs})


def test_reporting_state_by_the_due_day():
    # June's figure is due by 7-05. On 7-03 with January–May in: pending; on 7-06: late.
    assert reporting(date(2020, 7, 3), range(1, 6)) == Reporting.PENDING
    assert reporting(date(2020, 7, 6), range(1, 6)) == Reporting.LATE
    assert reporting(date(2020, 7, 6), range(1, 7)) == Reporting.SUBMITTED
    # A gap further back is late whatever the current month says.
    assert reporting(date(2020, 7, 3), [1, 2, 4, 5, 6]) == Reporting.LATE
    # Before the first month has closed nothing is due.
    assert reporting(date(2020, 1, 20)) == Reporting.NOT_DUE


def test_reporting_state_in_the_year_end_review_and_after_a_deadline():
    # December's figure is due 2021-01-05.
    assert reporting(date(2021, 1, 3), range(1, 12)) == Reporting.PENDING
    assert reporting(date(2021, 1, 15), range(1, 12)) == Reporting.LATE
    # A target due 9-30 needs no figure after September.
    assert reporting(date(2020, 12, 31), range(1, 10), deadline=SEPT_30) == Reporting.SUBMITTED


def test_no_unit_or_no_own_reporting_is_never_a_units_failure():
    assert reporting(date(2020, 7, 31), has_unit=False) == Reporting.NO_UNIT
    assert reporting(date(2020, 7, 31), self_reported=False) == Reporting.NOT_REQUIRED
    assert not Reporting.NO_UNIT.is_units_failure
    assert not Reporting.PENDING.is_units_failure


def test_planned_nodes_are_checked_before_use():
    roads = spec(goal=D(37))
    good = [(H1, D(3)), (SEPT_30, D(10)), (date(2020, 12, 1), D(37))]
    assert planned_path_problems(roads, good) == []
    backwards = [(H1, D(12)), (SEPT_30, D(10)), (YEAR_END, D(37))]
    assert planned_path_problems(roads, backwards) == [
        "累计目标的计划节点不能倒退:2020-09 的 10 比上一节点的 12 更远离目标。"
    ]
    short = [(H1, D(3)), (YEAR_END, D(30))]
    assert planned_path_problems(roads, short) == [
        "最后一个计划节点须在期限所在月(2020-12),且等于目标值 37。"
    ]
    early = [(H1, D(3)), (SEPT_30, D(37))]
    assert planned_path_problems(roads, early) == [
        "最后一个计划节点须在期限所在月(2020-12),且等于目标值 37。"
    ]
    outside = [(date(2021, 1, 31), D(37))]
    assert (
        planned_path_problems(roads, outside)[0]
        == "计划节点 2021-01 不在目标的起止月份(2020-01 至 2020-12)之内。"
    )
    twice = [(date(2020, 6, 1), D(3)), (H1, D(4)), (YEAR_END, D(37))]
    assert planned_path_problems(roads, twice) == ["每个月只能有一个计划节点。"]
    # A "≤" path must not rise.
    classes = spec(kind=Kind.CUMULATIVE, direction=Direction.AT_MOST, goal=D(0), baseline=D(20))
    assert planned_path_problems(classes, [(H1, D(10)), (YEAR_END, D(0))]) == []
    assert len(planned_path_problems(classes, [(H1, D(10)), (SEPT_30, D(12)), (YEAR_END, D(0))])) == 1
