"""Status rules for targets: expected progress, completion, the status light and its companions.

Plain Python (no ORM, no database; Django only to translate the labels), so every rule can be unit-tested with
hand-worked numbers and run over prefetched figures. All arithmetic is `Decimal`; no floats.

Conventions
-----------
* A *share* is a percentage of the way from baseline to goal (0 = baseline, 100 = goal). It may
  be negative (moved away from the goal) or exceed 100 (beyond the goal). For a "≤" target the
  goal lies below the baseline, so the same formula measures progress downward.
* A *gap* is completion share − expected share, in percentage points.
* Dates that stand for a month (`Observation.month_end`, the dates of `TargetSpec.planned_path`)
  may be any day of that month: they are read as that month's last day. So a figure stored by
  the first of its month is never mistaken for a figure of a month that has not yet closed.
* Precision: the pure functions (`expected_value`, `expected_share`, `completion_share`,
  `gap_points`, `required_monthly_rate`, `projected_value`) return full `Decimal` precision.
  Only `assess()` rounds (ROUND_HALF_UP): shares and the gap to 0.1 point, values (expected,
  required monthly rate, projected) to 0.01, the precision of the stored figures.
* The gap behind the light is the difference of the two *rounded* shares, so the numbers a
  reader sees always add up (completion 43.5 − expected 49.6 = gap −6.1) and the light always
  agrees with the gap shown: a gap shown as −10.0 is on track, never behind.

Light rules, in order (only observations with month_end <= as_of count; "latest" is the one
with the latest month):

1. MONITORED for a monitored indicator (it has no goal).
2. ACHIEVED if the latest observation meets the goal ("≥": value >= goal, "≤": value <= goal,
   milestone: reached is True). This holds even if that figure is old or the milestone was
   reached after its deadline: the light says whether it is done, not whether it was on time.
3. OVERDUE if as_of is after the deadline and it is not achieved.
4. NOT_REPORTED if the target starts after as_of (nothing can be expected yet; kept simple
   rather than adding a "not started" light), or if there is no observation for the last closed
   month (the latest month whose last day is <= as_of), including no observation at all. Before
   the first month after the start has closed, this also comes out NOT_REPORTED.
5. ON_TRACK for a milestone reported as not yet reached before its deadline: a yes/no target
   has no partial progress to measure against the calendar.
6. UNASSESSABLE if the completion or expected share cannot be computed (e.g. a level target with
   no baseline that has not met its goal, a target without a deadline or planned path, or a
   figure without a value).
7. By gap: gap >= thresholds.on_track → ON_TRACK; gap >= thresholds.behind → BEHIND;
   otherwise SERIOUSLY_BEHIND.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# Translation is the only piece of Django used here: labels are user-facing text.
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


class Kind(StrEnum):
    CUMULATIVE = "cumulative"
    LEVEL = "level"
    MILESTONE = "milestone"
    MONITORED = "monitored"


class Direction(StrEnum):
    AT_LEAST = "gte"
    AT_MOST = "lte"


class Light(StrEnum):
    """The status light of a target.

    `severity` orders lights worst first when sorted descending:
    overdue (7) > seriously_behind (6) > behind (5) > not_reported (4) > unassessable (3)
    > on_track (2) > achieved (1) > monitored (0).
    `symbol` is a text sign that stays readable when printed in black and white.
    """

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    SERIOUSLY_BEHIND = "seriously_behind"
    OVERDUE = "overdue"
    NOT_REPORTED = "not_reported"
    UNASSESSABLE = "unassessable"
    MONITORED = "monitored"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_LABELS = {
    Light.ACHIEVED: _("已完成"),
    Light.ON_TRACK: _("正常推进"),
    Light.BEHIND: _("滞后"),
    Light.SERIOUSLY_BEHIND: _("严重滞后"),
    Light.OVERDUE: _("逾期未完成"),
    Light.NOT_REPORTED: _("未报送"),
    Light.UNASSESSABLE: _("无法评估"),
    Light.MONITORED: _("监测"),
}

_SYMBOLS = {
    Light.ACHIEVED: "✓",
    Light.ON_TRACK: "●",
    Light.BEHIND: "▲",
    Light.SERIOUSLY_BEHIND: "▼",
    Light.OVERDUE: "✗",
    Light.NOT_REPORTED: "?",
    Light.UNASSESSABLE: "–",
    Light.MONITORED: "◇",
}

_SEVERITY = {
    Light.OVERDUE: 7,
    Light.SERIOUSLY_BEHIND: 6,
    Light.BEHIND: 5,
    Light.NOT_REPORTED: 4,
    Light.UNASSESSABLE: 3,
    Light.ON_TRACK: 2,
    Light.ACHIEVED: 1,
    Light.MONITORED: 0,
}


@dataclass(frozen=True)
class Thresholds:
    """Gap thresholds in percentage points (settings of the plan, not constants)."""

    on_track: Decimal = Decimal("-10")
    behind: Decimal = Decimal("-30")


@dataclass(frozen=True)
class Observation:
    """A (reviewed) figure for one month: a value, or for a milestone whether it was reached."""

    month_end: dt.date
    value: Decimal | None = None
    reached: bool | None = None
    reached_on: dt.date | None = None


@dataclass(frozen=True)
class TargetSpec:
    kind: Kind
    direction: Direction
    goal: Decimal | None
    baseline: Decimal | None
    start: dt.date
    deadline: dt.date | None
    planned_path: tuple[tuple[dt.date, Decimal], ...] = ()  # (month_end, planned value), ascending


@dataclass(frozen=True)
class Assessment:
    light: Light
    latest: Observation | None
    expected: Decimal | None
    expected_share: Decimal | None
    completion: Decimal | None
    gap: Decimal | None
    required_monthly_rate: Decimal | None
    projected: Decimal | None
    projected_achieves: bool | None


# --- dates ----------------------------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)


def _last_closed_month_end(as_of: dt.date) -> dt.date:
    """Last day of the latest month whose last day is <= as_of."""
    if _month_end(as_of) == as_of:
        return as_of
    return as_of.replace(day=1) - dt.timedelta(days=1)


def _months_left(as_of: dt.date, deadline: dt.date) -> int:
    """Calendar months from as_of to deadline, a part month counting as whole, at least 1.

    A month end counts as day 31, so 06-30 → 12-31 is exactly 6 months and 06-15 → 09-20 is 4.
    """

    def day_of(d: dt.date) -> int:
        return 31 if d == _month_end(d) else d.day

    months = (deadline.year - as_of.year) * 12 + (deadline.month - as_of.month)
    if day_of(deadline) > day_of(as_of):
        months += 1
    return max(months, 1)


def _counted(observations: Sequence[Observation], as_of: dt.date) -> list[tuple[dt.date, Observation]]:
    """Observations of months closed by as_of, as (month end, observation), oldest first."""
    dated = [(_month_end(o.month_end), o) for o in observations]
    return sorted((pair for pair in dated if pair[0] <= as_of), key=lambda pair: pair[0])


def _latest(observations: Sequence[Observation], as_of: dt.date) -> tuple[dt.date, Observation] | None:
    counted = _counted(observations, as_of)
    return counted[-1] if counted else None


def _is_quantified(spec: TargetSpec) -> bool:
    return spec.kind in (Kind.CUMULATIVE, Kind.LEVEL)


# --- pure rules -----------------------------------------------------------------------------------


def _elapsed_share(spec: TargetSpec, on: dt.date) -> Decimal | None:
    """Share (0..1) of [start, deadline] elapsed on `on`, in days, clipped."""
    if spec.deadline is None:
        return None
    span = (spec.deadline - spec.start).days
    if span <= 0:
        return Decimal(1) if on >= spec.deadline else Decimal(0)
    elapsed = min(max((on - spec.start).days, 0), span)
    return Decimal(elapsed) / Decimal(span)


def _planned_value(spec: TargetSpec, on: dt.date) -> Decimal | None:
    """Latest planned point with month end <= on; the baseline before the first point."""
    value = spec.baseline
    for month, planned in sorted(spec.planned_path, key=lambda point: _month_end(point[0])):
        if _month_end(month) <= on:
            value = planned
    return value


def expected_value(*, spec: TargetSpec, on: dt.date) -> Decimal | None:
    """The value time alone says should have been reached on `on` (序时进度).

    The target's own planned path wins when it has one; otherwise the straight line from the
    baseline at the start to the goal at the deadline. None for monitored indicators and
    milestones, and (without a planned path) when the goal, baseline or deadline is missing.
    With a planned path, only the baseline is needed, and only before the first planned point.
    """
    if not _is_quantified(spec):
        return None
    if spec.planned_path:
        return _planned_value(spec, on)
    share = _elapsed_share(spec, on)
    if share is None or spec.goal is None or spec.baseline is None:
        return None
    return spec.baseline + (spec.goal - spec.baseline) * share


def expected_share(*, spec: TargetSpec, on: dt.date) -> Decimal | None:
    """Expected progress on `on` in percent of the way from baseline to goal (0..100).

    Without a planned path this is simply the elapsed share of time × 100. With one, it is the
    planned value's share of the way; if goal == baseline that way has no length, and the
    elapsed share of time is used instead.
    """
    if not _is_quantified(spec) or spec.goal is None or spec.baseline is None:
        return None
    if spec.planned_path and spec.goal != spec.baseline:
        planned = _planned_value(spec, on)
        return (planned - spec.baseline) * HUNDRED / (spec.goal - spec.baseline)
    share = _elapsed_share(spec, on)
    return None if share is None else share * HUNDRED


def completion_share(*, spec: TargetSpec, value: Decimal | None) -> Decimal | None:
    """How far `value` has come from baseline to goal, in percent; may be < 0 or > 100.

    (value − baseline) / (goal − baseline) × 100, which also measures a "≤" target downward.
    If goal == baseline: 100 when the value meets the goal, else 0. None for milestones and
    monitored indicators, or when value, goal or baseline is missing.
    """
    if not _is_quantified(spec) or value is None or spec.goal is None or spec.baseline is None:
        return None
    if spec.goal == spec.baseline:
        return HUNDRED if is_achieved(spec=spec, value=value) else Decimal(0)
    return (value - spec.baseline) * HUNDRED / (spec.goal - spec.baseline)


def gap_points(*, completion: Decimal | None, expected: Decimal | None) -> Decimal | None:
    """Completion share − expected share, in percentage points; None if either is missing."""
    if completion is None or expected is None:
        return None
    return completion - expected


def is_achieved(*, spec: TargetSpec, value: Decimal | None = None, reached: bool | None = None) -> bool:
    """ "≥": value >= goal; "≤": value <= goal; milestone: reached is True; monitored: never."""
    if spec.kind == Kind.MILESTONE:
        return reached is True
    if spec.kind == Kind.MONITORED or value is None or spec.goal is None:
        return False
    if spec.direction == Direction.AT_MOST:
        return value <= spec.goal
    return value >= spec.goal


def _observation_achieves(spec: TargetSpec, observation: Observation | None) -> bool:
    if observation is None:
        return False
    return is_achieved(spec=spec, value=observation.value, reached=observation.reached)


def _round(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _shares(spec: TargetSpec, latest: Observation | None, as_of: dt.date):
    """(completion, expected share, gap), rounded to 0.1; the gap from the rounded shares."""
    completion = _round(completion_share(spec=spec, value=latest.value if latest else None), ONE_PLACE)
    expected = _round(expected_share(spec=spec, on=as_of), ONE_PLACE)
    return completion, expected, gap_points(completion=completion, expected=expected)


def status_light(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date, thresholds: Thresholds
) -> Light:
    """The status light on `as_of`; see the module docstring for the rules and their order."""
    if spec.kind == Kind.MONITORED:
        return Light.MONITORED
    latest_pair = _latest(observations, as_of)
    latest = latest_pair[1] if latest_pair else None
    if _observation_achieves(spec, latest):
        return Light.ACHIEVED
    if spec.deadline is not None and as_of > spec.deadline:
        return Light.OVERDUE
    if spec.start > as_of or latest_pair is None or latest_pair[0] != _last_closed_month_end(as_of):
        return Light.NOT_REPORTED
    if spec.kind == Kind.MILESTONE:
        return Light.ON_TRACK
    _completion, _expected, gap = _shares(spec, latest, as_of)
    if gap is None:
        return Light.UNASSESSABLE
    if gap >= thresholds.on_track:
        return Light.ON_TRACK
    if gap >= thresholds.behind:
        return Light.BEHIND
    return Light.SERIOUSLY_BEHIND


def required_monthly_rate(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date
) -> Decimal | None:
    """The change per month still needed to reach the goal by the deadline.

    (goal − latest value, or the baseline when nothing is reported) / whole months left from
    as_of to the deadline (a part month counts as whole; at least 1). Negative for a "≤" target
    (a decrease is needed). None when already achieved, when the deadline has passed, for
    milestones and monitored indicators, and when goal, deadline or a starting value is missing.
    """
    if not _is_quantified(spec) or spec.goal is None or spec.deadline is None or as_of > spec.deadline:
        return None
    latest_pair = _latest(observations, as_of)
    latest = latest_pair[1] if latest_pair else None
    if _observation_achieves(spec, latest):
        return None
    current = latest.value if latest is not None else spec.baseline
    if current is None:
        return None
    return (spec.goal - current) / Decimal(_months_left(as_of, spec.deadline))


def projected_value(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date
) -> Decimal | None:
    """Where the recent trend lands by the deadline.

    A least-squares line (x in days) through the last up to 3 observations with a value at or
    before as_of, read at the deadline. With a single observation, the line from (start,
    baseline) through it. None for milestones, without a deadline, without observations, and
    when a single observation has no baseline or falls on the start date. Monitored indicators
    are projected too when they have a deadline.
    """
    if spec.kind == Kind.MILESTONE or spec.deadline is None:
        return None
    points = [(day, o.value) for day, o in _counted(observations, as_of) if o.value is not None][-3:]
    if not points:
        return None
    if len(points) == 1:
        if spec.baseline is None:
            return None
        (day, value) = points[0]
        run = (day - spec.start).days
        if run == 0:
            return None
        slope = (value - spec.baseline) / Decimal(run)
        return spec.baseline + slope * Decimal((spec.deadline - spec.start).days)
    origin = points[0][0]
    xs = [Decimal((day - origin).days) for day, _value in points]
    ys = [value for _day, value in points]
    n = Decimal(len(points))
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    if sxx == 0:
        return None
    slope = sxy / sxx
    return mean_y + slope * (Decimal((spec.deadline - origin).days) - mean_x)


def assess(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date, thresholds: Thresholds
) -> Assessment:
    """Everything a progress page shows for one target on `as_of`, rounded for display."""
    latest_pair = _latest(observations, as_of)
    latest = latest_pair[1] if latest_pair else None
    completion, share, gap = _shares(spec, latest, as_of)
    projected = _round(projected_value(spec=spec, observations=observations, as_of=as_of), TWO_PLACES)
    projected_achieves = None
    if projected is not None and _is_quantified(spec) and spec.goal is not None:
        # Judged on the rounded projection, so it agrees with the number shown.
        projected_achieves = is_achieved(spec=spec, value=projected)
    return Assessment(
        light=status_light(spec=spec, observations=observations, as_of=as_of, thresholds=thresholds),
        latest=latest,
        expected=_round(expected_value(spec=spec, on=as_of), TWO_PLACES),
        expected_share=share,
        completion=completion,
        gap=gap,
        required_monthly_rate=_round(
            required_monthly_rate(spec=spec, observations=observations, as_of=as_of), TWO_PLACES
        ),
        projected=projected,
        projected_achieves=projected_achieves,
    )
