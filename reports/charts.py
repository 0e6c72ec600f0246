"""The bulletin's one chart: the headline counts, sized for an A4 page and printed without a toolbar."""

from django.utils.translation import gettext as _

from common.plotting import FONT, Chart, ChartTable, to_html
from targets.charts import LIGHT_COLOURS

from .bulletin import Headline

# The chart takes its box's width: at most 640 px (bulletin.css), the whole width of a phone.
# Tall enough for its bars and no taller: the bulletin's first page holds the overview and more.
BAR_PX, FRAME_PX = 30, 56
# A static picture (no toolbar, no hover) that fits its box, on a phone as on A4.
CONFIG = {"displayModeBar": False, "staticPlot": True, "responsive": True}


def headline_counts(headline: Headline) -> Chart:
    """Horizontal bars, one per part of the headline, each labelled with its symbol, word and count."""
    parts = headline.shown_parts
    labels = [f"{''.join(light.symbol for light in lights)} {label}" for label, _n, lights in parts]
    counts = [n for _label, n, _lights in parts]
    colours = [LIGHT_COLOURS[lights[0]] for _label, _n, lights in parts]
    title = _("量化目标按状态统计(共%(n)s项)") % {"n": headline.total}
    data = [
        {
            "type": "bar",
            "y": labels,
            "x": counts,
            "orientation": "h",
            "marker": {"color": colours, "line": {"color": "#000", "width": 0.5}},
            "text": [_("%(n)s项") % {"n": n} for n in counts],
            "textposition": "outside",
            "cliponaxis": False,
        }
    ]
    layout = {
        "height": FRAME_PX + BAR_PX * max(len(parts), 1),
        "font": FONT | {"size": 12},
        "margin": {"l": 10, "r": 40, "t": 28, "b": 24},
        "plot_bgcolor": "white",
        "title": {
            "text": title,
            "x": 0,
            "font": {"size": 13},
        },
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {
            "dtick": max(1, -(-max(counts, default=1) // 10)),
            "rangemode": "tozero",
            "gridcolor": "#d0d7de",
            "range": [0, max(max(counts, default=0), 1) * 1.12],
        },
        "showlegend": False,
    }
    table = ChartTable(
        caption=title,
        columns=[_("状态"), _("目标数")],
        rows=[(label, [str(n)]) for label, n in zip(labels, counts, strict=True)],
    )
    summary = _("条形图:%(title)s。") % {"title": title}
    return Chart(to_html(data=data, layout=layout, div_id="bulletin-headline", config=CONFIG), summary, table)
