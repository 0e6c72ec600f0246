from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    # The ledger's changes move their plan's data version: see targets/signals.py.
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("项目台账")
