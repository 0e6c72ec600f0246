"""Items with what their rows show, in a fixed number of queries, and their overdue flags."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from . import rules, workflow
from .models import ItemEvent, State, SupervisedItem


@dataclass
class Row:
    item: SupervisedItem
    flags: rules.Flags
    state: str  # the item's state as of the row's date

    @property
    def state_label(self) -> str:
        return State(self.state).label


def with_rows(queryset: QuerySet[SupervisedItem]) -> QuerySet[SupervisedItem]:
    """Joins plan, task and lead unit; prefetches co-units, linked targets and every event."""
    return queryset.select_related("plan", "key_task", "lead_unit").prefetch_related(
        "co_units",
        "targets",
        Prefetch("events", queryset=ItemEvent.objects.order_by("at", "id"), to_attr="event_list"),
    )


def rows(queryset: QuerySet[SupervisedItem], today: dt.date) -> list[Row]:
    return [
        Row(
            item,
            workflow.flags(item, item.event_list, today),
            workflow.state_on(item, item.event_list, today),
        )
        for item in with_rows(queryset)
    ]
