"""Bridge between the stored targets and the pure status rules in `targets.rules`.

Views fetch targets with `Target.objects.for_dashboard(as_of)` (fixed query count) and hand
them to `assess_targets`, which runs the rules in Python without touching the database.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Collate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.asof import parse_as_of
from common.formatting import fmt_number, fmt_points, join_list, month_label
from common.months import last_closed_month, month_choices, month_end, review_end

from . import ledgers, rules
from .models import Figure, Plan, Target


def thresholds_for(plan: Plan) -> rules.Thresholds:
    return rules.Thresholds(on_track=plan.on_track_threshold, behind=plan.behind_threshold)


def spec_for(target: Target) -> rules.TargetSpec:
    return rules.TargetSpec(
        kind=rules.Kind(target.kind),
        direction=rules.Direction(target.direction),
        goal=target.goal,
        baseline=target.baseline,
        start=target.start,
        deadline=target.deadline,
        planned_path=tuple((month_end(p.month), p.value) for p in target.planned_points()),
        standard=target.standard,
        commitment=rules.Commitment(target.commitment),
    )


def observations_for(target: Target, *, as_of: dt.date) -> list[rules.Observation]:
    """What the rules measure, oldest first: approved figures, or values counted from the ledger.

    Uses only what `for_dashboard` prefetched.
    """
    if target.ledger_measure:
        return ledgers.observations(target, as_of=as_of)
    # A figure whose measure is in doubt (口径待核) is shown on the page but kept out of the verdict.
    Observation = rules.Observation  # (month_end, value, reached, reached_on), thousands a page
    return [
        Observation(f.month_end, f.value, f.reached, f.reached_on)
        for f in target.approved_figures
        if not f.measure_doubtful
    ]


def reporting_for(target: Target, *, as_of: dt.date) -> rules.Reporting:
    """The reporting state of a target (uses what `for_dashboard` prefetched)."""
    plan = target.key_task.plan
    self_reported = not target.ledger_measure and target.kind != Target.Kind.MONITORED
    return rules.reporting_state(
        has_unit=bool(target.unit_list()),
        self_reported=self_reported,
        # Nothing is due for months before the plan was adopted, when its date is known.
        start=max(target.start, plan.adopted_on) if plan.adopted_on else target.start,
        deadline=target.deadline,
        period_end=plan.period_end,
        reported_months={f.month for f in target.reported_figures},
        as_of=as_of,
        due_day=plan.report_due_day,
    )


@dataclass
class TargetRow:
    """One target with its assessment, flattened for tables and templates."""

    target: Target
    assessment: rules.Assessment
    latest_figure: Figure | None
    observations: list[rules.Observation]
    reporting: rules.Reporting = rules.Reporting.NOT_REQUIRED
    doubtful_figure: Figure | None = None  # the latest approved figure, when its measure is in doubt
    spec: rules.TargetSpec | None = None  # what the rules read of the target (`assess_earlier` again)

    @property
    def light(self) -> rules.Light:
        return self.assessment.light

    @property
    def light_severity(self) -> int:
        return self.assessment.light.severity

    @property
    def latest_value(self) -> Decimal | None:
        latest = self.assessment.latest
        return latest.value if latest else None

    @property
    def from_ledger(self) -> bool:
        return bool(self.target.ledger_measure)

    @property
    def completion(self):
        return self.assessment.completion

    @property
    def expected_share(self):
        return self.assessment.expected_share

    @property
    def gap(self):
        return self.assessment.gap

    @cached_property
    def units(self) -> list:
        # Read once per row: the overview, tables and bulletin ask for a row's units several times.
        return self.target.unit_list()

    @property
    def at_risk(self) -> bool:
        return self.assessment.at_risk

    @property
    def measured_on(self) -> dt.date | None:
        return self.assessment.measured_on

    @property
    def has_data(self) -> bool:
        return self.assessment.light not in (rules.Light.NO_DATA, rules.Light.MONITORED)


def assess_targets(targets, *, as_of: dt.date, thresholds: rules.Thresholds) -> list[TargetRow]:
    rows = []
    for target in targets:
        observations = observations_for(target, as_of=as_of)
        spec = spec_for(target)
        assessment = rules.assess(spec=spec, observations=observations, as_of=as_of, thresholds=thresholds)
        counted = [f for f in target.approved_figures if not f.measure_doubtful]
        latest = counted[-1] if counted and not target.ledger_measure else None
        newest = target.approved_figures[-1] if target.approved_figures else None
        rows.append(
            TargetRow(
                target=target,
                assessment=assessment,
                latest_figure=latest,
                observations=observations,
                reporting=reporting_for(target, as_of=as_of),
                doubtful_figure=newest if newest is not None and newest.measure_doubtful else None,
                spec=spec,
            )
        )
    return rows


class AssessedTargets(Sequence):
    """The targets of a queryset as `TargetRow`s, fetched and assessed only as far as they are read.

    A table page reads a slice (one fetch of those targets with `for_dashboard`); its length is a
    count in the database. Iterating or sorting (a sort on a computed column) assesses them all,
    once. A list of thousands of targets then costs its page, not its length.
    """

    def __init__(self, queryset, *, as_of: dt.date, thresholds: rules.Thresholds):
        self.queryset = queryset
        self.as_of = as_of
        self.thresholds = thresholds
        self._all: list[TargetRow] | None = None
        self._count: int | None = None

    def _assess(self, queryset) -> list[TargetRow]:
        return assess_targets(
            queryset.for_dashboard(self.as_of), as_of=self.as_of, thresholds=self.thresholds
        )

    def all(self) -> list[TargetRow]:
        if self._all is None:
            self._all = self._assess(self.queryset)
        return self._all

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, key):
        if self._all is not None:
            return self._all[key]
        if isinstance(key, slice):
            if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop is not None and key.stop < 0):
                return self.all()[key]
            return self._assess(self.queryset[key])
        if key < 0:
            return self.all()[key]
        found = self._assess(self.queryset[key : key + 1])
        if not found:
            raise IndexError(key)
        return found[0]

    def __iter__(self):
        return iter(self.all())

    def sort(self, *, key=None, reverse: bool = False) -> None:
        """As `list.sort`: django-tables2 sorts a list's rows in place."""
        self.all().sort(key=key, reverse=reverse)

    def by_code(self, *, descending: bool = False) -> "AssessedTargets":
        """The same targets in the order of their codes, as Python orders the strings, sorted by
        the database: by code point (PostgreSQL's "C" collation; SQLite compares bytes)."""
        code = Collate(F("code"), "C") if connection.vendor == "postgresql" else F("code")
        ordered = self.queryset.order_by(code.desc() if descending else code.asc())
        return AssessedTargets(ordered, as_of=self.as_of, thresholds=self.thresholds)


def assess_earlier(rows, *, as_of: dt.date, thresholds: rules.Thresholds) -> dict[int, rules.Assessment]:
    """The verdicts of assessed rows at an earlier date, from what their fetch already holds.

    For a page that shows the same targets at two dates (the change since the month before): each
    target's assessment at `as_of`, by target id, equal to fetching again with
    `for_dashboard(as_of)` and assessing (`test_assess_earlier`). A target's approved figures stop
    at the months closed by `as_of`; a ledger-counted target's series reads only month ends up to
    `as_of` from what its fetch kept (`projects.observations`). The rows' observations and
    the targets are reused, not copied, and no reporting state is worked out: it says what is due
    at a date, and the month before needs only its verdicts. `as_of` must not be after the rows'.
    """
    last_end = month_end(last_closed_month(as_of))
    earlier = {}
    for row in rows:
        target = row.target
        if target.ledger_measure:
            observations = ledgers.observations(target, as_of=as_of)
        else:
            observations = [o for o in row.observations if o.month_end <= last_end]
        earlier[target.pk] = rules.assess(
            spec=row.spec or spec_for(target), observations=observations, as_of=as_of, thresholds=thresholds
        )
    return earlier


@dataclass
class LightSummary:
    """Targets counted by light, and their mean completion (monitored indicators left out)."""

    counts: Counter = field(default_factory=Counter)
    completions: list = field(default_factory=list)

    def add(self, row: TargetRow) -> None:
        self.counts[row.light] += 1
        if row.light is not rules.Light.MONITORED and row.completion is not None:
            self.completions.append(min(row.completion, Decimal(100)))

    @property
    def assessed_total(self) -> int:
        return sum(n for light, n in self.counts.items() if light is not rules.Light.MONITORED)

    @property
    def mean_completion(self) -> Decimal | None:
        if not self.completions:
            return None
        return (sum(self.completions) / len(self.completions)).quantize(Decimal("0.1"))

    def ordered(self) -> list[tuple[rules.Light, int]]:
        """Every light of a quantified target, best first, zeros included, for a fixed legend."""
        return [(light, self.counts.get(light, 0)) for light in LEGEND]

    def shown(self) -> list[tuple[rules.Light, int]]:
        """The lights with at least one target, best first: what the overview's tiles show."""
        return [(light, n) for light, n in self.ordered() if n]

    def grouped(self) -> list[tuple["VerdictGroup", int]]:
        """Counts per verdict group (达成, 正常推进, 滞后, 未完成/逾期, 暂无数据, 无法评估)."""
        return [(group, sum(self.counts.get(light, 0) for light in group.lights)) for group in GROUPS]

    def headline(self, as_of: dt.date) -> "Headline":
        return Headline.from_counts(self.counts, as_of=as_of)


@dataclass(frozen=True)
class Headline:
    """Quantified targets counted by verdict; the parts add up to `total`.

    `with_data` is how many targets the verdicts rest on (数据覆盖 with_data/total): every target
    but those with no data yet (暂无数据).
    """

    as_of: dt.date
    total: int
    achieved: int
    achieved_late: int
    meets_standard: int
    on_track: int
    behind: int  # behind and seriously behind
    seriously_behind: int
    not_completed: int
    overdue: int
    below_standard: int
    no_data: int
    unassessable: int

    @classmethod
    def from_counts(cls, counts: Counter, *, as_of: dt.date) -> "Headline":
        return cls(
            as_of=as_of,
            total=sum(n for light, n in counts.items() if light is not rules.Light.MONITORED),
            achieved=counts[rules.Light.ACHIEVED],
            achieved_late=counts[rules.Light.ACHIEVED_LATE],
            meets_standard=counts[rules.Light.MEETS_STANDARD],
            on_track=counts[rules.Light.ON_TRACK],
            behind=counts[rules.Light.BEHIND] + counts[rules.Light.SERIOUSLY_BEHIND],
            seriously_behind=counts[rules.Light.SERIOUSLY_BEHIND],
            not_completed=counts[rules.Light.NOT_COMPLETED],
            overdue=counts[rules.Light.OVERDUE],
            below_standard=counts[rules.Light.BELOW_STANDARD],
            no_data=counts[rules.Light.NO_DATA],
            unassessable=counts[rules.Light.UNASSESSABLE],
        )

    @property
    def with_data(self) -> int:
        return self.total - self.no_data

    @property
    def parts(self) -> list[tuple[str, int, list[rules.Light]]]:
        """(label, count, lights) in the order of the sentence; together they make `total`."""
        return [
            (str(rules.Light.ACHIEVED.label), self.achieved, [rules.Light.ACHIEVED]),
            (str(rules.Light.ACHIEVED_LATE.label), self.achieved_late, [rules.Light.ACHIEVED_LATE]),
            (str(rules.Light.MEETS_STANDARD.label), self.meets_standard, [rules.Light.MEETS_STANDARD]),
            (str(rules.Light.ON_TRACK.label), self.on_track, [rules.Light.ON_TRACK]),
            (str(rules.Light.BEHIND.label), self.behind, [rules.Light.BEHIND, rules.Light.SERIOUSLY_BEHIND]),
            (str(rules.Light.NOT_COMPLETED.label), self.not_completed, [rules.Light.NOT_COMPLETED]),
            (str(rules.Light.OVERDUE.label), self.overdue, [rules.Light.OVERDUE]),
            (str(rules.Light.BELOW_STANDARD.label), self.below_standard, [rules.Light.BELOW_STANDARD]),
            (str(rules.Light.NO_DATA.label), self.no_data, [rules.Light.NO_DATA]),
            (str(rules.Light.UNASSESSABLE.label), self.unassessable, [rules.Light.UNASSESSABLE]),
        ]

    @property
    def shown_parts(self) -> list[tuple[str, int, list[rules.Light]]]:
        """The parts with at least one target: what the page, the print and the chart show."""
        return [part for part in self.parts if part[1]]

    @property
    def sentence(self) -> str:
        """截至2020年6月底,全区25项量化目标中有数据的7项(数据覆盖7/25):已完成a项、正常推进b项…;暂无数据18项。

        Only parts with targets are named, so the parts named always add up to the total; the
        verdicts rest on the targets with data, and the sentence says how many those are.
        """
        pieces = []
        for label, n, lights in self.parts:
            if not n or lights[0] is rules.Light.NO_DATA:
                continue
            piece = _("%(label)s%(n)s项") % {"label": label, "n": n}
            if lights[0] is rules.Light.BEHIND and self.seriously_behind:
                piece += _("(其中严重滞后%(n)s项)") % {"n": self.seriously_behind}
            pieces.append(piece)
        values = {
            "month": month_label(self.as_of),
            "total": self.total,
            "with_data": self.with_data,
            "parts": join_list(pieces),
            "no_data": self.no_data,
        }
        if not self.with_data:
            return (
                ngettext(
                    "截至%(month)s底,全区%(total)s项量化目标均暂无数据,尚不能判定进展。",
                    "截至%(month)s底,全区%(total)s项量化目标均暂无数据,尚不能判定进展。",
                    self.total,
                )
                % values
            )
        sentence = (
            ngettext(
                "截至%(month)s底,全区%(total)s项量化目标中有数据的%(with_data)s项"
                "(数据覆盖%(with_data)s/%(total)s):%(parts)s",
                "截至%(month)s底,全区%(total)s项量化目标中有数据的%(with_data)s项"
                "(数据覆盖%(with_data)s/%(total)s):%(parts)s",
                self.total,
            )
            % values
        )
        if self.no_data:
            sentence += _(";暂无数据%(no_data)s项") % values
        return sentence + _("。")


@dataclass(frozen=True)
class VerdictGroup:
    """Verdicts a table column counts together; its name says which."""

    key: str
    label: str
    lights: tuple[rules.Light, ...]


GROUPS = [
    VerdictGroup(
        "done",
        gettext_lazy("已达成"),
        (rules.Light.ACHIEVED, rules.Light.ACHIEVED_LATE, rules.Light.MEETS_STANDARD),
    ),
    VerdictGroup("on_track", gettext_lazy("正常推进"), (rules.Light.ON_TRACK,)),
    VerdictGroup("behind", gettext_lazy("滞后"), (rules.Light.BEHIND, rules.Light.SERIOUSLY_BEHIND)),
    VerdictGroup(
        "failed",
        gettext_lazy("未完成或未达标"),
        (rules.Light.NOT_COMPLETED, rules.Light.OVERDUE, rules.Light.BELOW_STANDARD),
    ),
    VerdictGroup("no_data", gettext_lazy("暂无数据"), (rules.Light.NO_DATA,)),
    VerdictGroup("unassessable", gettext_lazy("无法评估"), (rules.Light.UNASSESSABLE,)),
]


LEGEND = [
    rules.Light.ACHIEVED,
    rules.Light.ACHIEVED_LATE,
    rules.Light.MEETS_STANDARD,
    rules.Light.ON_TRACK,
    rules.Light.BEHIND,
    rules.Light.SERIOUSLY_BEHIND,
    rules.Light.NOT_COMPLETED,
    rules.Light.OVERDUE,
    rules.Light.BELOW_STANDARD,
    rules.Light.NO_DATA,
    rules.Light.UNASSESSABLE,
]


def latest_reported_month_end(plan: Plan) -> dt.date | None:
    """The end of the latest month with an approved figure of any of the plan's targets.

    Read per target (its newest approved month, one step down the target-and-month index), then
    the largest: every page of a plan asks this for its default date, and a MAX over all the
    plan's figures read every one of them (33 ms for 48,000 figures, 12 ms this way).
    """
    newest = (
        Figure.objects.filter(target=OuterRef("pk"), status=Figure.Status.APPROVED)
        .order_by("-month")
        .values("month")[:1]
    )
    latest = (
        Target.objects.filter(key_task__plan=plan)
        .annotate(newest=Subquery(newest))
        .aggregate(m=Max("newest"))["m"]
    )
    return month_end(latest) if latest else None


def resolve_as_of(raw: str | None, plan: Plan, *, today: dt.date) -> dt.date:
    """The as-of date for a page: the user's choice, or the end of the latest reported month.

    Raises AsOfError (`common.asof`) with a message for the user on a malformed date, on a date
    outside the plan period and its review month, and on a future date.
    """
    if raw is None or raw.strip() == "":
        default = latest_reported_month_end(plan)
        if default is None:
            # Without data, the latest ended month of the plan's own period (not its review month).
            ended = [d for d in month_choices(plan, today=today) if d <= plan.period_end]
            default = ended[-1] if ended else plan.period_start
        return default
    return parse_as_of(raw, first=plan.period_start, last=review_end(plan), today=today)


def expected_path(target: Target) -> list[tuple[dt.date, Decimal]]:
    """The expected value at the start, at each month end and at the deadline, for charts."""
    if target.deadline is None or target.standard:
        return []
    spec = spec_for(target)
    days = [target.start]
    end = month_end(target.start)
    while end < target.deadline:
        if end > target.start:
            days.append(end)
        end = month_end(end + dt.timedelta(days=1))
    days.append(target.deadline)
    points = [(day, rules.expected_value(spec=spec, on=day)) for day in days]
    return [(day, value) for day, value in points if value is not None]


def attention_reason(row: TargetRow) -> str:
    """Why a target is on the 需要关注 list, in a sentence a leader reads at a glance."""
    a = row.assessment
    age = month_label(a.measured_on) if a.measured_on else ""
    if row.light in (rules.Light.OVERDUE, rules.Light.NOT_COMPLETED):
        return _("期限 %(deadline)s 已到,%(age)s数据显示未完成") % {
            "deadline": row.target.deadline,
            "age": age,
        }
    if row.light is rules.Light.BELOW_STANDARD:
        return _("%(age)s数据低于标准") % {"age": age}
    if row.light in (rules.Light.BEHIND, rules.Light.SERIOUSLY_BEHIND):
        return _("%(age)s数据落后序时进度 %(gap)s 个百分点") % {"age": age, "gap": fmt_points(abs(a.gap))}
    if row.at_risk:
        return _("按近期趋势,期限前预计只能达到 %(projected)s(目标 %(goal)s)") % {
            "projected": fmt_number(a.projected),
            "goal": fmt_number(row.target.goal),
        }
    return ""


def needs_attention(row: TargetRow) -> bool:
    return row.light in ATTENTION or row.at_risk


# Lights that need a leader's attention on the overview, worst first.
ATTENTION = {
    rules.Light.OVERDUE,
    rules.Light.NOT_COMPLETED,
    rules.Light.BELOW_STANDARD,
    rules.Light.SERIOUSLY_BEHIND,
    rules.Light.BEHIND,
}


def ledger_items(target: Target, *, as_of: dt.date) -> list[tuple[object, bool | None]]:
    """The ledger items behind a target, with whether each counts as done by `as_of` (`ledgers.items`)."""
    return ledgers.items(target, as_of=as_of)
