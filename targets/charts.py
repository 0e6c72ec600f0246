"""Plotly figures built in Python; pages load plotly.min.js once from our own static files."""

import datetime as dt
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from . import rules
from .formatting import fmt_number
from .progress import LEGEND, TargetRow

LIGHT_COLOURS = {
    rules.Light.ACHIEVED: "#1a7f37",
    rules.Light.ON_TRACK: "#4ac26b",
    rules.Light.BEHIND: "#d4a72c",
    rules.Light.SERIOUSLY_BEHIND: "#e16f24",
    rules.Light.OVERDUE: "#cf222e",
    rules.Light.NOT_REPORTED: "#6e7781",
    rules.Light.UNASSESSABLE: "#afb8c1",
    rules.Light.MONITORED: "#0969da",
}

CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
FONT = {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", "size": 13}


def _html(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(font=FONT, margin={"l": 10, "r": 10, "t": 30, "b": 10}, paper_bgcolor="white")
    return fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG, div_id=div_id)


def lights_by_task(task_summaries) -> str:
    """Stacked horizontal bars: each key task's quantified targets counted by light."""
    labels = [_("工作%(n)s") % {"n": task.number} for task, _summary in task_summaries]
    fig = go.Figure()
    for light in LEGEND:
        counts = [summary.counts.get(light, 0) for _task, summary in task_summaries]
        if not any(counts):
            continue
        fig.add_trace(
            go.Bar(
                name=f"{light.symbol} {light.label}",
                y=labels,
                x=counts,
                orientation="h",
                marker_color=LIGHT_COLOURS[light],
                hovertemplate=f"%{{y}}: %{{x}}<extra>{light.label}</extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        height=60 + 34 * len(labels),
        yaxis={"autorange": "reversed"},
        xaxis={"title": _("目标数"), "dtick": 1},
        legend={"orientation": "h", "y": -0.25},
    )
    return _html(fig, "lights-by-task")


def target_progress(row: TargetRow, *, as_of: dt.date, expected_path: list[tuple[dt.date, Decimal]]) -> str:
    """Actual figures against the expected path and the goal, with the deadline marked."""
    target = row.target
    unit = target.unit_of_measure
    fig = go.Figure()
    if expected_path:
        fig.add_trace(
            go.Scatter(
                name=_("序时进度"),
                x=[d for d, _v in expected_path],
                y=[float(v) for _d, v in expected_path],
                mode="lines",
                line={"color": "#6e7781", "dash": "dot"},
            )
        )
    figures = [o for o in row.observations if o.value is not None]
    if figures:
        fig.add_trace(
            go.Scatter(
                name=_("实际(台账计数)") if target.ledger_measure else _("实际(已审核)"),
                x=[f.month_end for f in figures],
                y=[float(f.value) for f in figures],
                mode="lines+markers",
                line={"color": "#0969da", "width": 3},
                marker={"size": 9},
                hovertemplate="%{x|%Y-%m}: %{y} " + unit + "<extra></extra>",
            )
        )
    projected = row.assessment.projected
    if projected is not None and figures and target.deadline:
        fig.add_trace(
            go.Scatter(
                name=_("按近期趋势预计"),
                x=[figures[-1].month_end, target.deadline],
                y=[float(figures[-1].value), float(projected)],
                mode="lines+markers",
                line={"color": "#8250df", "dash": "dash"},
            )
        )
    if target.goal is not None:
        fig.add_hline(
            y=float(target.goal),
            line={"color": "#1a7f37", "width": 2},
            annotation_text=_("目标 %(goal)s %(unit)s") % {"goal": fmt_number(target.goal), "unit": unit},
            annotation_position="top left",
        )
    if target.deadline:
        fig.add_vline(x=target.deadline.isoformat(), line={"color": "#cf222e", "dash": "dash"})
        fig.add_annotation(
            x=target.deadline.isoformat(),
            y=1,
            yref="paper",
            text=_("期限"),
            showarrow=False,
            yanchor="bottom",
        )
    fig.add_vline(x=as_of.isoformat(), line={"color": "#afb8c1", "width": 1})
    fig.update_layout(
        height=360,
        xaxis={"title": None, "tickformat": "%Y-%m", "range": [target.start.isoformat(), _x_end(target)]},
        yaxis={"title": unit, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15},
    )
    return _html(fig, "target-progress")


def _x_end(target) -> str:
    end = target.deadline or target.key_task.plan.period_end
    return (end + dt.timedelta(days=10)).isoformat()
