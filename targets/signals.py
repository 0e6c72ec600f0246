"""Move a plan's data version whenever something its pages show is saved or deleted.

The move itself waits for the commit and happens once per transaction (`DataVersion.bump`).
The kernel's models are watched here; a room above the kernel watches its own models with
`watch` (the ledger: `projects/signals.py`), naming the plans an object of its shows on.
A figure that is a draft (or returned to its unit) before and after the change moves nothing:
the pages show approved figures, and submitted ones for the reporting state, never drafts.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal

# Sent inside the transaction of a review step of monthly figures (`entry.save_entries` with submit,
# `review.submit` / `approve` / `send_back`), with `action` (a FigureEvent action), `figures` (the
# figures moved), `user` and `reason`. The notices app listens; the kernel does not import it.
figures_moved = Signal()

# Sent by `remind_units` (not in a dry run) for each unit it reminds of a month's figures, with
# `unit`, `month` (its first day), `subject` and `text` (the reminder as mailed). The notices app
# writes each of the unit's reporters a notice and tells the unit's group robot; the command mails.
units_reminded = Signal()

# Models of other rooms that a plan's pages show, with how to name the plans of one of their objects.
_WATCHED: dict[type, object] = {}

# Figure statuses no page shows (see TargetQuerySet.for_dashboard): saving them moves no version.
UNSEEN_STATUSES = frozenset({"draft", "returned"})


def _cached(instance, field: str):
    """The related object when it is already loaded, else None (never a query)."""
    descriptor_field = instance._meta.get_field(field)
    return descriptor_field.get_cached_value(instance) if descriptor_field.is_cached(instance) else None


def _plan_of_target(target_id: int):
    from .models import Target

    return Target.objects.filter(pk=target_id).values_list("key_task__plan_id", flat=True)


def _plans_of(instance):
    """The ids of the plans whose pages show this object (None: every plan)."""
    from .models import Figure, KeyTask, Plan, PlannedValue, Target

    for model, plans_of in _WATCHED.items():
        if isinstance(instance, model):
            return plans_of(instance)
    if isinstance(instance, Plan):
        return [instance.pk]
    if isinstance(instance, KeyTask) or _is_supervised_item(instance):
        return [instance.plan_id]
    if isinstance(instance, Target):
        task = _cached(instance, "key_task")
        if task is not None:
            return [task.plan_id]
        return KeyTask.objects.filter(pk=instance.key_task_id).values_list("plan_id", flat=True)
    if isinstance(instance, (Figure, PlannedValue)):
        target = _cached(instance, "target")
        task = _cached(target, "key_task") if target is not None else None
        if task is not None:
            return [task.plan_id]
        return _plan_of_target(instance.target_id)
    # A unit's name shows on every plan that it answers for: keep it simple, all plans.
    return None


def _supervised_item_model():
    """The supervision app's item model when that app is installed (the overview counts its items)."""
    from django.apps import apps

    return apps.get_model("supervision", "SupervisedItem") if apps.is_installed("supervision") else None


def _is_supervised_item(instance) -> bool:
    model = _supervised_item_model()
    return model is not None and isinstance(instance, model)


def _remember_status(sender, instance, raw=False, **kwargs):
    """Before a figure is saved as a draft: was it one already? (one query, drafts only)"""
    if raw or instance.status not in UNSEEN_STATUSES or instance._state.adding or instance.pk is None:
        instance._status_before = None
        return
    instance._status_before = sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()


def _unseen_figure_change(instance, created: bool | None) -> bool:
    """A draft stays a draft: no page shows it before or after."""
    if instance.status not in UNSEEN_STATUSES:
        return False
    if created is None:  # deleted
        return True
    return created or getattr(instance, "_status_before", None) in UNSEEN_STATUSES


def _bump(sender, instance=None, created=None, **kwargs):
    from .models import DataVersion, Figure

    if kwargs.get("raw"):
        # loaddata: the seed command bumps once at the end.
        return
    if isinstance(instance, Figure) and _unseen_figure_change(instance, created):
        return
    plans = _plans_of(instance)
    DataVersion.bump(None if plans is None else list(plans))


def _bump_saved(sender, instance, created, **kwargs):
    _bump(sender, instance, created=bool(created), **kwargs)


def _bump_deleted(sender, instance, **kwargs):
    _bump(sender, instance, created=None, **kwargs)


def _bump_relation(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _bump(sender, instance)


def _connect_model(model) -> None:
    uid = f"pagecache.{model._meta.label}"
    post_save.connect(_bump_saved, sender=model, dispatch_uid=uid + ".save")
    post_delete.connect(_bump_deleted, sender=model, dispatch_uid=uid + ".delete")


def watch(model, plans_of) -> None:
    """Move the data version when an object of `model` (another room's) is saved or deleted.

    `plans_of(instance)` names the ids of the plans whose pages show it (None: every plan).
    """
    _WATCHED[model] = plans_of
    _connect_model(model)


def watch_relation(through) -> None:
    """Move the data version when a many-to-many relation changes (`through` of a watched model)."""
    m2m_changed.connect(_bump_relation, sender=through, dispatch_uid=f"pagecache.{through._meta.label}")


def connect() -> None:
    from .models import Figure, KeyTask, Plan, PlannedValue, Target, Unit

    models = [Plan, KeyTask, Target, PlannedValue, Figure, Unit]
    # The overview counts each key task's supervised items by state (targets/overview.py).
    if _supervised_item_model() is not None:
        models.append(_supervised_item_model())
    pre_save.connect(_remember_status, sender=Figure, dispatch_uid="pagecache.targets.Figure.status")
    for model in models:
        _connect_model(model)
    watch_relation(Target.responsible_units.through)
