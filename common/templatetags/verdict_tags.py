"""The verdict, the 预计难以完成 warning and the 确保/力争 tags as template tags written in Python.

The same HTML as the partials targets/_light.html, _risk.html, _verdict_cell.html and
_commitment.html (which stay, for the pages that show one verdict), without an `{% include %}`
per row: the overview, the tables and the bulletin show one for every target, and each include
of a small template cost more than the rest of its row. targets/tests/test_verdict_tags.py holds
each tag's output equal to its partial for every light, commitment and flag, in both languages,
down to the line break each partial ends with.
"""

import functools

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()


@register.simple_tag
def light_badge(light) -> SafeString:
    """targets/_light.html."""
    return _light_badge(light, get_language())


# A page shows a badge for every target, and a long list the same few months: each is written once
# per language (the translations are read once per process).
@functools.lru_cache(maxsize=64)
def _light_badge(light, language) -> SafeString:
    label = str(light.label)  # translated once, shown twice
    return format_html(
        '<span class="light light-{}" title="{}">'
        '<span class="light-symbol" aria-hidden="true">{}</span> {}</span>',
        light.value,
        label,
        light.symbol,
        label,
    ) + mark_safe("\n")


@register.simple_tag
def risk_badge() -> SafeString:
    """targets/_risk.html."""
    return _risk_badge(get_language())


@functools.lru_cache(maxsize=8)
def _risk_badge(language) -> SafeString:
    return format_html(
        '<span class="risk" title="{}"><span aria-hidden="true">⚠</span> {}</span>',
        gettext("按近期趋势推算,期限前难以达到目标"),
        gettext("预计难以完成"),
    ) + mark_safe("\n")


@register.simple_tag
def verdict_cell(light, row) -> SafeString:
    """targets/_verdict_cell.html: the light, the month of the data it rests on, the warning."""
    language = get_language()
    parts = [_light_badge(light, language)]
    if row.measured_on and light.value != "monitored":
        parts.append(_data_age(row.measured_on, language))
    if row.at_risk:
        parts.append(f"<div>{_risk_badge(language)}</div>")
    parts.append("\n")
    return mark_safe("".join(parts))


@functools.lru_cache(maxsize=256)
def _data_age(measured_on, language) -> SafeString:
    month = conditional_escape(date_filter(measured_on, "YEAR_MONTH_FORMAT"))
    # As {% blocktranslate %}: the variable escaped, the translated words as they are.
    return mark_safe(f'<div class="data-age">{gettext("依据%(month)s数据") % {"month": month}}</div>')


@register.simple_tag
def commitment_tags(target) -> SafeString:
    """targets/_commitment.html: 确保 or 力争 as the plan words it, and 保持类标准."""
    return _commitment_tags(target.commitment, bool(target.standard), get_language())


@functools.lru_cache(maxsize=64)
def _commitment_tags(commitment, standard, language) -> SafeString:
    parts = []
    if commitment == "firm":
        parts.append(
            format_html(
                ' <span class="tag commitment-firm" title="{}">{}</span>',
                gettext("原文用“确保”:必须完成"),
                gettext("确保"),
            )
        )
    elif commitment == "stretch":
        parts.append(
            format_html(
                ' <span class="tag commitment-stretch" title="{}">{}</span>',
                gettext("原文用“力争”:争取完成"),
                gettext("力争"),
            )
        )
    if standard:
        parts.append(
            format_html(
                ' <span class="tag standard" title="{}">{}</span>',
                gettext("须时时保持的底线或上限,每次读数判定达标或未达标"),
                gettext("保持类标准"),
            )
        )
    parts.append("\n")
    return mark_safe("".join(parts))
