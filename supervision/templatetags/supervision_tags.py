from django import template
from django.utils import timezone

from .. import queries
from ..models import SupervisedItem

register = template.Library()


@register.inclusion_tag("supervision/_item_table.html")
def task_items(task):
    """The key task's supervised items with state and overdue flags (same for every reader)."""
    rows = queries.rows(SupervisedItem.objects.filter(key_task=task), timezone.localdate())
    return {"rows": rows, "show_task": False, "caption_task": task}


@register.inclusion_tag("supervision/_target_items.html")
def target_items(target):
    """The supervised items this target measures (the other way of SupervisedItem.targets)."""
    return {"items": target.supervised_items.select_related("lead_unit").order_by("code")}
