from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = _("重点工作目标")

    def ready(self):
        from . import signals, tables  # noqa: F401  (tables: django-tables2's signature lookups cached)

        signals.connect()
