"""Reporting compliance: which units have reported a month's figures, on time, late or not at all.

The figures for month M are due by the end of day `Plan.report_due_day` of month M+1, Beijing
time (Asia/Shanghai). For one month of a plan, every unit that answers for at least one
non-monitored target gets a `UnitStatus` sorting its targets into four groups:

- missing (未报送): no figure for the month, or only a draft;
- late (迟报): submitted or approved, but submitted after the deadline;
- returned (已退回): sent back by a reviewer, with the reason;
- on time (按时): submitted or approved by the deadline. A figure without a submission time
  (entered before the review workflow, e.g. from the seed data) counts as on time.

Targets that no unit answers for are listed apart (未明确责任单位): nobody can report them.
Monitored indicators (监测指标) are left out, and so are targets that start after the month.

`unit_compliance` runs a fixed number of queries (three), however many units and targets.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from common.months import month_end
from targets.models import Figure, Plan, Target, Unit

REPORTING_TZ = ZoneInfo("Asia/Shanghai")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    """A month parameter that cannot be used; the message is for the user (Chinese)."""


def parse_month(raw: str) -> dt.date:
    """The first day of the month written as YYYY-MM, or MonthError."""
    match = _MONTH_RE.match((raw or "").strip())
    if not match:
        raise MonthError(_("月份“%(raw)s”格式不对,应为“年-月”,如 2020-06。") % {"raw": raw})
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1:
        raise MonthError(_("月份“%(raw)s”不存在,月份应在 1 至 12 之间。") % {"raw": raw})
    return dt.date(year, month, 1)


def plan_months(plan: Plan) -> tuple[dt.date, dt.date]:
    """First days of the first and the last month of the plan's period."""
    return plan.period_start.replace(day=1), plan.period_end.replace(day=1)


def check_month_in_plan(plan: Plan, month: dt.date) -> None:
    """Raise MonthError when `month` lies outside the plan's period."""
    first, last = plan_months(plan)
    if not first <= month <= last:
        raise MonthError(
            _("%(month)s 不在计划“%(plan)s”的期限(%(first)s 至 %(last)s)之内。")
            % {
                "month": f"{month:%Y-%m}",
                "plan": plan,
                "first": f"{first:%Y-%m}",
                "last": f"{last:%Y-%m}",
            }
        )


def last_closed_month(today: dt.date) -> dt.date:
    """First day of the month before the one `today` falls in: the month now being reported.

    Unlike `common.months.last_closed_month`, the last day of a month does not count as closing it:
    on 30 June the month whose figures are due is still May.
    """
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def default_month(plan: Plan, today: dt.date) -> dt.date:
    """`last_closed_month(today)` clamped into the plan's period."""
    first, last = plan_months(plan)
    return min(max(last_closed_month(today), first), last)


def due_date(plan: Plan, month: dt.date) -> dt.date:
    """The last day on which month's figures count as on time: day `report_due_day` of M+1."""
    next_month = month_end(month) + dt.timedelta(days=1)
    return next_month.replace(day=plan.report_due_day)


def late_from(plan: Plan, month: dt.date) -> dt.datetime:
    """The first instant at which a submission is late: midnight after the due date, Beijing time."""
    return dt.datetime.combine(due_date(plan, month) + dt.timedelta(days=1), dt.time(), tzinfo=REPORTING_TZ)


# What a compliance line reads of its target (its code and name, how it is listed and linked) and of
# its figure (the state, when it was submitted, why it was returned).
LINE_TARGET_FIELDS = ("id", "key_task_id", "code", "name", "sort_order", "kind", "start")
LINE_FIGURE_FIELDS = ("id", "target_id", "month", "status", "submitted_at", "return_reason")


@dataclass(frozen=True)
class Line:
    """One target of a unit for the month, with its figure (None when there is none)."""

    target: Target
    figure: Figure | None = None

    @property
    def reason(self) -> str:
        return self.figure.return_reason if self.figure else ""

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.figure.submitted_at if self.figure else None

    @property
    def is_draft(self) -> bool:
        return self.figure is not None and self.figure.status == Figure.Status.DRAFT


@dataclass
class UnitStatus:
    """One unit's reporting for the month, its targets in plan order within each group."""

    unit: Unit
    missing: list[Line] = field(default_factory=list)
    late: list[Line] = field(default_factory=list)
    returned: list[Line] = field(default_factory=list)
    on_time: list[Line] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.late) + len(self.returned) + len(self.on_time)

    @property
    def complete(self) -> bool:
        """Every target submitted or approved on time."""
        return not (self.missing or self.late or self.returned)

    @property
    def needs_reminder(self) -> bool:
        """Something is still to be (re)submitted: missing or returned figures."""
        return bool(self.missing or self.returned)

    def sort_key(self):
        """Worst first: most missing, then most returned, then most late; then by name."""
        return (-len(self.missing), -len(self.returned), -len(self.late), self.unit.name)


@dataclass
class Compliance:
    """The reporting state of one month of a plan."""

    plan: Plan
    month: dt.date
    due_date: dt.date
    late_from: dt.datetime
    overdue: bool  # the deadline has passed (as of `now`)
    units: list[UnitStatus]
    unassigned: list[Target]

    @property
    def complete_count(self) -> int:
        return sum(1 for status in self.units if status.complete)


def _classify(line: Line, late_from: dt.datetime) -> str:
    figure = line.figure
    if figure is None or figure.status == Figure.Status.DRAFT:
        return "missing"
    if figure.status == Figure.Status.RETURNED:
        return "returned"
    if figure.submitted_at is not None and figure.submitted_at >= late_from:
        return "late"
    return "on_time"


def unit_compliance(*, plan: Plan, month: dt.date, now: dt.datetime, targets=None) -> Compliance:
    """Who has reported `month` of `plan`, as of `now`, in three queries.

    `month` may be any day of the month. Units come worst first (see `UnitStatus.sort_key`);
    a target with several responsible units appears under each of them.

    `targets`: the plan's targets (`Target.objects.for_plan(plan)`, in its order, with their
    units: `Target.unit_list()`) when the caller has them already, as the bulletin has; then only
    the month's figures are read (one query).
    """
    month = month.replace(day=1)
    cutoff = late_from(plan, month)
    # Only what the reports read of a target, a unit and a figure (a large plan has thousands of
    # targets), and the units as plain lists rather than a prefetched manager per target.
    month_figures = Figure.objects.filter(month=month).only(*LINE_FIGURE_FIELDS)
    if targets is None:
        fetched = (
            Target.objects.for_plan(plan)
            .exclude(kind=Target.Kind.MONITORED)
            .filter(start__lte=month_end(month))
            .only(*LINE_TARGET_FIELDS)
            .prefetch_related(
                Prefetch(
                    "responsible_units",
                    queryset=Unit.objects.order_by("pk").only("id", "name", "district"),
                    to_attr="compliance_units",
                ),
                Prefetch("figures", queryset=month_figures, to_attr="month_figures"),
            )
        )
        lines = (
            (target, target.compliance_units, target.month_figures[0] if target.month_figures else None)
            for target in fetched
        )
    else:
        figures = {figure.target_id: figure for figure in month_figures.filter(target__key_task__plan=plan)}
        last_day = month_end(month)
        lines = (
            (target, target.unit_list(), figures.get(target.pk))
            for target in targets
            if target.kind != Target.Kind.MONITORED and target.start <= last_day
        )
    by_unit: dict[int, UnitStatus] = {}
    unassigned: list[Target] = []
    for target, units, figure in lines:
        line = Line(target, figure)
        if not units:
            unassigned.append(target)
        group = _classify(line, cutoff)
        for unit in units:
            status = by_unit.setdefault(unit.pk, UnitStatus(unit))
            getattr(status, group).append(line)
    return Compliance(
        plan=plan,
        month=month,
        due_date=due_date(plan, month),
        late_from=cutoff,
        overdue=now >= cutoff,
        units=sorted(by_unit.values(), key=UnitStatus.sort_key),
        unassigned=unassigned,
    )
