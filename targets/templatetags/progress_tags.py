from decimal import Decimal

from django import template

from targets.formatting import fmt_number, fmt_points

register = template.Library()

QUALIFIER_SUFFIX = {"more_than": "余", "nearly": "近"}


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
    """A figure's value as the source wrote it: 100余, 近100."""
    if figure is None or figure.value is None:
        return "—"
    text = fmt_number(figure.value)
    if figure.value_qualifier == "nearly":
        return "近" + text
    return text + QUALIFIER_SUFFIX.get(figure.value_qualifier, "")
