"""The leaders' monthly bulletin (月度通报): one plan, one month, as of that month's end.

`build_bulletin` fetches everything in a fixed number of queries (the dashboard querysets of the
targets and projects apps, the reporting compliance of the month, the plan's ledger problems) and
assembles plain values that the HTML page, the PDF and the workbook all print the same way:

- the headline: quantified targets counted by light, and a sentence saying where the plan stands;
- per key task, its targets with goal, value, completion, expected progress, gap and light;
- behind and overdue targets, worst first, with their unit and lead official;
- the unit ranking (see `RANKING_RULE`);
- open and overdue ledger problems by lead official; stage rates and investment per project group;
- the monitored indicators.

Only approved figures are shown (or counts from the project ledger, marked as such). "Quantified
targets" are all targets except monitored indicators (cumulative, level and milestone targets),
as on the overview page. Problems are taken as they stood on the as-of date (raised by then and
not yet resolved); project stages, as on the ledger pages, as they are now.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.formatting import fmt_number, fmt_qualified, join_list, month_label
from common.months import month_choices, month_end
from entry import compliance
from projects import summary as project_summary
from projects.models import Problem
from targets import progress, rules
from targets.models import Figure, KeyTask, Plan, Target

Light = rules.Light
HUNDRED = Decimal(100)
UNASSIGNED = gettext_lazy("未明确")

# Lights that need a leader's attention, listed worst first (severity, then gap).
ATTENTION = progress.ATTENTION
GOOD = {Light.ACHIEVED, Light.ACHIEVED_LATE, Light.MEETS_STANDARD, Light.ON_TRACK}

RANKING_RULE = gettext_lazy(
    "排名规则:按负责的量化目标中“已完成”和“正常推进”所占比例从高到低排列;"
    "比例相同的,按本月按时报送率从高到低;仍相同的,按负责目标数从多到少;再按单位名称排序。"
    "一个目标有多个责任单位的,计入每个单位;尚未开始的目标不计。"
)


class BulletinError(ValueError):
    """A month that cannot be used for the bulletin; the message is shown to the user."""


def share(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, to 0.1 (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- the month ----------------------------------------------------------------------------------


def default_month(plan: Plan, *, today: dt.date) -> dt.date:
    """The latest month with an approved figure; else the latest ended month of the plan."""
    latest = progress.latest_reported_month_end(plan)
    if latest is not None:
        return latest.replace(day=1)
    ended = [d for d in month_choices(plan, today=today) if d <= plan.period_end]
    return (ended[-1] if ended else plan.period_start).replace(day=1)


def resolve_month(raw: str | None, plan: Plan, *, today: dt.date) -> dt.date:
    """The bulletin's month (its first day) from `YYYY-MM`, or the default when empty.

    Raises BulletinError with a message for the user for a malformed month, a month outside the
    plan's period and a month that has not yet ended.
    """
    if raw is None or raw.strip() == "":
        return default_month(plan, today=today)
    try:
        month = compliance.parse_month(raw[:20])
        compliance.check_month_in_plan(plan, month)
    except compliance.MonthError as exc:
        raise BulletinError(str(exc)) from None
    if month_end(month) > today:
        raise BulletinError(
            _("%(month)s 尚未结束,只能生成已结束月份的通报。") % {"month": month_label(month)}
        )
    return month


def as_of_for(plan: Plan, month: dt.date) -> dt.date:
    """The bulletin's as-of date: the month's end, or the plan's end if that comes first."""
    return min(month_end(month), plan.period_end)


# --- values -------------------------------------------------------------------------------------


Headline = progress.Headline


@dataclass(frozen=True)
class TargetLine:
    """One quantified target as the bulletin prints it: the approved value or 暂无数据."""

    row: progress.TargetRow
    month: dt.date  # the bulletin's month (first day)

    @property
    def target(self) -> Target:
        return self.row.target

    @property
    def light(self) -> Light:
        return self.row.light

    @property
    def is_milestone(self) -> bool:
        return self.target.kind == Target.Kind.MILESTONE

    @property
    def from_ledger(self) -> bool:
        return self.row.from_ledger

    @property
    def latest(self) -> rules.Observation | None:
        return self.row.assessment.latest

    @property
    def value(self) -> Decimal | None:
        """The latest approved value (or ledger count) of a month ended by the as-of date."""
        return None if self.latest is None or self.is_milestone else self.latest.value

    @property
    def value_month(self) -> dt.date | None:
        return self.latest.month_end.replace(day=1) if self.latest else None

    @property
    def stale(self) -> bool:
        """The value shown is from an earlier month than the bulletin's."""
        return self.value_month is not None and self.value_month < self.month

    @property
    def goal_text(self) -> str:
        target = self.target
        if self.is_milestone:
            if target.deadline is None:
                return ""
            # The plan's own year goes without saying; another year is written out.
            same_year = target.deadline.year == self.month.year
            return _("%(date)s前完成") % {
                "date": f"{target.deadline:%m-%d}" if same_year else f"{target.deadline:%Y-%m-%d}"
            }
        sign = "≤" if target.direction == Target.Direction.AT_MOST else ""
        return f"{sign}{fmt_number(target.goal)}{target.unit_of_measure}"

    @property
    def value_text(self) -> str:
        """The approved value with its unit, 已完成/未完成 for a milestone, or 暂无数据."""
        latest = self.latest
        if latest is None:
            return _("暂无数据")
        if self.is_milestone:
            if latest.reached:
                done_on = f"({latest.reached_on:%m-%d})" if latest.reached_on else ""
                text = _("已完成") + done_on
            else:
                text = _("未完成")
        elif latest.value is None:
            return _("暂无数据")
        else:
            figure = self.row.latest_figure
            qualifier = figure.value_qualifier if figure is not None else ""
            text = f"{fmt_qualified(latest.value, qualifier)}{self.target.unit_of_measure}"
        if self.stale:
            text += _("(%(month)s月)") % {"month": self.value_month.month}
        return text

    @property
    def source_note(self) -> str:
        return _("台账计数") if self.from_ledger else ""

    @property
    def unit_names(self) -> list[str]:
        return [unit.name for unit in self.row.units]

    @property
    def units_text(self) -> str:
        return join_list(self.unit_names) or str(UNASSIGNED)

    @property
    def lead_official_text(self) -> str:
        return self.target.lead_official or str(UNASSIGNED)


@dataclass(frozen=True)
class TaskSection:
    task: KeyTask
    lines: list[TargetLine]
    indicator_count: int

    @property
    def counts(self) -> Counter:
        return Counter(line.light for line in self.lines)

    @property
    def lines_with_data(self) -> list[TargetLine]:
        return [line for line in self.lines if line.latest is not None]

    @property
    def codes_without_data(self) -> list[str]:
        return [line.target.code for line in self.lines if line.latest is None]

    @property
    def codes_without_data_text(self) -> str:
        return join_list(self.codes_without_data)


@dataclass(frozen=True)
class UnitRank:
    """One unit in the ranking; `rank` is its place after sorting by `sort_key`."""

    unit_name: str
    targets: int  # quantified targets it answers for (started by the as-of date)
    good: int  # of which achieved or on track
    reported_targets: int  # targets due for the month (compliance)
    on_time: int
    rank: int = 0

    @property
    def good_share(self) -> Decimal | None:
        return share(self.good, self.targets)

    @property
    def on_time_rate(self) -> Decimal | None:
        return share(self.on_time, self.reported_targets)

    def sort_key(self):
        """Share desc, on-time rate desc (none last), number of targets desc, unit name."""
        rate = self.on_time_rate
        return (-(self.good_share or 0), rate is None, -(rate or 0), -self.targets, self.unit_name)


def rank_units(entries: list[UnitRank]) -> list[UnitRank]:
    """The entries in ranking order (`RANKING_RULE`), numbered from 1."""
    ordered = sorted(entries, key=UnitRank.sort_key)
    return [
        UnitRank(e.unit_name, e.targets, e.good, e.reported_targets, e.on_time, rank=i)
        for i, e in enumerate(ordered, 1)
    ]


@dataclass(frozen=True, slots=True)
class ProblemLine:
    """An open problem as the bulletin prints it: plain values, not a model object per problem
    (a large plan has thousands)."""

    project_name: str
    description: str
    unit_name: str  # the problem's responsible unit, else its project's; "" when neither names one
    raised_on: dt.date
    due_by: dt.date | None
    overdue: bool

    @property
    def unit_text(self) -> str:
        return self.unit_name or str(UNASSIGNED)


@dataclass(frozen=True)
class ProblemGroup:
    """Problems still open at the as-of date, of projects one lead official is in charge of."""

    official: str  # "" when the project names none
    lines: list[ProblemLine]

    @property
    def label(self) -> str:
        return self.official or str(UNASSIGNED)

    @property
    def open_count(self) -> int:
        return len(self.lines)

    @property
    def overdue_count(self) -> int:
        return sum(1 for line in self.lines if line.overdue)


@dataclass(frozen=True)
class IndicatorLine:
    target: Target
    figure: Figure | None  # the latest approved figure of a month ended by the as-of date

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if self.figure else None

    @property
    def value_text(self) -> str:
        if self.figure is None or self.figure.value is None:
            return _("暂无数据")
        return fmt_qualified(self.figure.value, self.figure.value_qualifier)


@dataclass(frozen=True)
class Bulletin:
    plan: Plan
    month: dt.date  # first day of the bulletin's month
    as_of: dt.date
    thresholds: rules.Thresholds
    headline: Headline
    light_counts: Counter
    tasks: list[TaskSection]
    attention: list[TargetLine]
    ranking: list[UnitRank]
    unassigned_count: int
    compliance_due: dt.date
    problem_groups: list[ProblemGroup]
    project_groups: list[project_summary.GroupSummary]
    omitted_group_count: int
    indicators: list[tuple[KeyTask, list[IndicatorLine]]]
    generated_at: dt.datetime

    @property
    def rate_headers(self) -> list[str]:
        """The stage-rate columns of the project-group table (开工率, 入库率, 竣工率, 达产率)."""
        return project_summary.rate_headers()

    @property
    def ranking_rule(self) -> str:
        return str(RANKING_RULE)

    @property
    def title(self) -> str:
        return _("%(district)s%(year)s年重点工作推进情况通报") % {
            "district": self.plan.district,
            "year": self.plan.year,
        }

    @property
    def month_text(self) -> str:
        return month_label(self.month)

    @property
    def lines(self) -> list[TargetLine]:
        return [line for section in self.tasks for line in section.lines]

    @property
    def unassigned_text(self) -> str:
        return _("未明确责任单位的目标 %(n)s 项") % {"n": self.unassigned_count}

    @property
    def open_problems(self) -> int:
        return sum(group.open_count for group in self.problem_groups)

    @property
    def overdue_problems(self) -> int:
        return sum(group.overdue_count for group in self.problem_groups)

    @property
    def indicator_count(self) -> int:
        return sum(len(lines) for _task, lines in self.indicators)


# --- assembly -----------------------------------------------------------------------------------


def _attention_key(line: TargetLine):
    gap = line.row.gap
    return (-line.light.severity, gap is None, gap if gap is not None else 0, line.target.code)


def _ranking(lines: list[TargetLine], report: compliance.Compliance, *, as_of: dt.date) -> list[UnitRank]:
    targets: Counter = Counter()
    good: Counter = Counter()
    names: dict[int, str] = {}
    for line in lines:
        if line.target.start > as_of:
            continue  # not started: neither good nor bad yet
        for unit in line.row.units:
            names[unit.pk] = unit.name
            targets[unit.pk] += 1
            good[unit.pk] += line.light in GOOD
    reporting = {status.unit.pk: status for status in report.units}
    entries = []
    for pk, name in names.items():
        status = reporting.get(pk)
        entries.append(
            UnitRank(
                unit_name=name,
                targets=targets[pk],
                good=good[pk],
                reported_targets=status.total if status else 0,
                on_time=len(status.on_time) if status else 0,
            )
        )
    return rank_units(entries)


def _problem_groups(plan: Plan, *, as_of: dt.date) -> list[ProblemGroup]:
    """Problems open at the as-of date (raised by then, not resolved by then), by lead official.

    Overdue: open and its deadline before the as-of date. Officials with the most overdue
    problems come first; the group without a named official comes last.
    """
    problems = (
        Problem.objects.filter(project__plan=plan, raised_on__lte=as_of)
        .exclude(resolved_on__lte=as_of)
        .order_by("due_by", "project__name", "pk")
        .values_list(
            "project__lead_official",
            "project__name",
            "description",
            "responsible_unit__name",
            "project__responsible_unit__name",
            "raised_on",
            "due_by",
        )
    )
    by_official: dict[str, list[ProblemLine]] = defaultdict(list)
    for official, project, description, unit, project_unit, raised_on, due_by in problems:
        overdue = due_by is not None and due_by < as_of
        by_official[official.strip()].append(
            ProblemLine(project, description, unit or project_unit or "", raised_on, due_by, overdue)
        )
    groups = [
        ProblemGroup(official, sorted(lines, key=lambda line: not line.overdue))
        for official, lines in by_official.items()
    ]
    return sorted(groups, key=lambda g: (g.official == "", -g.overdue_count, -g.open_count, g.official))


def _group_summaries(plan: Plan, *, as_of: dt.date) -> list[project_summary.GroupSummary]:
    """Each project group's stage rates and investment, aggregated in the database
    (`project_summary.plan_group_summaries`); problems overdue as of the bulletin's date."""
    return project_summary.plan_group_summaries(plan, as_of=as_of, today=as_of)


def build_bulletin(*, plan: Plan, month: dt.date, now: dt.datetime | None = None) -> Bulletin:
    """The bulletin of `plan` for `month` (any day of it), as of the month's end.

    `now` decides only whether the month's reporting deadline has passed (the on-time rate);
    it defaults to the current time.
    """
    month = month.replace(day=1)
    as_of = as_of_for(plan, month)
    now = now or timezone.now()
    thresholds = progress.thresholds_for(plan)

    tasks = list(plan.key_tasks.all())
    rows = progress.assess_targets(
        Target.objects.for_plan(plan).for_dashboard(as_of), as_of=as_of, thresholds=thresholds
    )
    lines_by_task: dict[int, list[TargetLine]] = defaultdict(list)
    indicators_by_task: dict[int, list[IndicatorLine]] = defaultdict(list)
    counts: Counter = Counter()
    for row in rows:
        counts[row.light] += 1
        target = row.target
        if target.kind == Target.Kind.MONITORED:
            figure = target.approved_figures[-1] if target.approved_figures else None
            indicators_by_task[target.key_task_id].append(IndicatorLine(target, figure))
        else:
            lines_by_task[target.key_task_id].append(TargetLine(row, month))

    sections = [
        TaskSection(task, lines_by_task[task.pk], indicator_count=len(indicators_by_task[task.pk]))
        for task in tasks
    ]
    lines = [line for section in sections for line in section.lines]
    report = compliance.unit_compliance(plan=plan, month=month, now=now, targets=[row.target for row in rows])

    summaries = _group_summaries(plan, as_of=as_of)
    shown = [s for s in summaries if s.item_count or s.stated_count is not None]

    return Bulletin(
        plan=plan,
        month=month,
        as_of=as_of,
        thresholds=thresholds,
        headline=Headline.from_counts(counts, as_of=as_of),
        light_counts=counts,
        tasks=sections,
        attention=sorted((line for line in lines if progress.needs_attention(line.row)), key=_attention_key),
        ranking=_ranking(lines, report, as_of=as_of),
        unassigned_count=sum(1 for line in lines if not line.row.units),
        compliance_due=report.due_date,
        problem_groups=_problem_groups(plan, as_of=as_of),
        project_groups=shown,
        omitted_group_count=len(summaries) - len(shown),
        indicators=[(task, indicators_by_task[task.pk]) for task in tasks if indicators_by_task[task.pk]],
        generated_at=now,
    )
