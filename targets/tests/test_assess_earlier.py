"""One fetch, two dates: `progress.assess_earlier` equals fetching again with `for_dashboard`.

The overview (change since the month before) and the bulletin's narrative assess the same targets
at the as-of date and at the end of the month before; they assess the first fetch again at the
earlier date instead of fetching everything again. The verdicts must be the same, target by target.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets import overview, progress
from targets.models import Plan, Target

pytestmark = pytest.mark.django_db


def both_ways(plan: Plan, later: dt.date, earlier: dt.date):
    """The earlier verdicts from the later fetch, and from a new fetch at the earlier date."""
    thresholds = progress.thresholds_for(plan)
    quantified = Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED)
    rows = progress.assess_targets(quantified.for_dashboard(later), as_of=later, thresholds=thresholds)
    cut = progress.assess_earlier(rows, as_of=earlier, thresholds=thresholds)
    again = progress.assess_targets(quantified.for_dashboard(earlier), as_of=earlier, thresholds=thresholds)
    return rows, cut, {row.target.pk: row.assessment for row in again}


@pytest.mark.parametrize(
    ("later", "earlier"),
    [
        (dt.date(2020, 6, 30), dt.date(2020, 5, 31)),
        (dt.date(2020, 6, 15), dt.date(2020, 5, 31)),
        (dt.date(2020, 12, 31), dt.date(2020, 11, 30)),
        (dt.date(2020, 9, 30), dt.date(2020, 3, 31)),
    ],
)
def test_the_earlier_verdicts_equal_a_new_fetch_on_the_seed(later, earlier):
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    rows, cut, again = both_ways(plan, later, earlier)
    assert len(cut) == len(again) == len(rows) > 0
    assert cut == again
    assert overview.tiles(rows, list(cut.values())) == overview.tiles(rows, list(again.values()))
    # The later rows are left as they were: their figures are not cut.
    assert [r.assessment for r in rows] == [
        r.assessment
        for r in progress.assess_targets(
            Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED).for_dashboard(later),
            as_of=later,
            thresholds=progress.thresholds_for(plan),
        )
    ]
    # The earlier verdicts are worked out at their own date, not copied from the later ones.
    assert any(cut[r.target.pk] != r.assessment for r in rows)
    assert {a.expected_share for a in cut.values()} != {r.assessment.expected_share for r in rows}


def test_the_earlier_verdicts_equal_a_new_fetch_with_ledger_targets():
    call_command(GenerateScaleData(), districts=1, years=1, targets=18, projects=30, units=4, verbosity=0)
    plan = Plan.objects.get(district__startswith="合成区")
    assert Target.objects.for_plan(plan).exclude(ledger_measure="").exists()
    for later, earlier in (
        (dt.date(2021, 6, 30), dt.date(2021, 5, 31)),
        (dt.date(2021, 10, 31), dt.date(2021, 4, 30)),
    ):
        rows, cut, again = both_ways(plan, later, earlier)
        assert cut == again
        ledger_counted = [r.target.pk for r in rows if r.target.ledger_measure]
        assert ledger_counted and all(cut[pk] == again[pk] for pk in ledger_counted)
        assert any(cut[r.target.pk] != r.assessment for r in rows)
