"""The ledger arithmetic in `projects.ledger`, with numbers worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from projects.ledger import (
    DOCUMENT,
    LEDGER,
    PARTIAL,
    RATE_STAGES,
    STAGE_UNKNOWN,
    STAGES,
    UNREGISTERED,
    DocumentedCount,
    InvestmentCompletion,
    Item,
    StageRate,
    count_reached,
    investment_completion,
    monthly_counts,
    reached,
    share,
    stage_rates,
)
from projects.models import STAGE_DATE_FIELDS, STAGE_ORDER, Stage

JAN, FEB, MAR, APR = dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 3, 31), dt.date(2020, 4, 30)


def test_stage_order_is_that_of_four_comparisons():
    # 四比四看: 开工, then 入库 (纳入统计库), 竣工, 达产; 储备 before them all.
    assert STAGES == ["reserve", "started", "registered", "completed", "producing"]
    assert RATE_STAGES == ["started", "registered", "completed", "producing"]
    assert [s.value for s in STAGE_ORDER] == STAGES
    assert [value for value, _label in Stage.choices] == STAGES
    assert [str(label) for _value, label in Stage.choices] == ["储备", "开工", "入库", "竣工", "达产"]
    assert [s.value for s in STAGE_DATE_FIELDS] == RATE_STAGES


def test_reached_without_dates_follows_the_current_stage():
    item = Item(stage="started")
    assert [reached(item, s) for s in ["reserve", "started", "registered", "completed", "producing"]] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_registered_means_started():
    # 入库 comes after 开工: an item in the statistics database has started.
    item = Item(stage="registered")
    assert [reached(item, s) for s in ["reserve", "started", "registered", "completed", "producing"]] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_reached_by_a_date_needs_a_known_date():
    # At 开工 now, but nobody wrote down when: by any date it is not known to have started.
    assert reached(Item(stage="started"), "started", by=APR) is False


def test_unknown_stage_reaches_nothing():
    assert reached(Item(stage=""), "reserve") is False
    assert count_reached([Item(stage="")], "reserve") == 0


def test_reached_by_a_date_uses_the_stage_date():
    item = Item(
        stage="completed",
        dates={
            "started": dt.date(2020, 2, 10),
            "registered": dt.date(2020, 3, 5),
            "completed": dt.date(2020, 5, 20),
        },
    )
    assert reached(item, "started", by=FEB) is True
    assert reached(item, "registered", by=FEB) is False
    assert reached(item, "registered", by=MAR) is True
    assert reached(item, "completed", by=APR) is False
    assert reached(item, "producing", by=dt.date(2020, 12, 31)) is False


def test_a_later_stage_date_implies_the_earlier_stage():
    # Registered (入库) on 1 April with no start date: it had started by then at the latest.
    item = Item(stage="registered", dates={"started": None, "registered": dt.date(2020, 4, 1)})
    assert reached(item, "started", by=MAR) is False
    assert reached(item, "started", by=APR) is True
    # A start date says nothing of registration: started on 1 March, not yet known to be registered.
    started = Item(stage="started", dates={"started": dt.date(2020, 3, 1)})
    assert reached(started, "registered", by=APR) is False


def test_monthly_counts_put_undated_items_in_the_latest_month_only():
    items = [
        Item(stage="started", dates={"started": dt.date(2020, 2, 15)}),  # from February
        Item(stage="started", dates={"started": dt.date(2020, 4, 10)}),  # from April
        Item(stage="started"),  # started, date unknown: April (the latest month) only
        Item(stage="reserve"),  # not started
        Item(stage="completed", dates={"completed": dt.date(2020, 3, 1)}),  # started by 1 March at the latest
    ]
    assert monthly_counts(items, "started", month_ends=[JAN, FEB, MAR, APR]) == [
        (JAN, 0),
        (FEB, 1),
        (MAR, 2),
        (APR, 4),
    ]
    # Without April the undated item lands in March, the latest month asked for.
    assert monthly_counts(items, "started", month_ends=[JAN, FEB, MAR]) == [(JAN, 0), (FEB, 1), (MAR, 3)]


def test_monthly_counts_of_no_months_is_empty():
    assert monthly_counts([Item(stage="started")], "started", month_ends=[]) == []


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 12, "8.3"), (2, 3, "66.7"), (1, 16, "6.3"), (1, 8, "12.5"), (0, 5, "0.0"), (10, 40, "25.0")],
)
def test_share_rounds_half_up_to_one_decimal(part, whole, expected):
    assert share(part, whole) == Decimal(expected)


def test_share_of_nothing_is_none():
    assert share(3, 0) is None


H1 = dt.date(2020, 6, 30)
OLD_COMPOUNDS = DocumentedCount(count=487, as_of=H1, text="487个老旧小区改造已全部开工")


def test_partly_registered_group_is_rated_over_its_registered_items():
    # The plan says 5 items; the ledger holds 2: both started, one also in the statistics database.
    items = [Item(stage="registered"), Item(stage="started")]
    assert stage_rates(items, stated_count=5) == [
        StageRate("started", 2, 2, Decimal("100.0"), PARTIAL, registered=2, stated=5),
        StageRate("registered", 1, 2, Decimal("50.0"), PARTIAL, registered=2, stated=5),
        StageRate("completed", 0, 2, Decimal("0.0"), PARTIAL, registered=2, stated=5),
        StageRate("producing", 0, 2, Decimal("0.0"), PARTIAL, registered=2, stated=5),
    ]


def test_empty_ledger_has_no_rate_at_all():
    rates = stage_rates([], stated_count=12, stages=["started", "registered"])
    assert rates == [
        StageRate("started", None, 12, None, UNREGISTERED, registered=0, stated=12),
        StageRate("registered", None, 12, None, UNREGISTERED, registered=0, stated=12),
    ]
    # No stated count either: still no rate, not 0 of 0.
    assert [(r.basis, r.count, r.of, r.percent) for r in stage_rates([])] == [
        (UNREGISTERED, None, None, None)
    ] * 4


def test_a_document_count_stands_in_for_a_short_ledger():
    rates = stage_rates(
        [], stated_count=487, documented={"started": OLD_COMPOUNDS}, stages=["started", "registered"]
    )
    assert rates == [
        StageRate("started", 487, 487, Decimal("100.0"), DOCUMENT, stated=487, document=OLD_COMPOUNDS),
        StageRate("registered", None, 487, None, UNREGISTERED, stated=487),
    ]
    # Also over a partly registered ledger (3 of 487 registered, none known to have started).
    (started,) = stage_rates(
        [Item(stage="reserve")] * 3,
        stated_count=487,
        documented={"started": OLD_COMPOUNDS},
        stages=["started"],
    )
    assert (started.basis, started.count, started.of, started.registered) == (DOCUMENT, 487, 487, 3)


def test_a_complete_ledger_wins_over_the_document():
    items = [Item(stage="started"), Item(stage="reserve")]
    (started,) = stage_rates(
        items,
        stated_count=2,
        documented={"started": DocumentedCount(2, H1, "2个全部开工")},
        stages=["started"],
    )
    assert started == StageRate("started", 1, 2, Decimal("50.0"), LEDGER, registered=2, stated=2)


def test_the_ledger_is_the_group_when_no_count_is_stated_or_it_holds_more():
    items = [
        Item(stage="producing"),
        Item(stage="completed"),
        Item(stage="registered"),
        Item(stage="started"),
    ]
    for stated in (None, 2, 4):
        rates = stage_rates(items, stated_count=stated)
        assert [(r.basis, r.count, r.of, r.percent) for r in rates] == [
            (LEDGER, 4, 4, Decimal("100.0")),
            (LEDGER, 3, 4, Decimal("75.0")),
            (LEDGER, 2, 4, Decimal("50.0")),
            (LEDGER, 1, 4, Decimal("25.0")),
        ], stated


def test_items_of_unknown_stage_are_left_out_of_the_rate():
    # 4 in the ledger, 12 stated: 1 started, 1 in reserve, 2 whose stage nobody knows.
    items = [Item(stage="started"), Item(stage="reserve"), Item(stage=""), Item(stage="")]
    (started,) = stage_rates(items, stated_count=12, stages=["started"])
    assert started == StageRate("started", 1, 2, Decimal("50.0"), PARTIAL, registered=4, unknown=2, stated=12)
    assert started.known == 2
    # Every stage unknown: no rate, not 0 of 2.
    (unknown,) = stage_rates([Item(stage=""), Item(stage="")], stages=["started"])
    assert unknown == StageRate("started", None, None, None, STAGE_UNKNOWN, registered=2, unknown=2)
    # A whole ledger (no stated count) with one unknown stage is still rated over the known ones only.
    (whole,) = stage_rates([Item(stage="started"), Item(stage="")], stages=["started"])
    assert (whole.basis, whole.count, whole.of, whole.percent) == (PARTIAL, 1, 1, Decimal("100.0"))


def test_investment_completion_sums_planned_items():
    items = [
        Item(annual_planned=Decimal("10"), completed_investment=Decimal("4")),
        Item(annual_planned=Decimal("30"), completed_investment=Decimal("6")),
    ]
    assert investment_completion(items) == InvestmentCompletion(
        completed=Decimal("10"), planned=Decimal("40"), percent=Decimal("25.0"), items_with_plan=2
    )


def test_investment_completion_ignores_items_without_a_plan():
    items = [
        Item(annual_planned=Decimal("10"), completed_investment=Decimal("4")),
        Item(annual_planned=Decimal("30"), completed_investment=Decimal("6")),
        Item(annual_planned=None, completed_investment=Decimal("100")),  # no plan: left out
        Item(annual_planned=Decimal("20")),  # planned, nothing reported yet: counts as 0
    ]
    # (4 + 6 + 0) / (10 + 30 + 20) = 10 / 60 = 16.7%
    assert investment_completion(items) == InvestmentCompletion(
        completed=Decimal("10"), planned=Decimal("60"), percent=Decimal("16.7"), items_with_plan=3
    )


def test_investment_completion_without_any_plan():
    result = investment_completion([Item(completed_investment=Decimal("5"))])
    assert result == InvestmentCompletion(
        completed=Decimal("0"), planned=Decimal("0"), percent=None, items_with_plan=0
    )
