from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    # The ledger's changes move their plan's data version: see targets/signals.py.
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
