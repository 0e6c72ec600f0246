"""The as-of date a user asks for in a page's URL (`?as_of=2020-06` or `?as_of=2020-06-15`)."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from .months import month_end

_AS_OF = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


class AsOfError(ValueError):
    """A user-supplied as-of date that cannot be used; the message is shown to the user."""


def parse_as_of(raw: str, *, first: dt.date, last: dt.date, today: dt.date) -> dt.date:
    """`raw` as a date between `first` and `last` that has come.

    Accepts YYYY-MM (meaning that month's end) or YYYY-MM-DD; raises AsOfError with a message
    for the user on anything else, on a date outside `first`..`last` and on a future date.
    """
    match = _AS_OF.match(raw.strip())
    if not match:
        raise AsOfError(
            _("日期“%(raw)s”格式不正确,请使用“年-月”(如 2020-06)或“年-月-日”。") % {"raw": raw[:40]}
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        as_of = month_end(dt.date(year, month, 1)) if day is None else dt.date(year, month, day)
    except ValueError as exc:
        raise AsOfError(_("日期“%(raw)s”不存在。") % {"raw": raw[:40]}) from exc
    if not first <= as_of <= last:
        raise AsOfError(
            _("日期 %(date)s 不在计划期 %(start)s 至 %(end)s(含次月年终考核)之内。")
            % {"date": as_of, "start": first, "end": last}
        )
    if as_of > today:
        raise AsOfError(_("日期 %(date)s 尚未到来,只能查看已过去的日期。") % {"date": as_of})
    return as_of
