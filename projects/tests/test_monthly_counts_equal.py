"""`ledger.monthly_counts` equals counting `ledger.reached` at each month end, item by item.

monthly_counts works out each item's date of reaching the stage once instead of asking `reached`
for every item at every month end; on many random ledgers the counts are the same.
"""

import datetime as dt
import random

import pytest

from projects import ledger


def by_reached(items, stage, month_ends):
    counts = [(end, ledger.count_reached(items, stage, by=end)) for end in month_ends]
    last_end, last = counts[-1]
    counts[-1] = (last_end, last + sum(1 for item in items if ledger.reached_undated(item, stage)))
    return counts


def random_item(rng: random.Random) -> ledger.Item:
    stage = rng.choice([*ledger.STAGES, "", "unknown"])
    dates = {}
    for s in ledger.STAGES[1:]:
        roll = rng.random()
        if roll < 0.5:
            dates[s] = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 400))
        elif roll < 0.7:
            dates[s] = None
    return ledger.Item(stage=stage, dates=dates)


@pytest.mark.parametrize("seed", range(40))
def test_monthly_counts_equal_counting_each_month(seed):
    rng = random.Random(seed)
    items = [random_item(rng) for _ in range(rng.randrange(0, 30))]
    month_ends = [dt.date(2020, m, 28) + dt.timedelta(days=4) for m in range(1, 13)]
    month_ends = [d.replace(day=1) - dt.timedelta(days=1) for d in month_ends]
    for stage in [*ledger.STAGES, "unknown"]:
        assert ledger.monthly_counts(items, stage, month_ends=month_ends) == by_reached(
            items, stage, month_ends
        )
    assert ledger.monthly_counts(items, "started", month_ends=[]) == []
