"""Months and the as-of date of a page (`common.months`, `common.asof`), by hand-worked dates."""

import datetime as dt
from types import SimpleNamespace

import pytest

from common.asof import AsOfError, parse_as_of
from common.months import closed_month_ends, last_closed_month, month_choices, month_end, review_end

PLAN_2020 = SimpleNamespace(period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31))


def test_month_end_and_last_closed_month():
    assert month_end(dt.date(2020, 2, 10)) == dt.date(2020, 2, 29)
    assert last_closed_month(dt.date(2020, 6, 30)) == dt.date(2020, 6, 1)
    assert last_closed_month(dt.date(2020, 6, 29)) == dt.date(2020, 5, 1)
    assert last_closed_month(dt.date(2020, 1, 15)) == dt.date(2019, 12, 1)


def test_closed_month_ends_from_the_start_month_to_the_last_closed_one():
    assert closed_month_ends(dt.date(2020, 3, 15), dt.date(2020, 6, 20)) == [
        dt.date(2020, 3, 31),
        dt.date(2020, 4, 30),
        dt.date(2020, 5, 31),
    ]
    assert closed_month_ends(dt.date(2020, 6, 1), dt.date(2020, 6, 20)) == []


def test_a_plan_is_read_up_to_the_end_of_its_review_month():
    assert review_end(PLAN_2020) == dt.date(2021, 1, 31)
    assert month_choices(PLAN_2020, today=dt.date(2020, 3, 30)) == [
        dt.date(2020, 1, 31),
        dt.date(2020, 2, 29),
    ]
    assert month_choices(PLAN_2020, today=dt.date(2022, 1, 1))[-1] == dt.date(2021, 1, 31)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-06", dt.date(2020, 6, 30)),
        (" 2020-6-15 ", dt.date(2020, 6, 15)),
        ("2021-01", dt.date(2021, 1, 31)),
    ],
)
def test_parse_as_of(raw, expected):
    assert (
        parse_as_of(raw, first=dt.date(2020, 1, 1), last=dt.date(2021, 1, 31), today=dt.date(2022, 1, 1))
        == expected
    )


@pytest.mark.parametrize(
    ("raw", "today", "message"),
    [
        ("June", dt.date(2022, 1, 1), "格式不正确"),
        ("2020-02-30", dt.date(2022, 1, 1), "不存在"),
        ("2021-02", dt.date(2022, 1, 1), "不在计划期"),
        ("2020-09", dt.date(2020, 8, 20), "尚未到来"),
    ],
)
def test_parse_as_of_refuses_with_a_message(raw, today, message):
    with pytest.raises(AsOfError, match=message):
        parse_as_of(raw, first=dt.date(2020, 1, 1), last=dt.date(2021, 1, 31), today=today)
