"""What the rules measure for a target counted from the ledger (台账统计), and its items.

A target with a `ledger_measure` counts the projects of its ledger group that have reached its
stage by each month end (`count`), or sums their latest approved completed investment
(`investment`). The kernel asks for these through `targets.ledgers`; `ProjectsConfig.ready`
registers `LEDGER` there.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Prefetch, Q, Value, When

from common.months import closed_month_ends
from targets import rules
from targets.models import LedgerMeasure, Target

from . import ledger
from .models import STAGE_DATE_FIELDS, Project


def _counts(target: Target, *, as_of: dt.date) -> list[rules.Observation]:
    """Items of the group at the target's stage or later, by each month end since the start.

    An empty group counts as not reported: nobody has registered its items yet.
    """
    items = [project.ledger_item() for project in target.ledger_group.projects.all()]
    if not items:
        return []
    counts = ledger.monthly_counts(
        items, target.ledger_stage, month_ends=closed_month_ends(target.start, as_of)
    )
    return [rules.Observation(month_end=end, value=Decimal(n)) for end, n in counts]


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

    def prefetch(self, approved, *, detail):
        # The ledger's arithmetic reads a project's stage, stage dates and planned investment, and
        # its investment target only to reach that target's figures. A target's page too (`detail`)
        # lists its items through `items`, a page at a time, not from these.
        projects = (
            Project.objects.select_related("investment_target")
            .prefetch_related(
                Prefetch("investment_target__figures", queryset=approved, to_attr="approved_figures")
            )
            .only(
                "id",
                "plan_id",
                "name",
                "stage",
                "annual_planned_investment",
                *STAGE_DATE_FIELDS.values(),
                "investment_target__id",
                "investment_target__project_id",
            )
        )
        return [Prefetch("ledger_group__projects", queryset=projects)]

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
