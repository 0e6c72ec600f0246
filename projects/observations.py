"""What the rules measure for a target counted from the ledger (台账统计), and its items.

A target with a `ledger_measure` counts the projects of its ledger group that have reached its
stage by each month end (`count`), or sums their latest approved completed investment
(`investment`). The kernel asks for these through `targets.ledgers`; `ProjectsConfig.ready`
registers `LEDGER` there.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Prefetch, Q, Value, When, prefetch_related_objects

from common.months import closed_month_ends
from targets import rules
from targets.models import LedgerMeasure, Target

from . import ledger
from .models import STAGE_DATE_FIELDS, Project


@dataclass(frozen=True)
class StageCounts:
    """A count-target's group as `_count_stages` counted it: its projects in all, those at the
    target's stage or a later one with a date of reaching it by each month end, and those at it
    with no such date."""

    total: int
    by_month_end: dict[dt.date, int]
    undated: int


def _counts(target: Target, *, as_of: dt.date) -> list[rules.Observation]:
    """Items of the group at the target's stage or later, by each month end since the start:
    `ledger.monthly_counts` over the group's items, from the counts `_count_stages` kept.

    An empty group counts as not reported: nobody has registered its items yet.
    """
    counts: StageCounts = target.ledger_stage_counts
    month_ends = closed_month_ends(target.start, as_of)
    if not counts.total or not month_ends:
        return []
    values = [counts.by_month_end[end] for end in month_ends]
    values[-1] += counts.undated
    return [
        rules.Observation(month_end=end, value=Decimal(n)) for end, n in zip(month_ends, values, strict=True)
    ]


def _count_stages(targets: list[Target], *, as_of: dt.date) -> None:
    """Count each target's group by stage: `target.ledger_stage_counts`, by `ledger.monthly_counts`.

    One query reads each group's projects as plain rows (stage and stage dates, no model
    instances), and only the counts are kept: a group of thousands of projects costs its rows
    once, not a model instance each for every page that shows the target.
    """
    month_ends = sorted({end for target in targets for end in closed_month_ends(target.start, as_of)})
    fields = list(STAGE_DATE_FIELDS.values())
    rows = Project.groups.through.objects.filter(
        projectgroup_id__in={t.ledger_group_id for t in targets}
    ).values_list("projectgroup_id", "project__stage", *(f"project__{field}" for field in fields))
    items: dict[int, list[ledger.Item]] = {}
    stages = [stage.value for stage in STAGE_DATE_FIELDS]
    for group_id, stage, *dates in rows:
        items.setdefault(group_id, []).append(
            ledger.Item(stage=stage, dates=dict(zip(stages, dates, strict=True)))
        )
    counted: dict[tuple[int, str], StageCounts] = {}
    for target in targets:
        key = (target.ledger_group_id, target.ledger_stage)
        if key not in counted:
            group = items.get(target.ledger_group_id, [])
            undated = sum(1 for item in group if ledger.reached_undated(item, target.ledger_stage))
            counts = ledger.monthly_counts(group, target.ledger_stage, month_ends=month_ends)
            by_month_end = dict(counts)
            if counts:  # monthly_counts puts the undated items in the last month; kept apart here
                by_month_end[month_ends[-1]] -= undated
            counted[key] = StageCounts(total=len(group), by_month_end=by_month_end, undated=undated)
        target.ledger_stage_counts = counted[key]


def _investment(target: Target, *, as_of: dt.date) -> list[rules.Observation]:
    """The group's completed investment: per month end, each project's latest approved figure summed."""
    series = []
    for project in target.ledger_group.projects.all():
        investment = getattr(project, "investment_target", None)
        if investment is not None and investment.approved_figures:
            series.append(investment.approved_figures)
    if not series:
        return []
    observations = []
    for end in closed_month_ends(target.start, as_of):
        latest = [
            next((f.value for f in reversed(figs) if f.month_end <= end and f.value is not None), None)
            for figs in series
        ]
        known = [v for v in latest if v is not None]
        if known:
            observations.append(rules.Observation(month_end=end, value=sum(known, Decimal(0))))
    return observations


def _done(stage: str, *, as_of: dt.date) -> Q:
    """`ledger.reached(item, stage, by=as_of) or ledger.reached_undated(item, stage)` as a filter:
    at the stage or a later one, and either reached one of them by `as_of` or with no date of
    reaching any of them."""
    later = ledger.STAGES[ledger.STAGES.index(stage) :]
    fields = [field for s, field in STAGE_DATE_FIELDS.items() if s.value in later]
    undated = Q(**{f"{field}__isnull": True for field in fields})
    by = Q()
    for field in fields:
        by |= Q(**{f"{field}__lte": as_of})
    return Q(stage__in=later) & (undated | by)


class ItemList:
    """The projects behind a target with whether each counts as done, done ones first (by name):
    `targets.ledgers.Items`. A `Paginator` pages it; each slice fetches only its own projects
    (id, name and stage), and the length and the done count are one query, over all of them."""

    def __init__(self, target: Target, *, as_of: dt.date):
        projects = Project.objects.filter(groups=target.ledger_group_id).only("id", "name", "stage")
        self.counted = target.ledger_measure == LedgerMeasure.COUNT and bool(target.ledger_stage)
        if self.counted:
            done = _done(target.ledger_stage, as_of=as_of)
            projects = projects.annotate(
                done=Case(When(done, then=Value(True)), default=Value(False), output_field=BooleanField())
            ).order_by("-done", "name", "pk")
        else:
            projects = projects.order_by("name", "pk")
        self._projects = projects
        self._done_filter = done if self.counted else None
        self._totals: dict | None = None

    def _count(self) -> dict:
        if self._totals is None:
            aggregates = {"total": Count("pk")}
            if self._done_filter is not None:
                aggregates["done"] = Count("pk", filter=self._done_filter)
            self._totals = self._projects.order_by().aggregate(**aggregates)
        return self._totals

    def __len__(self) -> int:
        return self._count()["total"]

    @property
    def done(self) -> int | None:
        """How many count as done (None for a target not counted by stage)."""
        return self._count()["done"] if self.counted else None

    @property
    def not_done(self) -> int | None:
        return len(self) - self.done if self.counted else None

    def _rows(self, projects) -> list[tuple[Project, bool | None]]:
        return [(project, project.done if self.counted else None) for project in projects]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self._projects[index])
        return self._rows([self._projects[index]])[0]

    def __iter__(self):
        return iter(self._rows(self._projects))


class ProjectLedger:
    """The project ledger as the kernel's `targets.ledgers.LedgerSource`."""

    def prefetch(self, targets, *, approved, as_of, detail):
        """What the observations of the fetched targets read: for a target counted by stage, its
        group's counts by month end (`_count_stages`); for a target that sums investment, the
        group's projects with their investment figures."""
        counted = [t for t in targets if t.ledger_measure == LedgerMeasure.COUNT and t.ledger_group_id]
        if counted:
            _count_stages(counted, as_of=as_of)
        summed = [t for t in targets if t.ledger_measure == LedgerMeasure.INVESTMENT and t.ledger_group_id]
        if not summed:
            return
        # The investment sum reads a project's investment target only to reach that target's
        # figures. A target's page too (`detail`) lists its items through `items`, a page at a
        # time, not from these.
        projects = (
            Project.objects.select_related("investment_target")
            .prefetch_related(
                Prefetch("investment_target__figures", queryset=approved, to_attr="approved_figures")
            )
            .only("id", "investment_target__id", "investment_target__project_id")
        )
        prefetch_related_objects(summed, Prefetch("ledger_group__projects", queryset=projects))

    def observations(self, target: Target, *, as_of: dt.date) -> list[rules.Observation]:
        """Uses only what `prefetch` fetched."""
        if target.ledger_measure == LedgerMeasure.COUNT:
            return _counts(target, as_of=as_of)
        if target.ledger_measure == LedgerMeasure.INVESTMENT:
            return _investment(target, as_of=as_of)
        return []

    def items(self, target: Target, *, as_of: dt.date) -> ItemList:
        """The projects behind a target, with whether each counts as done by `as_of`.

        Done is known only for a target counted by stage; for others it is None (the page shows
        each item's stage instead). Fetched a slice at a time, not from the prefetch.
        """
        return ItemList(target, as_of=as_of)


LEDGER = ProjectLedger()
