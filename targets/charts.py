"""Chart data for the progress pages, built in Python; the browser draws it with plotly.min.js."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.formatting import fmt_number
from common.months import month_end
from common.plotting import CONFIG, FONT, Chart, ChartTable, hline, to_html, vline

from . import rules
from .progress import LEGEND, TargetRow

__all__ = ["CONFIG", "FONT", "LIGHT_COLOURS", "lights_by_task", "target_progress"]

# The lights' colours in static/css/site.css, so a bar and its light look the same; each is dark
# enough against white for graphics (WCAG 1.4.11, 3:1) and for white text (4.5:1).
LIGHT_COLOURS = {
    rules.Light.ACHIEVED: "#116329",
    rules.Light.ACHIEVED_LATE: "#4d6b1f",
    rules.Light.MEETS_STANDARD: "#116329",
    rules.Light.ON_TRACK: "#1a7f37",
    rules.Light.BEHIND: "#9a6700",
    rules.Light.SERIOUSLY_BEHIND: "#bc4c00",
    rules.Light.NOT_COMPLETED: "#cf222e",
    rules.Light.OVERDUE: "#a40e26",
    rules.Light.BELOW_STANDARD: "#cf222e",
    rules.Light.NO_DATA: "#57606a",
    rules.Light.UNASSESSABLE: "#6e7781",
    rules.Light.MONITORED: "#0969da",
}
# Fill patterns, so that the stacked bars' parts tell the lights apart without colour too (on a
# black-and-white printout, or for colour-blind readers); the legend shows symbol, word and pattern.
LIGHT_PATTERNS = {
    rules.Light.ACHIEVED: "",
    rules.Light.ACHIEVED_LATE: "\\",
    rules.Light.MEETS_STANDARD: "",
    rules.Light.ON_TRACK: "|",
    rules.Light.BEHIND: "/",
    rules.Light.SERIOUSLY_BEHIND: "x",
    rules.Light.NOT_COMPLETED: "+",
    rules.Light.OVERDUE: "+",
    rules.Light.BELOW_STANDARD: "x",
    rules.Light.NO_DATA: ".",
    rules.Light.UNASSESSABLE: "-",
    rules.Light.MONITORED: "",
}
# White lines over the light's colour, so the bar keeps its colour and gains the pattern.
PATTERN_STYLE = {"fillmode": "overlay", "fgcolor": "#ffffff", "fgopacity": 0.8, "size": 7, "solidity": 0.25}
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}
CENT = Decimal("0.01")


def _short_task_label(task, limit: int = 8) -> str:
    title = task.title if len(task.title) <= limit else task.title[: limit - 1] + "…"
    return f"{task.number}. {title}"


def lights_by_task(task_summaries) -> Chart:
    """Stacked horizontal bars: each key task's quantified targets counted by light."""
    # Each bar named by its task (number and title, shortened), not by a bare "工作N".
    labels = [_short_task_label(task) for task, _summary in task_summaries]
    series = []
    for light in LEGEND:
        counts = [summary.counts.get(light, 0) for _task, summary in task_summaries]
        if any(counts):
            series.append((light, counts))
    data = []
    for light, counts in series:
        data.append(
            {
                "type": "bar",
                "name": f"{light.symbol} {light.label}",
                "y": labels,
                "x": counts,
                "orientation": "h",
                "marker": {
                    "color": LIGHT_COLOURS[light],
                    "pattern": {"shape": LIGHT_PATTERNS[light], **PATTERN_STYLE},
                },
                "hovertemplate": f"%{{y}}: %{{x}}<extra>{light.label}</extra>",
            }
        )
    layout = {
        "barmode": "stack",
        "height": 60 + 34 * len(labels),
        "margin": MARGIN,
        "yaxis": {"autorange": "reversed"},
        "xaxis": {"title": {"text": _("目标数")}, "dtick": 1},
        "legend": {"orientation": "h", "y": -0.25},
    }
    totals = [sum(counts[i] for _light, counts in series) for i in range(len(labels))]
    table = ChartTable(
        caption=_("各项重点工作的量化目标按状态统计(项)"),
        columns=[_("重点工作"), *(f"{light.symbol} {light.label}" for light, _counts in series), _("合计")],
        rows=[
            (label, [str(counts[i]) for _light, counts in series] + [str(totals[i])])
            for i, label in enumerate(labels)
        ],
    )
    summary = _("堆叠条形图:各项重点工作的量化目标按状态统计(重点工作%(tasks)s项,量化目标%(n)s项)。") % {
        "tasks": len(labels),
        "n": sum(totals),
    }
    return Chart(to_html(data=data, layout=layout, div_id="lights-by-task"), summary, table)


def target_progress(row: TargetRow, *, as_of: dt.date, expected_path: list[tuple[dt.date, Decimal]]) -> Chart:
    """Actual figures against the expected path and the goal, with the deadline marked."""
    target = row.target
    unit = target.unit_of_measure
    data, shapes, annotations = [], [], []
    # (column heading, {date: value}) for the chart's table, one per line of the chart.
    columns: list[tuple[str, dict[dt.date, Decimal]]] = []
    if expected_path:
        columns.append((_("序时进度"), {d: v.quantize(CENT) for d, v in expected_path}))
        data.append(
            {
                "type": "scatter",
                "name": _("序时进度"),
                "x": [d for d, _v in expected_path],
                "y": [float(v) for _d, v in expected_path],
                "mode": "lines",
                "line": {"color": "#6e7781", "dash": "dot"},
            }
        )
    actual = [o for o in row.observations if o.value is not None]
    if actual:
        actual_name = _("实际(台账计数)") if target.ledger_measure else _("实际(已审核)")
        columns.append((actual_name, {o.month_end: o.value for o in actual}))
        data.append(
            {
                "type": "scatter",
                "name": actual_name,
                "x": [o.month_end for o in actual],
                "y": [float(o.value) for o in actual],
                "mode": "lines+markers",
                "line": {"color": "#0969da", "width": 3},
                "marker": {"size": 9},
                "hovertemplate": "%{x|%Y-%m}: %{y} " + unit + "<extra></extra>",
            }
        )
    nodes = sorted((month_end(p.month), p.value) for p in target.planned_points())
    if nodes:
        columns.append((_("计划节点"), {d: v.quantize(CENT) for d, v in nodes}))
        data.append(
            {
                "type": "scatter",
                "name": _("计划节点"),
                "x": [d for d, _v in nodes],
                "y": [float(v) for _d, v in nodes],
                "mode": "markers",
                "marker": {"color": "#6e7781", "size": 10, "symbol": "diamond-open", "line": {"width": 2}},
            }
        )
    projected = row.assessment.projected
    if projected is not None and actual and target.deadline and not target.standard:
        columns.append((_("按近期趋势预计"), {target.deadline: projected.quantize(CENT)}))
        data.append(
            {
                "type": "scatter",
                "name": _("按近期趋势预计"),
                "x": [actual[-1].month_end, target.deadline],
                "y": [float(actual[-1].value), float(projected)],
                "mode": "lines+markers",
                "line": {"color": "#8250df", "dash": "dash"},
            }
        )
    if target.goal is not None:
        label = _("目标 %(goal)s %(unit)s") % {"goal": fmt_number(target.goal), "unit": unit}
        shape, annotation = hline(float(target.goal), line={"color": "#1a7f37", "width": 2}, label=label)
        shapes.append(shape)
        annotations.append(annotation)
    if target.deadline:
        shapes.append(vline(target.deadline.isoformat(), line={"color": "#cf222e", "dash": "dash"}))
        annotations.append(
            {
                "x": target.deadline.isoformat(),
                "y": 1,
                "yref": "paper",
                "text": _("期限"),
                "showarrow": False,
                "yanchor": "bottom",
                # Left of the line: the deadline is near the right edge, where a centred label is cut.
                "xanchor": "right",
            }
        )
    shapes.append(vline(as_of.isoformat(), line={"color": "#afb8c1", "width": 1}))
    if unit:
        annotations.append(
            {
                "text": unit,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    # Without any series (no figure yet) the y range comes from the goal alone, never −1…6.
    values = [float(v) for _name, series in columns for v in series.values()]
    if target.goal is not None:
        values.append(float(target.goal))
    y_range = [0, (max(values) * 1.15) or 1] if values else None
    end = target.deadline or target.key_task.plan.period_end
    layout = {
        "height": 360,
        "margin": MARGIN,
        "shapes": shapes,
        "annotations": annotations,
        "xaxis": {
            # Dates, whatever the traces hold: with no data trace plotly would guess a numeric axis.
            "type": "date",
            "tickformat": "%Y-%m",
            "range": [target.start.isoformat(), (end + dt.timedelta(days=10)).isoformat()],
        },
        # The unit is written upright above the axis, not turned sideways along it.
        "yaxis": {"rangemode": "tozero", **({"range": y_range} if y_range else {})},
        "legend": {"orientation": "h", "y": -0.15},
        "showlegend": True,
    }
    dates = sorted({day for _name, values in columns for day in values})
    caption = _("实际值与序时进度(单位:%(unit)s)") % {"unit": unit} if unit else _("实际值与序时进度")
    table = ChartTable(
        caption=caption,
        columns=[_("日期"), *(name for name, _values in columns)],
        rows=[
            (day.isoformat(), [fmt_number(values[day]) if day in values else "" for _name, values in columns])
            for day in dates
        ],
    )
    facts = [_("折线图:%(caption)s。") % {"caption": caption}]
    if target.goal is not None:
        facts.append(_("目标 %(goal)s %(unit)s。") % {"goal": fmt_number(target.goal), "unit": unit})
    if target.deadline:
        facts.append(_("期限 %(date)s。") % {"date": target.deadline.isoformat()})
    if actual:
        facts.append(
            _("最新值 %(value)s(%(date)s)。")
            % {"value": fmt_number(actual[-1].value), "date": actual[-1].month_end.isoformat()}
        )
    # Chinese sentences run on after "。"; English ones need a space.
    summary = ("" if get_language().startswith("zh") else " ").join(facts)
    return Chart(to_html(data=data, layout=layout, div_id="target-progress"), summary, table)
