from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs):
    from .roles import ensure_roles

    ensure_roles()


class EntryConfig(AppConfig):
    """The data-entry pipeline: the monthly page, review, the Excel round trip, compliance, roles.

    It owns no models: figures are the kernel's (`targets`), and its admin registers them.
    """

    name = "entry"
    verbose_name = "entry"  # owns no models, so the admin never shows it

    def ready(self):
        # After auth has created the kernel's permissions, give the role groups theirs. An app
        # without models gets no post_migrate of its own, so this listens to the kernel's.
        post_migrate.connect(
            _ensure_roles, sender=apps.get_app_config("targets"), dispatch_uid="entry.ensure_roles"
        )
