"""Plotly figure of a project's investment, built in Python like `targets.charts`."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.formatting import fmt_number, fmt_yi_yuan
from common.months import month_end
from common.plotting import Chart, ChartTable, hline, to_html, vline
from targets.models import Figure, Plan

CENT = Decimal("0.01")


def straight_line_path(plan: Plan, annual_planned: Decimal) -> list[tuple[dt.date, Decimal]]:
    """From 0 at the start of the plan period to the annual plan at its end, at each month end."""
    days = [plan.period_start]
    end = month_end(plan.period_start)
    while end < plan.period_end:
        days.append(end)
        end = month_end(end + dt.timedelta(days=1))
    days.append(plan.period_end)
    span = (plan.period_end - plan.period_start).days or 1
    return [(day, annual_planned * Decimal((day - plan.period_start).days) / Decimal(span)) for day in days]


def investment_progress(
    *, plan: Plan, figures: list[Figure], annual_planned: Decimal | None, as_of: dt.date
) -> Chart:
    """Cumulative completed investment (approved figures) against the straight-line annual plan."""
    data, shapes, annotations = [], [], []
    # (column heading, {date: 亿元}) for the chart's table, one per line of the chart.
    columns: list[tuple[str, dict[dt.date, Decimal]]] = []
    if annual_planned is not None:
        path = straight_line_path(plan, annual_planned)
        columns.append((_("按年度计划均衡推进"), {day: value.quantize(CENT) for day, value in path}))
        data.append(
            {
                "type": "scatter",
                "name": _("按年度计划均衡推进"),
                "x": [day for day, _value in path],
                "y": [float(value) for _day, value in path],
                "mode": "lines",
                "line": {"color": "#6e7781", "dash": "dot"},
                "hovertemplate": "%{x|%Y-%m-%d}: %{y:.2f} " + _("亿元") + "<extra></extra>",
            }
        )
        label = _("年度计划 %(value)s") % {"value": fmt_yi_yuan(annual_planned)}
        shape, annotation = hline(float(annual_planned), line={"color": "#1a7f37", "width": 2}, label=label)
        shapes.append(shape)
        annotations.append(annotation)
    if figures:
        columns.append((_("累计完成投资(已审核)"), {f.month_end: f.value for f in figures}))
        data.append(
            {
                "type": "scatter",
                "name": _("累计完成投资(已审核)"),
                "x": [f.month_end for f in figures],
                "y": [float(f.value) for f in figures],
                "mode": "lines+markers",
                "line": {"color": "#0969da", "width": 3},
                "marker": {"size": 9},
                "hovertemplate": "%{x|%Y-%m}: %{y} " + _("亿元") + "<extra></extra>",
            }
        )
    shapes.append(vline(as_of.isoformat(), line={"color": "#afb8c1", "width": 1}))
    layout = {
        "height": 340,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "shapes": shapes,
        "annotations": annotations,
        "xaxis": {
            "tickformat": "%Y-%m",
            "range": [plan.period_start.isoformat(), (plan.period_end + dt.timedelta(days=10)).isoformat()],
        },
        "yaxis": {"title": {"text": _("亿元")}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.15},
        "showlegend": True,
    }
    dates = sorted({day for _name, values in columns for day in values})
    table = ChartTable(
        caption=_("累计完成投资与年度计划(单位:亿元)"),
        columns=[_("日期"), *(name for name, _values in columns)],
        rows=[
            (day.isoformat(), [fmt_number(values[day]) if day in values else "" for _name, values in columns])
            for day in dates
        ],
    )
    facts = [_("折线图:累计完成投资与年度计划。")]
    if annual_planned is not None:
        facts.append(_("年度计划 %(value)s。") % {"value": fmt_yi_yuan(annual_planned)})
    if figures:
        facts.append(
            _("截至 %(date)s 累计完成 %(value)s。")
            % {"date": figures[-1].month_end.isoformat(), "value": fmt_yi_yuan(figures[-1].value)}
        )
    # Chinese sentences run on after "。"; English ones need a space.
    summary = ("" if get_language().startswith("zh") else " ").join(facts)
    return Chart(to_html(data=data, layout=layout, div_id="investment-progress"), summary, table)
