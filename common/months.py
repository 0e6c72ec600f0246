"""Months as the plans count them: a month's end, the last month that has closed, a plan's months.

`period_start` and `period_end` are read from whatever is passed as the plan (a `targets.Plan`).
"""

import calendar
import datetime as dt
import functools


@functools.lru_cache(maxsize=4096)  # pure, called thousands of times a page with few distinct months
def month_end(month: dt.date) -> dt.date:
    """The last day of the month that `month` falls in."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def last_closed_month(as_of: dt.date) -> dt.date:
    """First day of the latest month that has ended on or before `as_of`."""
    if month_end(as_of) == as_of:
        return as_of.replace(day=1)
    previous = as_of.replace(day=1) - dt.timedelta(days=1)
    return previous.replace(day=1)


def review_end(plan) -> dt.date:
    """The last as-of date a plan can be read at: the end of the month after its period.

    The year-end review (年终考核) runs in January, on December's figures.
    """
    return month_end(plan.period_end + dt.timedelta(days=1))


def month_choices(plan, *, today: dt.date) -> list[dt.date]:
    """Month ends of the plan period (and its review month) that have ended, for the as-of selector."""
    ends = []
    month = plan.period_start.replace(day=1)
    while month <= review_end(plan):
        end = month_end(month)
        if end > today:
            break
        ends.append(end)
        month = end + dt.timedelta(days=1)
    return ends


def closed_month_ends(start: dt.date, as_of: dt.date) -> list[dt.date]:
    """The ends of the months from `start`'s month to the last month closed by `as_of`."""
    ends = []
    month = start.replace(day=1)
    last = last_closed_month(as_of)
    while month <= last:
        ends.append(month_end(month))
        month = month_end(month) + dt.timedelta(days=1)
    return ends
