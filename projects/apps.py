from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _stated_count_changed(sender, instance=None, **kwargs):
    """A document-stated stage count shows on its plan's ledger pages: move that plan's version."""
    from targets.models import DataVersion, Plan

    if kwargs.get("raw"):
        return  # loaddata: the seed command bumps once at the end
    DataVersion.bump(Plan.objects.filter(project_groups=instance.group_id))


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"

    def ready(self):
        from .models import StatedStageCount

        uid = "pagecache.projects.StatedStageCount"
        post_save.connect(_stated_count_changed, sender=StatedStageCount, dispatch_uid=uid + ".save")
        post_delete.connect(_stated_count_changed, sender=StatedStageCount, dispatch_uid=uid + ".delete")
