from decimal import Decimal

from django import template

from common.formatting import (
    fmt_number,
    fmt_points,
    fmt_qualified,
    fmt_yi_yuan,
    fmt_yi_yuan_pair,
    join_list,
    list_separator,
)

register = template.Library()


@register.filter
def num(value: Decimal | None) -> str:
    """A decimal without trailing zeros or exponent; an em dash when missing."""
    return fmt_number(value)


@register.filter
def points(value: Decimal | None) -> str:
    return fmt_points(value)


@register.filter
def signed_points(value: Decimal | None) -> str:
    return fmt_points(value, signed=True)


@register.filter
def figure_value(figure) -> str:
    """A figure's value as the source wrote it: 100余 / more than 100, 近100 / nearly 100."""
    if figure is None or figure.value is None:
        return "—"
    return fmt_qualified(figure.value, figure.value_qualifier)


@register.filter
def yi_yuan(value: Decimal | None) -> str:
    """An amount in 亿元: "12.5 亿元" on Chinese pages, "RMB 1.25 billion" on English ones."""
    return fmt_yi_yuan(value)


@register.simple_tag
def yi_yuan_pair(part: Decimal | None, whole: Decimal | None) -> str:
    """Completed against planned, in 亿元: "10 / 40 亿元" / "RMB 1 / 4 billion"."""
    return fmt_yi_yuan_pair(part, whole)


@register.filter
def names(values) -> str:
    """Names one after the other: 甲、乙 in Chinese, "A, B" in English."""
    return join_list(values)


@register.simple_tag
def list_sep() -> str:
    """The separator between names in a list: 、 in Chinese, a comma in English."""
    return list_separator()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None (dicts only: counts and lookups built by the view)."""
    return mapping.get(key) if mapping is not None else None


@register.filter
def pct(value: Decimal | None) -> str:
    """A share as “43.5%”, or a plain “—” when there is none (never “—%”)."""
    return "—" if value is None else f"{fmt_points(value)}%"


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """A value with its unit of measure: “303 亿元” on Chinese pages, “RMB 30.3 billion” on English
    ones for amounts in 亿元 (the README's promise); other units stay as the data writes them."""
    from django.utils.html import format_html

    from common.datalang import mark_chinese

    if value is None:
        return "—"
    if unit == "亿元":
        return fmt_yi_yuan(value)
    return format_html("{} {}", fmt_number(value), mark_chinese(unit)) if unit else fmt_number(value)
