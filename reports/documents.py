"""The bulletin as HTML, PDF and XLSX, for the views and for `manage.py bulletin` alike.

The HTML page and the PDF share one body template and one stylesheet. The page served to a
browser links its assets by static URL; the copy handed to Chromium ("pdf" mode) references
the same files by absolute file:// paths found through the staticfiles finders, because
Chromium opens it from a temporary directory, with no web server behind it.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import charts, narrative, pdf, xlsx
from .bulletin import Bulletin

STYLESHEETS = ["css/site.css", "css/print.css", "reports/bulletin.css"]
PLOTLY = "vendor/plotly.min.js"
CHARTS = "js/charts.js"  # draws the chart from its JSON data block


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    # Safe: backslashes, quotes, newlines and "<" are escaped above.
    return mark_safe(f'"{escaped}"')


def file_uri(static_path: str) -> str:
    found = finders.find(static_path)
    if not found:
        raise FileNotFoundError(static_path)
    return Path(found).resolve().as_uri()


def pdf_assets() -> dict:
    return {
        "stylesheets": [file_uri(path) for path in STYLESHEETS],
        "plotly": file_uri(PLOTLY),
        "charts": file_uri(CHARTS),
    }


def context_for(bulletin: Bulletin) -> dict:
    """What the body template needs: the bulletin, its chart and the running page header."""
    running_header = _("%(district)s · %(title)s · %(month)s通报 · 数据截至 %(as_of)s") % {
        "district": bulletin.plan.district,
        "title": bulletin.plan.title,
        "month": bulletin.month_text,
        "as_of": f"{bulletin.as_of:%Y-%m-%d}",
    }
    text = narrative.for_bulletin(bulletin)
    return {
        "narrative": text,
        "headings": narrative.outline(bulletin, text),
        "new_indicators": narrative.new_indicators(bulletin),
        "instructions": narrative.instructions(bulletin),
        "printed_groups": (printed := narrative.printed_groups(bulletin)),
        "unprinted_group_count": len(bulletin.project_groups) + bulletin.omitted_group_count - len(printed),
        "bulletin": bulletin,
        "plan": bulletin.plan,
        "as_of": bulletin.as_of,
        "chart": charts.headline_counts(bulletin.headline),
        "running_header": css_string(running_header),
    }


def pdf_html(bulletin: Bulletin) -> str:
    """A complete document for Chromium: assets by file:// path, no navigation."""
    return render_to_string("reports/bulletin_print.html", context_for(bulletin) | {"assets": pdf_assets()})


def pdf_bytes(bulletin: Bulletin) -> bytes:
    """Raises pdf.ChromiumMissing when Chromium is not installed, pdf.PdfError when it fails."""
    return pdf.html_to_pdf(pdf_html(bulletin))


def xlsx_bytes(bulletin: Bulletin) -> bytes:
    return xlsx.workbook_bytes(bulletin)


def filename(bulletin: Bulletin, extension: str) -> str:
    """ASCII file name (browsers differ on non-ASCII), e.g. bulletin-plan1-2020-06.pdf."""
    return f"bulletin-plan{bulletin.plan.pk}-{bulletin.month:%Y-%m}.{extension}"
