"""Ledger arithmetic: how many items reached a stage, the stage rates, investment completion.

Plain functions over `Item` values (no database), so each rule is unit-tested by hand.

- Stages run 储备 → 开工 → 入库 → 竣工 → 达产 (四比四看: 入库, entry into the statistics
  database, comes after 开工). An item has *reached* a stage when its current stage is that
  stage or a later one.
- By a date, it had reached the stage when the earliest known date of that stage or any later
  one is on or before the date. An item known to be at the stage but with no date recorded is
  counted in the current state (`by=None`) and in the latest month of a series, never earlier:
  when it got there is not known.
- A stage rate never reads an empty or short ledger, or items whose stage nobody knows, as zero
  progress. With N the number of items the plan states for the group (if it does), k the items
  in the ledger and c of them with a known stage (the rest are 阶段未知):
  - c = k > 0 and k ≥ N (or no N): the ledger's count over its k items (the ledger is the group);
  - otherwise, where a source document states how many reached the stage (the H1 report's
    "487个老旧小区改造已全部开工"), that count over N, with the sentence and its date;
  - otherwise, with k = 0: no rate, "台账未录入(文件所述 N 项)"; with c = 0 < k: no rate,
    "阶段未知";
  - otherwise: the count over the c items only, labelled with k, N and the unknown ones
    ("台账已录入 3 项 / 文件所述 12 项": 2 started of 3 is 66.7% of what is registered, not 2/12).
- Investment completion is completed investment (latest approved year-to-date figures) over the
  annual planned investment, both summed over the items that have an annual plan.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

STAGES = ["reserve", "started", "registered", "completed", "producing"]
RATE_STAGES = ["started", "registered", "completed", "producing"]
HUNDRED = Decimal(100)

# What a stage rate rests on (StageRate.basis).
LEDGER = "ledger"  # the ledger holds the whole group, every stage known: count over its items
PARTIAL = "partial"  # some items registered or some stages unknown: count over the known ones only
UNREGISTERED = "unregistered"  # the ledger holds none of the group's items: no rate
STAGE_UNKNOWN = "stage_unknown"  # items registered, none with a known stage: no rate
DOCUMENT = "document"  # a source document states the count: that count over the stated number


@dataclass(frozen=True)
class Item:
    stage: str = ""
    # stage → date reached (started, registered, completed, producing); missing or None = unknown
    dates: Mapping[str, dt.date | None] = field(default_factory=dict)
    annual_planned: Decimal | None = None
    completed_investment: Decimal | None = None


@dataclass(frozen=True)
class DocumentedCount:
    """A source document's own count of a group's items at a stage, as of a date, with its words."""

    count: int
    as_of: dt.date
    text: str


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


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StageRate:
    """One stage rate: `count` of `of` items reached `stage`, and on what it rests (`basis`).

    UNREGISTERED and STAGE_UNKNOWN have neither count nor percent; DOCUMENT carries the
    document's count and words. `registered` is the number of ledger items, `unknown` how many of
    them have no known stage, `stated` the number the plan states (or None).
    """

    stage: str
    count: int | None
    of: int | None
    percent: Decimal | None
    basis: str = LEDGER
    registered: int = 0
    unknown: int = 0
    stated: int | None = None
    document: DocumentedCount | None = None

    @property
    def known(self) -> int:
        """Ledger items whose stage is known: the denominator of a ledger or partial rate."""
        return self.registered - self.unknown


def stage_rate(
    items: Sequence[Item],
    stage: str,
    *,
    stated_count: int | None = None,
    documented: DocumentedCount | None = None,
) -> StageRate:
    """The rate of one stage in the current state, by the rules in the module notes."""
    known = [item for item in items if item.stage]
    return rate_from_counts(
        stage,
        registered=len(items),
        known=len(known),
        reached=count_reached(known, stage),
        stated_count=stated_count,
        documented=documented,
    )


def rate_from_counts(
    stage: str,
    *,
    registered: int,
    known: int,
    reached: int,
    stated_count: int | None = None,
    documented: DocumentedCount | None = None,
) -> StageRate:
    """`stage_rate` from counts alone: `registered` items, `known` of them with a stage, `reached`
    of those at `stage` or later (as a database can count them without loading the items)."""
    k, c, n = registered, known, reached
    common = {"stage": stage, "registered": k, "unknown": k - c, "stated": stated_count}
    if c == k > 0 and (stated_count is None or k >= stated_count):
        return StageRate(count=n, of=c, percent=share(n, c), basis=LEDGER, **common)
    if documented is not None:
        return StageRate(
            count=documented.count,
            of=stated_count,
            percent=share(documented.count, stated_count) if stated_count else None,
            basis=DOCUMENT,
            document=documented,
            **common,
        )
    if c == 0:
        basis = UNREGISTERED if k == 0 else STAGE_UNKNOWN
        return StageRate(count=None, of=stated_count, percent=None, basis=basis, **common)
    return StageRate(count=n, of=c, percent=share(n, c), basis=PARTIAL, **common)


def stage_rates(
    items: Sequence[Item],
    *,
    stated_count: int | None = None,
    documented: Mapping[str, DocumentedCount] | None = None,
    stages: Sequence[str] = RATE_STAGES,
) -> list[StageRate]:
    """开工率, 入库率, 竣工率 (and 达产率 where it applies) in the current state, in `stages` order."""
    documented = documented or {}
    return [
        stage_rate(items, stage, stated_count=stated_count, documented=documented.get(stage))
        for stage in stages
    ]


@dataclass(frozen=True)
class InvestmentCompletion:
    completed: Decimal
    planned: Decimal
    percent: Decimal | None
    items_with_plan: int


def investment_completion(items: Sequence[Item]) -> InvestmentCompletion:
    planned_items = [i for i in items if i.annual_planned is not None]
    return investment_from_totals(
        completed=sum((i.completed_investment or Decimal(0) for i in planned_items), Decimal(0)),
        planned=sum((i.annual_planned for i in planned_items), Decimal(0)),
        items_with_plan=len(planned_items),
    )


def investment_from_totals(
    *, completed: Decimal | None, planned: Decimal | None, items_with_plan: int
) -> InvestmentCompletion:
    """`investment_completion` from sums over the items with an annual plan (None: no such item)."""
    completed = completed if completed is not None else Decimal(0)
    planned = planned if planned is not None else Decimal(0)
    return InvestmentCompletion(
        completed=completed,
        planned=planned,
        percent=share(completed, planned),
        items_with_plan=items_with_plan,
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
    # Each item's date of reaching the stage, worked out once (the earliest known date of the
    # stage or a later one, as `reached` takes it), then counted against each month end.
    rank = _rank(stage)
    later = STAGES[rank:]
    reached_on = []
    for item in items:
        if _rank(item.stage) < rank:
            continue
        known = [item.dates.get(s) for s in later if item.dates.get(s) is not None]
        if known:
            reached_on.append(min(known))
    counts = [(end, sum(1 for day in reached_on if day <= end)) for end in month_ends]
    last_end, last = counts[-1]
    counts[-1] = (last_end, last + sum(1 for item in items if reached_undated(item, stage)))
    return counts
