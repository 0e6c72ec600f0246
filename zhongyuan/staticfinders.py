"""Serve plotly.min.js from the installed plotly package as static/vendor/plotly.min.js.

The browser must never fetch plotly from a CDN (the dashboard runs on an offline intranet),
and a hand-made copy in git would drift from the Python package that builds the figures.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PUBLISHED_NAME = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        # collectstatic copies a file under the prefix of its storage.
        self.storage.prefix = "vendor"

    def check(self, **kwargs):
        if not (PLOTLY_DIR / "plotly.min.js").is_file():
            from django.core.checks import Error

            return [Error(f"plotly.min.js not found in {PLOTLY_DIR}", id="zhongyuan.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == PUBLISHED_NAME:
            match = str(PLOTLY_DIR / "plotly.min.js")
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
