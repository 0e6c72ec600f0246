"""Bump `DataVersion` whenever something the progress pages show is saved or deleted."""

from django.db.models.signals import m2m_changed, post_delete, post_save


def _bump(sender, **kwargs):
    from .models import DataVersion

    if kwargs.get("raw"):
        # loaddata: the seed command bumps once at the end.
        return
    DataVersion.bump()


def connect() -> None:
    from projects.models import Problem, Project, ProjectGroup

    from .models import Figure, KeyTask, Plan, PlannedValue, Target, Unit

    for model in (Plan, KeyTask, Target, PlannedValue, Figure, Unit, Project, ProjectGroup, Problem):
        uid = f"pagecache.{model._meta.label}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ".delete")
    for through in (Target.responsible_units.through, Project.groups.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"pagecache.{through._meta.label}")
