from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def bar_width(value) -> str:
    """A share in percent as a CSS width between 0 and 100 (a dot as decimal separator)."""
    if value is None:
        return "0"
    share = max(Decimal(0), min(Decimal(value), Decimal(100)))
    return f"{share:.1f}"
