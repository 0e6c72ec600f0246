from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from .roles import ensure_roles

    ensure_roles()


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = _("重点工作目标")

    def ready(self):
        # After auth has created this app's permissions, give the role groups theirs.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="targets.ensure_roles")
        from . import signals, tables  # noqa: F401  (tables: django-tables2's signature lookups cached)

        signals.connect()
