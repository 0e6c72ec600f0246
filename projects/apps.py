from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("项目台账")

    def ready(self):
        from targets import ledgers

        from . import observations, signals

        # Targets counted from the ledger (台账统计) ask it through the kernel's registry.
        ledgers.register(observations.LEDGER)
        # The ledger's changes move their plan's data version (the page cache).
        signals.connect()
