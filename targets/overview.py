"""What the overview answers in ten seconds, computed from assessed rows (`progress.TargetRow`).

No database access: the view assesses the plan's targets at the as-of date and at the end of the
month before, and these functions count, rank and compare. Monitored indicators are left out.

- `tiles`: four counts a leader reads first (达成或正常推进, 预警, 落后或逾期, 暂无数据), each with its
  change since the month before;
- `task_progress`: per key task, the mean completion of its targets with data against their mean
  expected progress (the 序时进度 tick), and its counts;
- `due_soon`: what falls due in the next 30 and 60 days and how far it is;
- `unit_board`: units ranked worst first, with what each is behind on.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from . import rules
from .progress import ATTENTION, TargetRow

HUNDRED = Decimal(100)
# The overview's longest lists show this many rows (the worst or nearest first), then a count and a
# link to the target list: the page reads the same for a plan of 40 targets and one of 4,000.
ATTENTION_ROWS = 20
DUE_SOON_ROWS = 10
L = rules.Light

# Verdicts a tile counts. 预警 is "not yet behind by the rule, but a warning": 滞后 (behind, not
# seriously) and on-track targets whose trend misses the goal (预计难以完成).
GOOD = {L.ACHIEVED, L.ACHIEVED_LATE, L.MEETS_STANDARD, L.ON_TRACK}
FAILING = {L.SERIOUSLY_BEHIND, L.NOT_COMPLETED, L.OVERDUE, L.BELOW_STANDARD}
NO_DATA = {L.NO_DATA, L.UNASSESSABLE}


def tile_of(row: TargetRow) -> str:
    light = row.light
    if light in FAILING:
        return "failing"
    if light is L.BEHIND or (light is L.ON_TRACK and row.at_risk):
        return "warning"
    if light in GOOD:
        return "good"
    return "no_data"


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    n: int
    previous: int | None  # the count at the end of the month before; None when not comparable
    lights: tuple[str, ...]  # the light filter of the target list behind the tile

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.n - self.previous


TILE_DEFS = [
    ("good", _("达成或正常推进"), tuple(sorted(light.value for light in GOOD))),
    ("warning", _("预警"), (L.BEHIND.value,)),
    ("failing", _("落后或逾期"), tuple(sorted(light.value for light in FAILING))),
    ("no_data", _("暂无数据"), tuple(sorted(light.value for light in NO_DATA))),
]


def _quantified(rows) -> list[TargetRow]:
    return [r for r in rows if r.light is not L.MONITORED]


def tiles(rows, previous_rows=None) -> list[Tile]:
    now = defaultdict(int)
    for row in _quantified(rows):
        now[tile_of(row)] += 1
    before = None
    if previous_rows is not None:
        before = defaultdict(int)
        for row in _quantified(previous_rows):
            before[tile_of(row)] += 1
    return [
        Tile(key, label, now[key], None if before is None else before[key], lights)
        for key, label, lights in TILE_DEFS
    ]


@dataclass
class TaskProgress:
    task: object
    targets: int = 0
    with_data: int = 0
    completion: Decimal | None = None  # mean completion (capped at 100) of targets with one
    expected: Decimal | None = None  # mean expected progress of the same targets
    counts: dict = field(default_factory=dict)  # tile key → n

    @property
    def behind_expected(self) -> bool:
        return self.completion is not None and self.expected is not None and self.completion < self.expected


def task_progress(tasks, rows) -> list[TaskProgress]:
    by_task = {task.pk: TaskProgress(task=task, counts=defaultdict(int)) for task in tasks}
    pairs = defaultdict(list)
    for row in _quantified(rows):
        summary = by_task.get(row.target.key_task_id)
        if summary is None:
            continue
        summary.targets += 1
        summary.counts[tile_of(row)] += 1
        if row.has_data:
            summary.with_data += 1
        completion, expected = row.assessment.completion, row.assessment.expected_share
        if row.light in (L.ACHIEVED, L.ACHIEVED_LATE):
            completion = HUNDRED
        if completion is not None and expected is not None and row.has_data:
            pairs[row.target.key_task_id].append((min(completion, HUNDRED), min(expected, HUNDRED)))
    for task_id, values in pairs.items():
        summary = by_task[task_id]
        summary.completion = (sum(c for c, _e in values) / len(values)).quantize(Decimal("0.1"))
        summary.expected = (sum(e for _c, e in values) / len(values)).quantize(Decimal("0.1"))
    return list(by_task.values())


@dataclass(frozen=True)
class DueItem:
    row: TargetRow
    days_left: int

    @property
    def within_30(self) -> bool:
        return self.days_left <= 30


def due_soon(rows, *, as_of: dt.date, days: int = 60) -> list[DueItem]:
    """Targets not yet done whose deadline falls after as_of and within `days`, soonest first."""
    items = []
    for row in _quantified(rows):
        deadline = row.target.deadline
        if deadline is None or row.target.standard or row.light in GOOD - {L.ON_TRACK}:
            continue
        left = (deadline - as_of).days
        if 0 <= left <= days:
            items.append(DueItem(row=row, days_left=left))
    return sorted(items, key=lambda item: (item.days_left, item.row.target.code))


@dataclass
class UnitStanding:
    name: str
    targets: int = 0
    failing: list = field(default_factory=list)
    warning: list = field(default_factory=list)
    no_data: int = 0

    @property
    def tone(self) -> str:
        """red: something failing; amber: a warning; green: neither."""
        if self.failing:
            return "red"
        if self.warning:
            return "amber"
        return "green"

    @property
    def behind(self) -> list:
        return self.failing + self.warning


def unit_board(rows) -> tuple[list[UnitStanding], int]:
    """Units worst first (failing, then warnings, then name) and the count of targets without a unit."""
    units: dict[int, UnitStanding] = {}
    unassigned = 0
    for row in _quantified(rows):
        row_units = row.units
        if not row_units:
            unassigned += 1
            continue
        tile = tile_of(row)
        for unit in row_units:
            standing = units.setdefault(unit.pk, UnitStanding(name=unit.name))
            standing.targets += 1
            if tile == "failing":
                standing.failing.append(row)
            elif tile == "warning":
                standing.warning.append(row)
            elif tile == "no_data":
                standing.no_data += 1
    ranked = sorted(units.values(), key=lambda u: (-len(u.failing), -len(u.warning), u.name))
    return ranked, unassigned


def item_counts(plan) -> dict[int, dict[str, int]]:
    """Supervised items (督办事项) per key task: {task id: {"total", "open", "closed"}}; {} without the app.

    Read through the reverse relation, so the kernel needs no import of the supervision app.
    """
    from django.apps import apps
    from django.db.models import Count, Q

    if not apps.is_installed("supervision"):
        return {}
    tasks = plan.key_tasks.annotate(
        items_total=Count("supervised_items"),
        items_closed=Count("supervised_items", filter=Q(supervised_items__state="closed")),
        items_waiting=Count("supervised_items", filter=Q(supervised_items__state="draft")),
    ).values("pk", "items_total", "items_closed", "items_waiting")
    return {
        t["pk"]: {
            "total": t["items_total"],
            "closed": t["items_closed"],
            "waiting": t["items_waiting"],
            "open": t["items_total"] - t["items_closed"] - t["items_waiting"],
        }
        for t in tasks
    }


def first_attention(rows, *, limit: int = 3) -> list[TargetRow]:
    """The targets that need a leader's attention first: worst verdict, then nearest deadline."""
    candidates = [r for r in _quantified(rows) if r.light in ATTENTION or r.at_risk]
    far = dt.date.max
    return sorted(candidates, key=lambda r: (-r.light_severity, r.target.deadline or far, r.target.code))[
        :limit
    ]
