"""Ledger arithmetic: how many items reached a stage, the four stage rates, investment completion.

Plain functions over `Item` values (no database), so each rule is unit-tested by hand.

- An item has *reached* a stage when its current stage is that stage or a later one.
- By a date, it had reached the stage when the earliest known date of that stage or any later
  one is on or before the date. An item known to be at the stage but with no date recorded is
  counted in the current state (`by=None`) and in the latest month of a series, never earlier:
  when it got there is not known.
- A stage rate's denominator is the number of items the plan states for the group when the
  ledger holds fewer (12 projects to start, 3 registered: 1 started is 1/12, not 1/3), else
  the number of items in the ledger.
- Investment completion is completed investment (latest approved year-to-date figures) over the
  annual planned investment, both summed over the items that have an annual plan.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

STAGES = ["reserve", "registered", "started", "completed", "producing"]
RATE_STAGES = ["registered", "started", "completed", "producing"]
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Item:
    stage: str = ""
    # stage → date reached (registered, started, completed, producing); missing or None = unknown
    dates: Mapping[str, dt.date | None] = field(default_factory=dict)
    annual_planned: Decimal | None = None
    completed_investment: Decimal | None = None


def _rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def reached(item: Item, stage: str, *, by: dt.date | None = None) -> bool:
    if _rank(item.stage) < _rank(stage):
        return False
    if by is None:
        return True
    known = [item.dates.get(s) for s in STAGES[_rank(stage) :] if item.dates.get(s) is not None]
    return bool(known) and min(known) <= by


def count_reached(items: Sequence[Item], stage: str, *, by: dt.date | None = None) -> int:
    return sum(1 for item in items if reached(item, stage, by=by))


def denominator(items: Sequence[Item], stated_count: int | None) -> int:
    return max(len(items), stated_count or 0)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StageRate:
    stage: str
    count: int
    of: int
    percent: Decimal | None


def stage_rates(items: Sequence[Item], *, stated_count: int | None = None) -> list[StageRate]:
    """入库率, 开工率, 竣工率, 达产率 in the current state."""
    whole = denominator(items, stated_count)
    rates = []
    for stage in RATE_STAGES:
        n = count_reached(items, stage)
        rates.append(StageRate(stage=stage, count=n, of=whole, percent=share(n, whole)))
    return rates


@dataclass(frozen=True)
class InvestmentCompletion:
    completed: Decimal
    planned: Decimal
    percent: Decimal | None
    items_with_plan: int


def investment_completion(items: Sequence[Item]) -> InvestmentCompletion:
    planned_items = [i for i in items if i.annual_planned is not None]
    planned = sum((i.annual_planned for i in planned_items), Decimal(0))
    completed = sum((i.completed_investment or Decimal(0) for i in planned_items), Decimal(0))
    return InvestmentCompletion(
        completed=completed,
        planned=planned,
        percent=share(completed, planned),
        items_with_plan=len(planned_items),
    )


def reached_undated(item: Item, stage: str) -> bool:
    """At the stage now, but no date of reaching it (or a later stage) is known."""
    return reached(item, stage) and all(item.dates.get(s) is None for s in STAGES[_rank(stage) :])


def monthly_counts(
    items: Sequence[Item], stage: str, *, month_ends: Sequence[dt.date]
) -> list[tuple[dt.date, int]]:
    """The count reached by each month end.

    Items at the stage with no known date count only in the last month (the latest state), see
    the module notes; dated items count from the month they reached it.
    """
    if not month_ends:
        return []
    counts = [(end, count_reached(items, stage, by=end)) for end in month_ends]
    last_end, last = counts[-1]
    counts[-1] = (last_end, last + sum(1 for item in items if reached_undated(item, stage)))
    return counts
