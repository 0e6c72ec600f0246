"""Move a publication's version when what its page shows changes outside the plan's data version.

Targets and figures move the plan's data version (targets/signals.py), which the public cache key
holds too; supervised items do not, so a published item's change moves its publications here.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from supervision.models import SupervisedItem

from .models import Publication


@receiver(post_save, sender=SupervisedItem)
def item_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _move(Publication.objects.filter(items=instance))


def _move(publications) -> None:
    publications.update(version=F("version") + 1)


def _links_changed(sender, instance, action, pk_set=None, **kwargs):
    """A publication's targets or items, or a published item's units, were changed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Publication):
        _move(Publication.objects.filter(pk=instance.pk))
    elif sender is SupervisedItem.co_units.through:
        if isinstance(instance, SupervisedItem):
            _move(Publication.objects.filter(items=instance))
        else:  # a unit's items changed
            _move(Publication.objects.filter(items__in=pk_set or ()))
    else:  # a target's or an item's publications changed
        _move(Publication.objects.filter(pk__in=pk_set or ()))


m2m_changed.connect(_links_changed, sender=Publication.targets.through, dispatch_uid="public_targets")
m2m_changed.connect(_links_changed, sender=Publication.items.through, dispatch_uid="public_items")
m2m_changed.connect(_links_changed, sender=SupervisedItem.co_units.through, dispatch_uid="public_item_units")
