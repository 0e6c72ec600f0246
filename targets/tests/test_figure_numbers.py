"""Lists read plain figure rows: `for_dashboard` without `detail` gives `FigureNumbers`, not models.

The rows must carry the same numbers as whole figures, so every verdict, latest value and reporting
state is the same either way; the figures' model instances are what made a plan of thousands of
targets slow and heavy.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets import progress
from targets.models import FIGURE_NUMBERS, Figure, FigureNumbers, Plan, Target

pytestmark = pytest.mark.django_db


def numbers(figure) -> tuple:
    return (*(getattr(figure, name) for name in FIGURE_NUMBERS), figure.pk, figure.month_end)


def rows_both_ways(plan: Plan, as_of: dt.date):
    thresholds = progress.thresholds_for(plan)
    targets = Target.objects.for_plan(plan)
    listed = progress.assess_targets(targets.for_dashboard(as_of), as_of=as_of, thresholds=thresholds)
    whole = progress.assess_targets(
        targets.for_dashboard(as_of, detail=True), as_of=as_of, thresholds=thresholds
    )
    return listed, whole


def same_rows(listed, whole):
    assert [r.target.pk for r in listed] == [r.target.pk for r in whole]
    for a, b in zip(listed, whole, strict=True):
        assert a.assessment == b.assessment
        assert a.reporting == b.reporting
        assert a.observations == b.observations
        assert [numbers(f) for f in a.target.approved_figures] == [
            numbers(f) for f in b.target.approved_figures
        ]
        assert [numbers(f) for f in a.target.reported_figures] == [
            numbers(f) for f in b.target.reported_figures
        ]
        assert (a.latest_figure and numbers(a.latest_figure)) == (
            b.latest_figure and numbers(b.latest_figure)
        )
        assert (a.doubtful_figure and a.doubtful_figure.pk) == (b.doubtful_figure and b.doubtful_figure.pk)


@pytest.mark.parametrize("as_of", [dt.date(2020, 3, 31), dt.date(2020, 6, 30), dt.date(2020, 12, 31)])
def test_list_rows_assess_as_whole_figures_on_the_seed(as_of):
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    listed, whole = rows_both_ways(plan, as_of)
    assert len(listed) == Target.objects.for_plan(plan).count()
    same_rows(listed, whole)
    figures = [f for r in listed for f in r.target.reported_figures]
    assert all(type(f) is FigureNumbers for f in figures)
    assert (
        len(figures)
        == Figure.objects.filter(
            target__in=Target.objects.for_plan(plan),
            status__in=(Figure.Status.SUBMITTED, Figure.Status.APPROVED),
            month__lte=as_of.replace(day=1),
        ).count()
    )
    assert all(type(f) is Figure for r in whole for f in r.target.reported_figures)


def test_list_rows_assess_as_whole_figures_with_submitted_and_ledger_targets():
    call_command(GenerateScaleData(), districts=1, years=1, targets=24, projects=30, units=4, verbosity=0)
    plan = Plan.objects.get(district__startswith="合成区")
    # Some figures only sent in (submitted): they count for the reporting state, not the verdict.
    Figure.objects.filter(target__key_task__plan=plan, month=dt.date(2021, 5, 1)).update(
        status=Figure.Status.SUBMITTED
    )
    listed, whole = rows_both_ways(plan, dt.date(2021, 6, 30))
    same_rows(listed, whole)
    assert all(type(f) is FigureNumbers for r in listed for f in r.target.reported_figures)
    reported = sum(len(r.target.reported_figures) for r in listed)
    approved = sum(len(r.target.approved_figures) for r in listed)
    assert reported > approved > 0


def test_the_list_fetch_costs_the_same_queries_for_few_and_many_figures():
    call_command(GenerateScaleData(), districts=1, years=1, targets=6, projects=4, units=2, verbosity=0)
    small = Plan.objects.get(district__startswith="合成区")
    call_command(GenerateScaleData(), plan_targets=[48], verbosity=0)
    large = Plan.objects.exclude(pk=small.pk).get(district__startswith="合成区")
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            targets = list(Target.objects.for_plan(plan).for_dashboard(dt.date(2021, 12, 31)))
        assert targets
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_subquery_for_many_targets_fetches_the_same_figures(monkeypatch):
    call_command(GenerateScaleData(), districts=1, years=1, targets=24, projects=30, units=4, verbosity=0)
    plan = Plan.objects.get(district__startswith="合成区")
    as_of = dt.date(2021, 9, 30)
    by_ids = {
        t.pk: [numbers(f) for f in t.reported_figures]
        for t in Target.objects.for_plan(plan).for_dashboard(as_of)
    }
    monkeypatch.setattr("targets.models.FIGURES_BY_SUBQUERY", 1)
    with CaptureQueriesContext(connection) as queries:
        targets = list(Target.objects.for_plan(plan).order_by("-code").for_dashboard(as_of))
    figure_query = next(q["sql"] for q in queries if 'FROM "targets_figure"' in q["sql"])
    assert "IN (SELECT" in figure_query.replace("U0.", "")
    assert {t.pk: [numbers(f) for f in t.reported_figures] for t in targets} == by_ids
    assert sum(len(v) for v in by_ids.values()) > 0
