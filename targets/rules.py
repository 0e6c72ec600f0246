"""Status rules for targets: expected progress, completion, the verdict and its companions.

Plain Python (no ORM, no database; Django only to translate the labels), so every rule can be unit-tested with
hand-worked numbers and run over prefetched figures. All arithmetic is `Decimal`; no floats.

Two signals per target, never folded into one (see the README, "Verdicts"):

* the **reporting state** (`Reporting`, `reporting_state`): is the unit's figure in?
* the **progress verdict** (`Light`, `status_light`): how is the target doing, judged from the
  latest approved figure *at that figure's own date*?

and beside both, **预计难以完成** (`Assessment.at_risk`) when the trend's projection misses the goal.

Conventions
-----------
* A *share* is a percentage of the way from baseline to goal (0 = baseline, 100 = goal). It may
  be negative (moved away from the goal) or exceed 100 (beyond the goal). For a "≤" target the
  goal lies below the baseline, so the same formula measures progress downward.
* A *gap* is completion share − expected share, in percentage points. The expected share is
  taken at the date of the figure it is compared with (June's figure with 6-30), never at a later
  as-of date: reading the plan on 7-15 does not compare June's figure with mid-July's 序时进度.
* Dates that stand for a month (`Observation.month_end`, the dates of `TargetSpec.planned_path`)
  may be any day of that month: they are read as that month's last day. So a figure stored by
  the first of its month is never mistaken for a figure of a month that has not yet closed.
* Precision: the pure functions (`expected_value`, `expected_share`, `completion_share`,
  `gap_points`, `required_monthly_rate`, `projected_value`) return full `Decimal` precision.
  Only `assess()` rounds (ROUND_HALF_UP): shares and the gap to 0.1 point, values (expected,
  required monthly rate, projected) to 0.01, the precision of the stored figures.
* The gap behind the verdict is the difference of the two *rounded* shares, so the numbers a
  reader sees always add up (completion 43.5 − expected 49.6 = gap −6.1) and the verdict always
  agrees with the gap shown: a gap shown as −10.0 is on track, never behind.

Verdict rules, in order (only observations with month_end <= as_of count; "latest" is the one
with the latest month):

1. MONITORED for a monitored indicator (it has no goal).
2. For a standard to keep (`TargetSpec.standard`: a floor ≥98%, a ceiling ≤10%, 彻底消除 = 0):
   MEETS_STANDARD (达标) or BELOW_STANDARD (未达标) by the latest observation, at every reading,
   whatever the baseline; NO_DATA without one.
3. ACHIEVED (已完成) if the latest observation meets the goal ("≥": value >= goal, "≤": value <=
   goal, milestone: reached), and it was first met (the earliest observation of the run of
   achieving ones that ends with the latest; a milestone's own `reached_on` date when known) on or
   before the deadline; ACHIEVED_LATE (逾期完成) when first met after it.
4. NO_DATA (暂无数据) when no observation counts: the verdict waits; the reporting state says
   whose move it is. A target that starts after as_of is NO_DATA too.
5. On the deadline day, not achieved: NOT_COMPLETED (未完成); after it: OVERDUE (逾期未完成).
   Never "on track" at or past a deadline. This needs no new figure: the date decides, with the
   latest figure showing that the goal is not met (its age is shown beside the verdict).
6. ON_TRACK for a milestone reported as not yet reached before its deadline: a yes/no target
   has no partial progress to measure against the calendar.
7. UNASSESSABLE (无法评估) if the completion or expected share cannot be computed (a target
   without a deadline or planned path, without a numeric goal, without a baseline).
8. By the gap at the latest observation's own date: gap >= thresholds.on_track → ON_TRACK;
   gap >= thresholds.behind → BEHIND (−30 itself included); otherwise SERIOUSLY_BEHIND.

A firm (确保) and a stretch (力争) target get the same verdict; the commitment is shown beside it,
so a missed 力争 target reads "逾期未完成 · 力争" and a missed 确保 one "逾期未完成 · 确保".

Reporting state (`reporting_state`): the figures of month M are due by day `due_day` of M+1.
NO_UNIT (责任单位未明确) when nobody answers for the target, NOT_REQUIRED when its figures come
from elsewhere (a document, the project ledger), NOT_DUE before its first month is due,
SUBMITTED (已报送) when the figure of every due month up to the last closed one is in, PENDING
(待报送) when only the last closed month's figure is missing and its due day has not passed, and
LATE (逾期未报) when a due day passed without a figure.
"""

import datetime as dt
import functools
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


class Commitment(StrEnum):
    """How the plan words a target: 确保 (must: a firm commitment) or 力争 (strive for: a stretch goal)."""

    FIRM = "firm"
    STRETCH = "stretch"
    UNSTATED = ""


class Light(StrEnum):
    """The progress verdict of a target.

    `severity` orders verdicts worst first when sorted descending (see `_SEVERITY`).
    `symbol` is a text sign that stays readable when printed in black and white.
    `tone` is the colour family: good, warn, bad, none (no verdict), info.
    """

    ACHIEVED = "achieved"
    ACHIEVED_LATE = "achieved_late"
    MEETS_STANDARD = "meets_standard"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    SERIOUSLY_BEHIND = "seriously_behind"
    NOT_COMPLETED = "not_completed"
    OVERDUE = "overdue"
    BELOW_STANDARD = "below_standard"
    NO_DATA = "no_data"
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

    @property
    def tone(self) -> str:
        return _TONES[self]


_LABELS = {
    Light.ACHIEVED: _("已完成"),
    Light.ACHIEVED_LATE: _("逾期完成"),
    Light.MEETS_STANDARD: _("达标"),
    Light.ON_TRACK: _("正常推进"),
    Light.BEHIND: _("滞后"),
    Light.SERIOUSLY_BEHIND: _("严重滞后"),
    Light.NOT_COMPLETED: _("未完成"),
    Light.OVERDUE: _("逾期未完成"),
    Light.BELOW_STANDARD: _("未达标"),
    Light.NO_DATA: _("暂无数据"),
    Light.UNASSESSABLE: _("无法评估"),
    Light.MONITORED: _("监测"),
}

_SYMBOLS = {
    Light.ACHIEVED: "✓",
    Light.ACHIEVED_LATE: "✔",
    Light.MEETS_STANDARD: "◎",
    Light.ON_TRACK: "●",
    Light.BEHIND: "▲",
    Light.SERIOUSLY_BEHIND: "▼",
    Light.NOT_COMPLETED: "✕",
    Light.OVERDUE: "✗",
    Light.BELOW_STANDARD: "⊘",
    Light.NO_DATA: "?",
    Light.UNASSESSABLE: "–",
    Light.MONITORED: "◇",
}

_SEVERITY = {
    Light.OVERDUE: 11,
    Light.NOT_COMPLETED: 10,
    Light.BELOW_STANDARD: 9,
    Light.SERIOUSLY_BEHIND: 8,
    Light.BEHIND: 7,
    Light.UNASSESSABLE: 6,
    Light.NO_DATA: 5,
    Light.ON_TRACK: 4,
    Light.ACHIEVED_LATE: 3,
    Light.MEETS_STANDARD: 2,
    Light.ACHIEVED: 1,
    Light.MONITORED: 0,
}

_TONES = {
    Light.ACHIEVED: "good",
    Light.ACHIEVED_LATE: "good",
    Light.MEETS_STANDARD: "good",
    Light.ON_TRACK: "good",
    Light.BEHIND: "warn",
    Light.SERIOUSLY_BEHIND: "bad",
    Light.NOT_COMPLETED: "bad",
    Light.OVERDUE: "bad",
    Light.BELOW_STANDARD: "bad",
    Light.NO_DATA: "none",
    Light.UNASSESSABLE: "none",
    Light.MONITORED: "info",
}


class Reporting(StrEnum):
    """Whether the responsible unit's figure is in: a signal apart from the verdict."""

    SUBMITTED = "submitted"
    PENDING = "pending"
    LATE = "late"
    NO_UNIT = "no_unit"
    NOT_REQUIRED = "not_required"
    NOT_DUE = "not_due"

    @property
    def label(self) -> str:
        return _REPORTING_LABELS[self]

    @property
    def is_units_failure(self) -> bool:
        """Only a passed due day with nothing submitted counts against a unit."""
        return self is Reporting.LATE


_REPORTING_LABELS = {
    Reporting.SUBMITTED: _("已报送"),
    Reporting.PENDING: _("待报送"),
    Reporting.LATE: _("逾期未报"),
    Reporting.NO_UNIT: _("责任单位未明确"),
    Reporting.NOT_REQUIRED: _("台账统计"),
    Reporting.NOT_DUE: _("未到报送期"),
}


@dataclass(frozen=True)
class Thresholds:
    """Gap thresholds in percentage points (settings of the plan, not constants)."""

    on_track: Decimal = Decimal("-10")
    behind: Decimal = Decimal("-30")


@dataclass(frozen=True, slots=True)
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
    # A level to keep at every reading (a floor ≥98%, a ceiling ≤10%, 彻底消除 = 0), not to reach by a date.
    standard: bool = False
    commitment: Commitment = Commitment.UNSTATED


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
    # The date the verdict is taken at: the latest counted observation's month end (its age).
    measured_on: dt.date | None = None
    # When the goal was first met (for ACHIEVED / ACHIEVED_LATE).
    achieved_on: dt.date | None = None
    # 预计难以完成: not achieved, deadline not passed, and the trend's projection misses the goal.
    at_risk: bool = False


# --- dates ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # pure, called thousands of times a page with few distinct days
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


def _achieved_on(spec: TargetSpec, counted: list[tuple[dt.date, Observation]]) -> dt.date | None:
    """When the goal was first met in the run of achieving observations that ends with the latest.

    None when the latest observation does not meet the goal. A milestone's own `reached_on`
    wins over its month end when it is known.
    """
    first = None
    for month_end, observation in reversed(counted):
        if not _observation_achieves(spec, observation):
            break
        first = (month_end, observation)
    if first is None:
        return None
    month_end, observation = first
    if spec.kind == Kind.MILESTONE and observation.reached_on is not None:
        return observation.reached_on
    return month_end


def status_light(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date, thresholds: Thresholds
) -> Light:
    """The progress verdict on `as_of`; see the module docstring for the rules and their order."""
    return _verdict(spec, _counted(observations, as_of), as_of, thresholds)[0]


def _verdict(
    spec: TargetSpec, counted: list[tuple[dt.date, Observation]], as_of: dt.date, thresholds: Thresholds
) -> tuple[Light, dt.date | None]:
    if spec.kind == Kind.MONITORED:
        return Light.MONITORED, None
    latest_pair = counted[-1] if counted else None
    latest = latest_pair[1] if latest_pair else None
    if spec.standard:
        if latest is None:
            return Light.NO_DATA, None
        met = _observation_achieves(spec, latest)
        return (Light.MEETS_STANDARD if met else Light.BELOW_STANDARD), None
    achieved_on = _achieved_on(spec, counted)
    if achieved_on is not None:
        late = spec.deadline is not None and achieved_on > spec.deadline
        return (Light.ACHIEVED_LATE if late else Light.ACHIEVED), achieved_on
    if latest_pair is None or spec.start > as_of:
        return Light.NO_DATA, None
    if spec.deadline is not None and as_of >= spec.deadline:
        return (Light.NOT_COMPLETED if as_of == spec.deadline else Light.OVERDUE), None
    if spec.kind == Kind.MILESTONE:
        return Light.ON_TRACK, None
    _completion, _expected, gap = _shares(spec, latest, latest_pair[0])
    if gap is None:
        return Light.UNASSESSABLE, None
    if gap >= thresholds.on_track:
        return Light.ON_TRACK, None
    if gap >= thresholds.behind:
        return Light.BEHIND, None
    return Light.SERIOUSLY_BEHIND, None


def reporting_state(
    *,
    has_unit: bool,
    self_reported: bool,
    start: dt.date,
    deadline: dt.date | None,
    period_end: dt.date,
    reported_months: set[dt.date],
    as_of: dt.date,
    due_day: int,
) -> Reporting:
    """Whether the unit's figures are in on `as_of`; see the module docstring.

    `reported_months` holds the month ends of the months with a figure submitted or approved.
    Months are due from the start's month to the deadline's (the plan's end without one).
    """
    if not self_reported:
        return Reporting.NOT_REQUIRED
    if not has_unit:
        return Reporting.NO_UNIT
    last_month = _month_end(min(deadline or period_end, period_end))
    closed = _last_closed_month_end(as_of)
    due_months = []
    month = _month_end(start)
    while month <= min(closed, last_month):
        due_months.append(month)
        month = _month_end(month + dt.timedelta(days=1))
    if not due_months:
        return Reporting.NOT_DUE
    reported = {_month_end(m) for m in reported_months}
    missing = [m for m in due_months if m not in reported]
    if not missing:
        return Reporting.SUBMITTED
    if any(as_of > _due_date(m, due_day) for m in missing):
        return Reporting.LATE
    return Reporting.PENDING


def planned_path_problems(spec: TargetSpec, nodes: Sequence[tuple[dt.date, Decimal]]) -> list[str]:
    """What is wrong with a target's planned nodes (计划节点); empty when they can be used.

    Nodes must fall within [start, deadline] (by month), be one per month, move monotonically
    towards the goal for a cumulative target (never back: a "≥" path never falls, a "≤" path
    never rises), and the last node, in the deadline's month, must be the goal itself.
    """
    if not nodes:
        return []
    problems = []
    ordered = sorted(nodes, key=lambda node: node[0])
    months = [_month_end(day) for day, _value in ordered]
    if len(set(months)) != len(months):
        problems.append(_("每个月只能有一个计划节点。"))
    first, last = _month_end(spec.start), _month_end(spec.deadline) if spec.deadline else None
    outside = [m for m in months if m < first or (last is not None and m > last)]
    if outside:
        problems.append(
            _("计划节点 %(month)s 不在目标的起止月份(%(first)s 至 %(last)s)之内。")
            % {
                "month": f"{outside[0]:%Y-%m}",
                "first": f"{first:%Y-%m}",
                "last": f"{last:%Y-%m}" if last else "—",
            }
        )
    if spec.kind == Kind.CUMULATIVE:
        values = [value for _day, value in ordered]
        for before, after, month in zip(values, values[1:], months[1:], strict=False):
            backwards = after < before if spec.direction == Direction.AT_LEAST else after > before
            if backwards:
                problems.append(
                    _(
                        "累计目标的计划节点不能倒退:"
                        "%(month)s 的 %(after)s 比上一节点的 %(before)s 更远离目标。"
                    )
                    % {"month": f"{month:%Y-%m}", "after": after, "before": before}
                )
                break
    if spec.goal is not None and last is not None and (months[-1] != last or ordered[-1][1] != spec.goal):
        problems.append(
            _("最后一个计划节点须在期限所在月(%(last)s),且等于目标值 %(goal)s。")
            % {"last": f"{last:%Y-%m}", "goal": spec.goal}
        )
    return problems


def _due_date(month_end: dt.date, due_day: int) -> dt.date:
    return (month_end + dt.timedelta(days=1)).replace(day=due_day)


def required_monthly_rate(
    *, spec: TargetSpec, observations: Sequence[Observation], as_of: dt.date
) -> Decimal | None:
    """The change per month still needed to reach the goal by the deadline.

    (goal − latest value, or the baseline when nothing is reported) / whole months left from
    as_of to the deadline (a part month counts as whole; at least 1). Negative for a "≤" target
    (a decrease is needed). None when already achieved, when the deadline has passed, for
    milestones and monitored indicators, and when goal, deadline or a starting value is missing.
    """
    return _required_rate(spec, _counted(observations, as_of), as_of)


def _required_rate(
    spec: TargetSpec, counted: list[tuple[dt.date, Observation]], as_of: dt.date
) -> Decimal | None:
    if not _is_quantified(spec) or spec.goal is None or spec.deadline is None or as_of > spec.deadline:
        return None
    latest = counted[-1][1] if counted else None
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
    return _projected(spec, _counted(observations, as_of))


def _projected(spec: TargetSpec, counted: list[tuple[dt.date, Observation]]) -> Decimal | None:
    if spec.kind == Kind.MILESTONE or spec.deadline is None:
        return None
    points = [(day, o.value) for day, o in counted if o.value is not None][-3:]
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
    """Everything a progress page shows for one target on `as_of`, rounded for display.

    The expected value and share, completion and gap are those of the latest observation's own
    date; before any observation, of `as_of`.
    """
    counted = _counted(observations, as_of)
    latest_pair = counted[-1] if counted else None
    latest = latest_pair[1] if latest_pair else None
    measured_on = latest_pair[0] if latest_pair else None
    compared_on = measured_on or as_of
    light, achieved_on = _verdict(spec, counted, as_of, thresholds)
    completion, share, gap = _shares(spec, latest, compared_on)
    # The observations of months closed by as_of are worked out once, for every rule below.
    projected = _round(_projected(spec, counted), TWO_PLACES)
    projected_achieves = None
    if projected is not None and _is_quantified(spec) and spec.goal is not None:
        # Judged on the rounded projection, so it agrees with the number shown.
        projected_achieves = is_achieved(spec=spec, value=projected)
    # A straight-line trend says nothing of work planned to land in bulk: with planned nodes the
    # verdict already measures against the plan's own path, so the trend raises no warning.
    at_risk = (
        projected_achieves is False
        and not spec.standard
        and not spec.planned_path
        and light in (Light.ON_TRACK, Light.BEHIND, Light.SERIOUSLY_BEHIND)
    )
    return Assessment(
        light=light,
        latest=latest,
        expected=_round(expected_value(spec=spec, on=compared_on), TWO_PLACES),
        expected_share=share,
        completion=completion,
        gap=gap,
        required_monthly_rate=_round(_required_rate(spec, counted, as_of), TWO_PLACES),
        projected=projected,
        projected_achieves=projected_achieves,
        measured_on=measured_on,
        achieved_on=achieved_on,
        at_risk=at_risk,
    )
