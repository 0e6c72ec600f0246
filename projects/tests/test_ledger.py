"""The ledger arithmetic in `projects.ledger`, with numbers worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from projects.ledger import (
    InvestmentCompletion,
    Item,
    StageRate,
    count_reached,
    denominator,
    investment_completion,
    monthly_counts,
    reached,
    share,
    stage_rates,
)

JAN, FEB, MAR, APR = dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 3, 31), dt.date(2020, 4, 30)


def test_reached_without_dates_follows_the_current_stage():
    item = Item(stage="started")
    assert [reached(item, s) for s in ["reserve", "registered", "started", "completed", "producing"]] == [
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
            "registered": dt.date(2020, 2, 10),
            "started": dt.date(2020, 3, 5),
            "completed": dt.date(2020, 5, 20),
        },
    )
    assert reached(item, "registered", by=FEB) is True
    assert reached(item, "started", by=FEB) is False
    assert reached(item, "started", by=MAR) is True
    assert reached(item, "completed", by=APR) is False
    assert reached(item, "producing", by=dt.date(2020, 12, 31)) is False


def test_a_later_stage_date_implies_the_earlier_stage():
    # Started on 1 April with no registration date: it was registered by then at the latest.
    item = Item(stage="started", dates={"registered": None, "started": dt.date(2020, 4, 1)})
    assert reached(item, "registered", by=MAR) is False
    assert reached(item, "registered", by=APR) is True


def test_monthly_counts_put_undated_items_in_the_latest_month_only():
    items = [
        Item(stage="started", dates={"started": dt.date(2020, 2, 15)}),  # from February
        Item(stage="started", dates={"started": dt.date(2020, 4, 10)}),  # from April
        Item(stage="started"),  # started, date unknown: April (the latest month) only
        Item(stage="registered"),  # not started
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
    ("n_items", "stated", "expected"),
    [(3, 12, 12), (5, 3, 5), (4, None, 4), (0, 12, 12), (0, None, 0), (2, 0, 2)],
)
def test_denominator_is_the_larger_of_ledger_and_stated_count(n_items, stated, expected):
    assert denominator([Item()] * n_items, stated) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 12, "8.3"), (2, 3, "66.7"), (1, 16, "6.3"), (1, 8, "12.5"), (0, 5, "0.0"), (10, 40, "25.0")],
)
def test_share_rounds_half_up_to_one_decimal(part, whole, expected):
    assert share(part, whole) == Decimal(expected)


def test_share_of_nothing_is_none():
    assert share(3, 0) is None


def test_stage_rates_use_the_stated_count_when_the_ledger_is_short():
    # The plan says 12 projects; the ledger holds 3: one started, one registered, one in reserve.
    items = [Item(stage="started"), Item(stage="registered"), Item(stage="reserve")]
    assert stage_rates(items, stated_count=12) == [
        StageRate(stage="registered", count=2, of=12, percent=Decimal("16.7")),
        StageRate(stage="started", count=1, of=12, percent=Decimal("8.3")),
        StageRate(stage="completed", count=0, of=12, percent=Decimal("0.0")),
        StageRate(stage="producing", count=0, of=12, percent=Decimal("0.0")),
    ]


def test_stage_rates_use_the_ledger_when_it_holds_more_than_stated():
    items = [Item(stage="producing"), Item(stage="completed"), Item(stage="started"), Item(stage="")]
    assert [(r.count, r.of, r.percent) for r in stage_rates(items, stated_count=2)] == [
        (3, 4, Decimal("75.0")),
        (3, 4, Decimal("75.0")),
        (2, 4, Decimal("50.0")),
        (1, 4, Decimal("25.0")),
    ]


def test_stage_rates_of_an_empty_group_without_stated_count_have_no_percent():
    assert [(r.count, r.of, r.percent) for r in stage_rates([])] == [(0, 0, None)] * 4


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
