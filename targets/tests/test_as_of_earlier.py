"""One fetch, two dates: `progress.as_of_earlier` equals fetching again with `for_dashboard`.

The overview (change since the month before) and the bulletin's narrative assess the same targets
at the as-of date and at the end of the month before; they cut the first fetch at the earlier date
instead of fetching everything again. The rows must be the same, verdict for verdict.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets import overview, progress
from targets.models import Plan, Target

pytestmark = pytest.mark.django_db


def row_numbers(row: progress.TargetRow):
    return (
        row.target.pk,
        row.assessment,
        row.latest_figure.pk if row.latest_figure else None,
        row.observations,
        row.reporting,
        row.doubtful_figure.pk if row.doubtful_figure else None,
        [f.pk for f in row.target.approved_figures],
        [f.pk for f in row.target.reported_figures],
    )


def both_ways(plan: Plan, later: dt.date, earlier: dt.date):
    thresholds = progress.thresholds_for(plan)
    quantified = Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED)
    fetched = list(quantified.for_dashboard(later))
    cut = progress.assess_targets(
        progress.as_of_earlier(fetched, as_of=earlier), as_of=earlier, thresholds=thresholds
    )
    again = progress.assess_targets(quantified.for_dashboard(earlier), as_of=earlier, thresholds=thresholds)
    return cut, again


@pytest.mark.parametrize(
    ("later", "earlier", "figures_cut"),
    [
        (dt.date(2020, 6, 30), dt.date(2020, 5, 31), True),
        (dt.date(2020, 6, 15), dt.date(2020, 5, 31), False),
        (dt.date(2020, 12, 31), dt.date(2020, 11, 30), False),
        (dt.date(2020, 9, 30), dt.date(2020, 3, 31), True),
    ],
)
def test_the_cut_fetch_assesses_as_a_new_fetch_on_the_seed(later, earlier, figures_cut):
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    cut, again = both_ways(plan, later, earlier)
    assert len(cut) == len(again) > 0
    assert [row_numbers(r) for r in cut] == [row_numbers(r) for r in again]
    assert overview.tiles(cut) == overview.tiles(again)
    # Where the seed has figures between the two dates, the cut is not a no-op.
    assert figures_cut is (
        sum(len(r.target.approved_figures) for r in cut)
        < sum(
            len(t.approved_figures)
            for t in Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED).for_dashboard(later)
        )
    )


def test_the_cut_fetch_assesses_as_a_new_fetch_with_ledger_targets():
    call_command(GenerateScaleData(), districts=1, years=1, targets=18, projects=30, units=4, verbosity=0)
    plan = Plan.objects.get(district__startswith="合成区")
    assert Target.objects.for_plan(plan).exclude(ledger_measure="").exists()
    for later, earlier in (
        (dt.date(2021, 6, 30), dt.date(2021, 5, 31)),
        (dt.date(2021, 10, 31), dt.date(2021, 4, 30)),
    ):
        cut, again = both_ways(plan, later, earlier)
        assert [row_numbers(r) for r in cut] == [row_numbers(r) for r in again]
