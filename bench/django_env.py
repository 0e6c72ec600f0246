"""Set up Django for the benchmark's helper processes (run as `python -m bench.<module>`)."""

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
