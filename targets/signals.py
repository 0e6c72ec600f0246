"""Move a plan's data version whenever something its pages show is saved or deleted."""

from django.db.models.signals import m2m_changed, post_delete, post_save


def _plans_of(instance):
    """The plans whose pages show this object (None: every plan)."""
    from projects.models import Problem, Project, ProjectGroup

    from .models import Figure, KeyTask, Plan, PlannedValue, Target

    if isinstance(instance, Plan):
        return Plan.objects.filter(pk=instance.pk)
    if isinstance(instance, (KeyTask, Project, ProjectGroup)):
        return Plan.objects.filter(pk=instance.plan_id)
    if isinstance(instance, Target):
        return Plan.objects.filter(key_tasks=instance.key_task_id)
    if isinstance(instance, (Figure, PlannedValue)):
        return Plan.objects.filter(key_tasks__targets=instance.target_id)
    if isinstance(instance, Problem):
        return Plan.objects.filter(projects=instance.project_id)
    # A unit's name shows on every plan that it answers for: keep it simple, all plans.
    return None


def _bump(sender, instance=None, **kwargs):
    from .models import DataVersion

    if kwargs.get("raw"):
        # loaddata: the seed command bumps once at the end.
        return
    DataVersion.bump(_plans_of(instance))


def connect() -> None:
    from projects.models import Problem, Project, ProjectGroup

    from .models import Figure, KeyTask, Plan, PlannedValue, Target, Unit

    for model in (Plan, KeyTask, Target, PlannedValue, Figure, Unit, Project, ProjectGroup, Problem):
        uid = f"pagecache.{model._meta.label}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ".delete")
    for through in (Target.responsible_units.through, Project.groups.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"pagecache.{through._meta.label}")
