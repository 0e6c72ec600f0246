"""Validation of a monthly figure, shared by every entry path.

The admin form, the unit's monthly page and the Excel import read what a person typed with the
same functions (`parse_value`, `parse_date`, `clean_note`) and refuse it with the same messages;
`figure_errors` then judges the typed figure against its target and month. The form fields below
(`FigureValueField`, `FigureDateField`, `NoteField`) are those functions as Django form fields.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.months import month_end
from targets.models import NOTE_FIELDS, NOTE_MAX_LENGTH, Figure, Target

_VALUE_FIELD = Figure._meta.get_field("value")
# The value's rules follow its column: 2 decimal places, 14 digits in all, so 12 before the point.
DECIMAL_PLACES = _VALUE_FIELD.decimal_places
INTEGER_DIGITS = _VALUE_FIELD.max_digits - _VALUE_FIELD.decimal_places
_CENT = Decimal(1).scaleb(-DECIMAL_PLACES)
# A number as typed, once full-width characters are folded and the ends trimmed: ASCII
# digits, an optional sign, an optional point, and commas only as thousands separators (1,234.5).
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?$")
# A date written year first: 2020-06-15, 2020/6/15, 2020.6.15, 2020年6月15日.
_DATE_RE = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$")
# Excel keeps a float's binary rounding (0.1 + 0.2 = 0.30000000000000004); closer than this to a
# value with two decimal places counts as that value.
_FLOAT_TOLERANCE = Decimal("1e-9")
_SHOWN = 30


def _shown(raw) -> str:
    text = str(raw)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# Full-width ASCII (what a Chinese input method types: １２．５, －３, ，) to ASCII, and the minus
# sign U+2212. Only these: NFKC would also read ① as 1 and 10² as 102.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x2212: 0x2D}


def _fold(text: str) -> str:
    """Full-width digits, points, commas and signs as ASCII; the ends' spaces (any kind) trimmed."""
    return text.translate(_FULL_WIDTH).strip()


def _not_a_number(raw) -> ValidationError:
    return ValidationError(
        _("“%(raw)s”不是数字。请只填写数字,如 1234.5 或 1,234.5。") % {"raw": _shown(raw)},
        code="not_a_number",
    )


def parse_value(raw) -> Decimal | None:
    """The value typed in any entry path as a Decimal with two places; None when left blank.

    Accepts numbers (from Excel) and text: full-width digits, spaces around, a comma between
    thousands. Refuses anything else, more than two decimal places, and more than 12 digits
    before the point, naming the rule broken. Whether the value suits the target (negative,
    a percentage over 100) is `figure_errors`'s business.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _not_a_number(raw)
    if isinstance(raw, float):
        exact = Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
        if exact is None:
            raise _not_a_number(raw)
        if not _too_large(exact) and abs(exact - exact.quantize(_CENT)) <= _FLOAT_TOLERANCE:
            exact = exact.quantize(_CENT)
    elif isinstance(raw, int | Decimal):
        exact = Decimal(raw)
        if not exact.is_finite():
            raise _not_a_number(raw)
    elif isinstance(raw, str):
        text = _fold(raw)
        if not text:
            return None
        if not _NUMBER_RE.match(text) or not any(c.isdigit() for c in text):
            raise _not_a_number(raw)
        try:
            exact = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise _not_a_number(raw) from None
    else:
        raise _not_a_number(raw)
    return check_value(exact, raw)


def _too_large(value: Decimal) -> bool:
    # By the exponent, not by rounding: quantizing 1E+30 to cents would overflow the context.
    return value != 0 and value.adjusted() >= INTEGER_DIGITS


def check_value(value: Decimal, raw=None) -> Decimal:
    """`value` with two decimal places, or the message for the rule it breaks."""
    shown = _shown(value if raw is None else raw)
    if _too_large(value):
        raise ValidationError(
            _("数值过大:小数点前最多 %(digits)s 位数字,“%(raw)s”超出。")
            % {"digits": INTEGER_DIGITS, "raw": shown},
            code="too_large",
        )
    if value != value.quantize(_CENT):  # trailing zeros (12.500) are no places of their own
        raise ValidationError(
            _("数值最多保留 %(places)s 位小数,“%(raw)s”的小数位数过多。")
            % {"places": DECIMAL_PLACES, "raw": shown},
            code="decimal_places",
        )
    return value.quantize(_CENT) + 0  # + 0 turns -0.00 into 0.00


def parse_date(raw) -> dt.date | None:
    """A date typed year first (2020-06-15, 2020/6/15, 2020年6月15日, full-width too); None if blank."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = _fold(raw)
        if not text:
            return None
        match = _DATE_RE.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
    raise ValidationError(
        _("“%(raw)s”不是有效日期,请按 2020-06-15 的格式填写。") % {"raw": _shown(raw)}, code="invalid_date"
    )


def clean_note(raw) -> str:
    """A note as stored: line ends as \\n, no NUL characters, the ends trimmed; refused when too long."""
    text = str(raw or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("最多 %(limit)s 字,现有 %(length)s 字,请精简。")
            % {"limit": NOTE_MAX_LENGTH, "length": len(text)},
            code="too_long",
        )
    return text


class FigureValueField(forms.Field):
    """The value box of every web form: text read by `parse_value` (a number box would blank out
    what the browser cannot parse, such as 1,234 or full-width digits, without a word)."""

    widget = forms.TextInput

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        # A model field offers its digits; the rules are parse_value's.
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        return parse_value(value)


class FigureDateField(forms.DateField):
    """A date box read by `parse_date`, whatever the page's language."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_date(value)


class NoteField(forms.CharField):
    """A note box read by `clean_note`. No maxlength in the page: a browser would cut a pasted
    text short without a word; the server says how long it is instead."""

    def __init__(self, *, max_length=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return clean_note(value)


def figure_errors(
    *, target: Target, month: dt.date, value, reached, reached_on, today: dt.date, notes: dict | None = None
) -> dict:
    """Field → message for a figure that breaks the rules; empty when it is acceptable.

    Holds whatever reaches `write.save_entries` to the rules the forms apply when reading.
    """
    notes = notes or {}
    errors: dict[str, str] = {}
    plan = target.key_task.plan
    if month is not None:
        month = month.replace(day=1)
        if not plan.period_start.replace(day=1) <= month <= plan.period_end:
            errors["month"] = _("月份必须在计划年度 %(year)s 年之内。") % {"year": plan.year}
        elif month_end(month) >= today:
            errors["month"] = _("%(month)s 尚未结束,不能填报该月数据。") % {"month": month.strftime("%Y-%m")}
    if target.kind == Target.Kind.MILESTONE:
        if reached is None:
            errors["reached"] = _("里程碑目标请填写是否已完成。")
        elif reached and reached_on is None:
            errors["reached_on"] = _("已完成的里程碑请填写完成日期。")
        elif reached_on is not None and month is not None and reached_on > month_end(month):
            errors["reached_on"] = _("完成日期不能晚于所报月份的月末。")
    else:
        if value is None:
            errors["value"] = _("请填写数值。")
        else:
            try:
                check_value(value)
            except ValidationError as exc:
                errors["value"] = exc.messages[0]
            else:
                if value < 0:
                    errors["value"] = _("数值不能为负数。")
                elif target.is_percentage and value > 100:
                    errors["value"] = _("百分比必须在 0 到 100 之间。")
    for name in NOTE_FIELDS:
        try:
            clean_note(notes.get(name))
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    return errors
