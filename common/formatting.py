"""How numbers, months and lists are written for people, in the page's language.

Numbers: no trailing zeros, never an exponent (8500, not 8.5E+3). A value the source qualified
("100余", "近100") keeps its qualifier, worded for the language. Months and lists follow the
language too: 2020年9月 / September 2020, 甲、乙 / A, B.
"""

import datetime as dt
import functools
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import pgettext

HUNDRED = Decimal(100)
TEN = Decimal(10)


def fmt_number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def fmt_points(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def fmt_qualified(value: Decimal | None, qualifier: str = "") -> str:
    """A figure's value as the source wrote it: 100余 / more than 100, 近100 / nearly 100."""
    text = fmt_number(value)
    if value is None:
        return text
    if qualifier == "more_than":
        return pgettext("figure qualifier", "%(n)s余") % {"n": text}
    if qualifier == "nearly":
        return pgettext("figure qualifier", "近%(n)s") % {"n": text}
    return text


def list_separator() -> str:
    return pgettext("list separator", "、")


def join_list(items) -> str:
    """Names one after the other: 甲、乙 in Chinese, "A, B" in English."""
    return list_separator().join(str(item) for item in items)


def month_label(month: dt.date) -> str:
    """A month for people: 2020年9月 in Chinese, September 2020 in English."""
    return _month_label(month, translation.get_language())


# Lists and sentences name the same few months again and again; each is written once a language.
@functools.lru_cache(maxsize=1024)
def _month_label(month: dt.date, language: str | None) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _is_chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def fmt_yi_yuan(value: Decimal | None) -> str:
    """An amount held in 亿元 (units of 100 million yuan) as readers of the language write it.

    Chinese keeps the unit: "12.5 亿元". English has no word for 亿, so the amount is converted:
    "RMB 1.25 billion", or "RMB 350 million" below one billion. Decimal arithmetic keeps it exact.
    """
    if value is None:
        return "—"
    return fmt_yi_yuan_pair(value, None)


def fmt_yi_yuan_pair(part: Decimal | None, whole: Decimal | None) -> str:
    """Two amounts in 亿元 that share one unit: "10 / 40 亿元", "RMB 1 / 4 billion".

    With `whole` None, just `part` in its unit ("10 亿元", "RMB 1 billion"). In English the larger
    amount picks billion or million, so both numbers read against the same word.
    """
    amounts = [part] if whole is None else [part, whole]
    known = [abs(v) for v in amounts if v is not None]
    if _is_chinese():
        return " / ".join(fmt_number(v) for v in amounts) + " 亿元"
    if known and max(known) >= TEN:
        return "RMB " + " / ".join(fmt_number(None if v is None else v / TEN) for v in amounts) + " billion"
    return "RMB " + " / ".join(fmt_number(None if v is None else v * HUNDRED) for v in amounts) + " million"
