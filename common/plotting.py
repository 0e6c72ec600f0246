"""Plotly figures as plain dicts, rendered without plotly's per-property validation.

`plotly.graph_objects` validates and deep-copies every property, which cost 15–60 ms a chart on
the dashboards (see bench/RESULTS.md); the same figure as a dict renders in well under 1 ms.
The browser draws it with the plotly.min.js from our own static files: the page carries the
figure as a JSON data block (not executed, so allowed by the Content-Security-Policy, which
forbids inline script) and static/js/charts.js calls Plotly.newPlot for each.

Each chart function returns a `Chart`: the figure's HTML together with a one-sentence summary
(the chart's aria-label) and its numbers as a `ChartTable`, built from the same lists as the
figure, so what a screen reader reads (templates/_chart.html) cannot disagree with the picture.
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from plotly.io.json import to_json_plotly

FONT = {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", "size": 13}
# No toolbar: its buttons cannot be worked from the keyboard, and inside the chart's role="img"
# they would be controls hidden from screen readers (axe-core: nested-interactive). Exact values
# are in the table under each chart instead; zooming by dragging and hover still work.
CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class ChartTable:
    """A chart's numbers: column headings (the first heads the row headings) and rows of text."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Chart:
    html: str
    summary: str
    table: ChartTable


def to_html(*, data: list[dict], layout: dict, div_id: str, config: dict | None = None) -> str:
    layout = {"font": FONT, "paper_bgcolor": "white"} | layout
    for axis in ("xaxis", "yaxis"):
        # Room for tick labels and titles, which the plain layout does not make by itself.
        layout[axis] = {"automargin": True} | layout.get(axis, {})
    figure = {"data": data, "layout": layout, "config": CONFIG if config is None else config}
    # As Django's json_script: "<", ">" and "&" escaped, so no text can end the data block.
    payload = to_json_plotly(figure).translate(
        {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    )
    return format_html(
        '<div id="{}" class="plotly-graph-div" data-figure="{}-figure"></div>'
        '<script type="application/json" id="{}-figure">{}</script>',
        div_id,
        div_id,
        div_id,
        mark_safe(payload),  # JSON with <, > and & escaped above
    )


def hline(y: float, *, line: dict, label: str = "") -> tuple[dict, dict | None]:
    """A horizontal line across the plot, and its label at the left end (shape, annotation)."""
    shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, "line": line}
    annotation = None
    if label:
        annotation = {
            "xref": "paper",
            "x": 0,
            "yref": "y",
            "y": y,
            "text": label,
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "bottom",
        }
    return shape, annotation


def vline(x, *, line: dict) -> dict:
    return {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "xref": "x", "x0": x, "x1": x, "line": line}
