from django import template

from .. import queries
from ..models import SupervisedItem

register = template.Library()


@register.inclusion_tag("supervision/_item_table.html")
def task_items(task, as_of):
    """The key task's supervised items with state and overdue flags as of the page's date."""
    rows = queries.rows(SupervisedItem.objects.filter(key_task=task), as_of)
    return {"rows": rows, "show_task": False, "caption_task": task, "as_of_param": as_of.isoformat()}


@register.inclusion_tag("supervision/_target_items.html")
def target_items(target):
    """The supervised items this target measures (the other way of SupervisedItem.targets)."""
    return {"items": target.supervised_items.select_related("lead_unit").order_by("code")}
