"""Plotly figures as plain dicts, rendered without plotly's per-property validation.

`plotly.graph_objects` validates and deep-copies every property, which cost 15–60 ms a chart on
the dashboards (see bench/RESULTS.md); the same figure as a dict renders in well under 1 ms.
The browser draws it with the plotly.min.js from our own static files.
"""

import plotly.io as pio

FONT = {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", "size": 13}
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def to_html(*, data: list[dict], layout: dict, div_id: str, config: dict | None = None) -> str:
    layout = {"font": FONT, "paper_bgcolor": "white"} | layout
    for axis in ("xaxis", "yaxis"):
        # Room for tick labels and titles, which the plain layout does not make by itself.
        layout[axis] = {"automargin": True} | layout.get(axis, {})
    figure = {"data": data, "layout": layout}
    return pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        config=CONFIG if config is None else config,
        div_id=div_id,
        validate=False,
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
