from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared helpers (months, formatting, data language, charts, as-of dates) and template tags.

    Installed only for its template tags: it owns no models and imports no project app.
    """

    name = "common"
    verbose_name = "common"
