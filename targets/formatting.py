"""How numbers are written for people: no trailing zeros, never an exponent (8500, not 8.5E+3)."""

from decimal import Decimal


def fmt_number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def fmt_points(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"
