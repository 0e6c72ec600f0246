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
    Direction,
    Kind,
    Light,
    Observation,
    TargetSpec,
    Thresholds,
    assess,
    completion_share,
    expected_share,
    expected_value,
    gap_points,
    is_achieved,
    projected_value,
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
        "正常推进",
        "滞后",
        "严重滞后",
        "逾期未完成",
        "未报送",
        "无法评估",
        "监测",
    ]
    assert len({light.symbol for light in Light}) == len(Light)
    worst_first = sorted(Light, key=lambda light: light.severity, reverse=True)
    assert worst_first == [
        Light.OVERDUE,
        Light.SERIOUSLY_BEHIND,
        Light.BEHIND,
        Light.NOT_REPORTED,
        Light.UNASSESSABLE,
        Light.ON_TRACK,
        Light.ACHIEVED,
        Light.MONITORED,
    ]
    assert Light("on_track") is Light.ON_TRACK and Light.ON_TRACK == "on_track"


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
    assert status_light(
        spec=integrity, observations=[obs(2020, 6, 30, 99)], as_of=H1, thresholds=DEFAULT
    ) == (Light.ACHIEVED)
    # 0 − 49.6 = −49.6 → seriously behind
    assert status_light(
        spec=integrity, observations=[obs(2020, 6, 30, 97)], as_of=H1, thresholds=DEFAULT
    ) == (Light.SERIOUSLY_BEHIND)

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
    # on the deadline itself it is not yet overdue: 90 − 100 = −10.0 → on track
    sept = [obs(2020, 9, 30, 90)]
    assert status_light(spec=target, observations=sept, as_of=date(2020, 9, 30), thresholds=DEFAULT) == (
        Light.ON_TRACK
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


def test_milestone_without_current_figure_is_not_reported():
    observations = [obs(2020, 6, 30, reached=False)]
    light = status_light(spec=ERSHA, observations=observations, as_of=date(2020, 7, 31), thresholds=DEFAULT)
    assert light == Light.NOT_REPORTED


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
    )
    assert status_light(spec=GDP, observations=[], as_of=H1, thresholds=DEFAULT) == Light.MONITORED


# --- reporting ------------------------------------------------------------------------------------


def test_no_figures_at_all():
    result = assess(spec=SCHOOLS, observations=[], as_of=H1, thresholds=DEFAULT)
    assert result.light == Light.NOT_REPORTED
    assert result.latest is None and result.completion is None and result.gap is None
    assert result.expected_share == D("49.6")
    # from the baseline: (23 − 0) / 6 = 3.833…
    assert result.required_monthly_rate == D("3.83")
    assert result.projected is None


def test_stale_figure_is_not_reported():
    observations = [obs(2020, 5, 31, 9)]
    assert status_light(spec=SCHOOLS, observations=observations, as_of=H1, thresholds=DEFAULT) == (
        Light.NOT_REPORTED
    )


def test_mid_month_as_of_uses_last_closed_month():
    # as_of 15 June: May is the last closed month, so a May figure is current.
    # expected 166/365 = 45.47…% → 45.5; completion 9/23 = 39.13…% → 39.1; gap −6.4
    june_15 = date(2020, 6, 15)
    result = assess(spec=SCHOOLS, observations=[obs(2020, 5, 31, 9)], as_of=june_15, thresholds=DEFAULT)
    assert (result.expected_share, result.completion, result.gap) == (D("45.5"), D("39.1"), D("-6.4"))
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
    # even with a figure for the last closed month, nothing is expected yet: not reported
    observations = [obs(2020, 1, 31, 1)]
    result = assess(spec=target, observations=observations, as_of=jan_31, thresholds=DEFAULT)
    assert result.light == Light.NOT_REPORTED
    # (23 − 1) / 11 months (31 Jan → 31 Dec) = 2
    assert result.required_monthly_rate == D("2.00")
