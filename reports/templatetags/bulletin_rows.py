"""The bulletin's long tables, a row a line, written in Python instead of a template loop.

A bulletin prints a row for every target that needs attention, every target with data, every
open problem and every unit: at 400 targets over a thousand rows, and the template engine spent
about 145 µs on each (resolving every `{{ line.row.gap|signed_points }}` through the context,
the filters, the `{% translate %}` tags). The tags below write the same HTML as the loops they
replaced, byte for byte: every value rendered as `{{ value }}` renders it (localized, escaped),
the same translations, the same line break before each row. reports/tests/test_bulletin_rows.py
holds each tag equal to its former loop, kept there as a template, in both languages.
"""

import datetime as dt
import html

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from common.datalang import chinese_marker
from common.formatting import fmt_points
from common.templatetags.verdict_tags import commitment_tags, verdict_cell

register = template.Library()


def _writers(context):
    """`{{ value }}` and `{{ value|zh }}` for this page, as (text, zh) functions (`zh` as
    common.datalang.mark_chinese, with the page's language read once).

    Text is escaped as Django's `escape` does it (html.escape), safe strings are kept, any other
    value goes the template's whole way (localized, then escaped).
    """

    def text(value) -> str:
        if type(value) is str:
            return html.escape(value)
        if isinstance(value, SafeData):
            return value
        return render_value_in_context(value, context)

    return text, chinese_marker()


def _source(v, line) -> str:
    """The tag that says a value is counted from the ledger."""
    return f' <span class="tag">{v(line.source_note)}</span>' if line.from_ledger else ""


def _share_cells(v, row) -> str:
    """Completion, expected progress and their gap, in percentage points."""
    return (
        f'<td class="num">{v(fmt_points(row.completion))}</td>'
        f'<td class="num">{v(fmt_points(row.expected_share))}</td>'
        f'<td class="num">{v(fmt_points(row.gap, signed=True))}</td>'
    )


def _day(value) -> str:
    """`{{ value|date:"Y-m-d" }}`: a date in ISO form, "" for none."""
    if value is None or value == "":
        return ""
    if type(value) is dt.date:
        return value.isoformat()
    return date_filter(value, "Y-m-d")


@register.simple_tag(takes_context=True)
def attention_rows(context, lines) -> SafeString:
    """The rows of "需要关注的目标": code and name, latest value, verdict, shares, deadline, units, lead."""

    v, zh = _writers(context)

    # As {% translate %} writes a literal's translation: not escaped.
    latest, colon = gettext("最新值"), pgettext("label colon", ":")
    parts = []
    for line in lines:
        target, row = line.target, line.row
        units = zh(line.units_text)
        if not line.unit_names:
            units = f'<span class="missing">{units}</span>'
        if target.lead_official:
            lead = zh(target.lead_official)
        else:
            lead = f'<span class="missing">{zh(line.lead_official_text)}</span>'
        parts.append(
            f'\n<tr><td><span class="code">{v(target.code)}</span> {zh(target.display_name)}'
            f"{commitment_tags(target)}"
            f'<div class="value-line">{latest}{colon}{v(line.value_text)}{_source(v, line)}</div></td>'
            f"<td>{verdict_cell(line.light, row)}</td>{_share_cells(v, row)}"
            f'<td class="nowrap">{v(_day(target.deadline))}</td><td>{units}</td><td>{lead}</td></tr>'
        )
    return mark_safe("".join(parts))  # every value escaped above


@register.simple_tag(takes_context=True)
def target_rows(context, lines) -> SafeString:
    """The rows of a key task's table of targets with data."""

    v, zh = _writers(context)

    parts = []
    for line in lines:
        target, row = line.target, line.row
        value = v(line.value_text) if line.latest else f'<span class="missing">{v(line.value_text)}</span>'
        parts.append(
            f'\n<tr><td class="code">{v(target.code)}</td>'
            f"<td>{zh(target.display_name)}{commitment_tags(target)}</td>"
            f'<td class="nowrap">{v(line.goal_text)}</td><td>{value}{_source(v, line)}</td>'
            f"{_share_cells(v, row)}<td>{verdict_cell(line.light, row)}</td></tr>"
        )
    return mark_safe("".join(parts))  # every value escaped above


@register.simple_tag(takes_context=True)
def problem_rows(context, lines) -> SafeString:
    """The rows of one lead official's open problems."""

    v, zh = _writers(context)

    overdue = f'<span class="overdue-mark">✗ {gettext("逾期")}</span>'
    open_text = gettext("未解决")
    parts = []
    for line in lines:
        parts.append(
            f"\n<tr><td>{zh(line.project_name)}</td><td>{zh(line.description)}</td>"
            f"<td>{zh(line.unit_text)}</td>"
            f'<td class="nowrap">{v(_day(line.due_by) or "—")}</td>'
            f'<td class="nowrap">{overdue if line.overdue else open_text}</td></tr>'
        )
    return mark_safe("".join(parts))  # every value escaped above


@register.simple_tag(takes_context=True)
def ranking_rows(context, ranks) -> SafeString:
    """The rows of the units' ranking."""

    v, zh = _writers(context)

    parts = []
    for r in ranks:
        parts.append(
            f'\n<tr><td class="num">{v(r.rank)}</td><td>{zh(r.unit_name)}</td>'
            f'<td class="num">{v(r.targets)}</td><td class="num">{v(r.good)}</td>'
            f'<td class="num">{v(fmt_points(r.good_share))}</td>'
            f'<td class="num">{v(r.reported_targets)}</td><td class="num">{v(r.on_time)}</td>'
            f'<td class="num">{v(fmt_points(r.on_time_rate))}</td></tr>'
        )
    return mark_safe("".join(parts))  # every value escaped above
