"""What the rules measure for a target counted from the ledger (台账统计), and its items.

A target with a `ledger_measure` counts the projects of its ledger group that have reached its
stage by each month end (`count`), or sums their latest approved completed investment
(`investment`). The kernel asks for these through `targets.ledgers`; `ProjectsConfig.ready`
registers `LEDGER` there.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch

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


class ProjectLedger:
    """The project ledger as the kernel's `targets.ledgers.LedgerSource`."""

    def prefetch(self, approved, *, detail):
        projects = Project.objects.select_related("investment_target").prefetch_related(
            Prefetch("investment_target__figures", queryset=approved, to_attr="approved_figures")
        )
        if not detail:
            # The ledger's arithmetic reads a project's stage, stage dates and planned investment,
            # and its investment target only to reach that target's figures.
            projects = projects.only(
                "id",
                "plan_id",
                "name",
                "stage",
                "annual_planned_investment",
                *STAGE_DATE_FIELDS.values(),
                "investment_target__id",
                "investment_target__project_id",
            )
        return [Prefetch("ledger_group__projects", queryset=projects)]

    def observations(self, target: Target, *, as_of: dt.date) -> list[rules.Observation]:
        """Uses only what `prefetch` fetched."""
        if target.ledger_measure == LedgerMeasure.COUNT:
            return _counts(target, as_of=as_of)
        if target.ledger_measure == LedgerMeasure.INVESTMENT:
            return _investment(target, as_of=as_of)
        return []

    def items(self, target: Target, *, as_of: dt.date) -> list[tuple[object, bool | None]]:
        """The projects behind a target, with whether each counts as done by `as_of`.

        Done is known only for a target counted by stage; for others it is None (the page shows
        each item's stage instead).
        """
        rows = []
        for project in target.ledger_group.projects.all():
            done = None
            if target.ledger_measure == LedgerMeasure.COUNT:
                item = project.ledger_item()
                done = ledger.reached(item, target.ledger_stage, by=as_of) or ledger.reached_undated(
                    item, target.ledger_stage
                )
            rows.append((project, done))
        return sorted(rows, key=lambda r: (r[1] is not True, r[0].name))


LEDGER = ProjectLedger()
