"""Who may see and do what with supervised items: the one place the views ask.

- The 督查室 (reviewer role) and admins see every item and do its 督查室 steps: 交办, 审核通过,
  退回, 办结, 催办.
- A reporter sees the items assigned to a unit it is a member of (lead or co-unit) and does that
  unit's steps: 签收, 反馈, 办结申请. Another unit's item is not there for it (404).
- Admins may also act for a unit. Everyone else logged in (viewers) reads every item.
- Every logged-in user sees the list of a plan's items with their state (as the plan's text).
- All of it only within the plans of the user's districts (`targets.access.visible_plans`).
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from targets.access import can_report, can_review, in_visible_plans, is_admin

from .models import Evidence, ItemEvent, State, SupervisedItem

OFFICE_ACTIONS = {
    ItemEvent.Action.ASSIGN,
    ItemEvent.Action.ACCEPT,
    ItemEvent.Action.RETURN,
    ItemEvent.Action.CLOSE,
    ItemEvent.Action.REMIND,
    ItemEvent.Action.INSTRUCT,
}
UNIT_ACTIONS = {
    ItemEvent.Action.ACKNOWLEDGE,
    ItemEvent.Action.FEEDBACK,
    ItemEvent.Action.CLOSE_REQUEST,
    ItemEvent.Action.ANSWER,
}


def is_office(user) -> bool:
    """The 督查室: reviewers and admins."""
    return user.is_active and can_review(user)


def _unit_filter(user) -> Q:
    return Q(lead_unit__members=user) | Q(co_units__members=user)


def visible_items(user) -> QuerySet[SupervisedItem]:
    """Items whose page (timeline, feedback, evidence) this user may open."""
    if not user.is_active:
        return SupervisedItem.objects.none()
    # Only the items of the plans of the user's districts (all for an admin).
    in_districts = in_visible_plans(user, SupervisedItem.objects.all())
    if is_office(user) or not can_report(user):
        return in_districts
    ids = SupervisedItem.objects.filter(_unit_filter(user)).exclude(state=State.DRAFT).values("pk")
    return in_districts.filter(pk__in=ids)


def is_unit_member(user, item: SupervisedItem) -> bool:
    return (
        user.is_active
        and can_report(user)
        and SupervisedItem.objects.filter(_unit_filter(user), pk=item.pk).exists()
    )


def may_act(user, item: SupervisedItem, action: str) -> bool:
    """Whether the user's role lets it do this step on this item (its state is checked elsewhere)."""
    if action in OFFICE_ACTIONS:
        return is_office(user)
    if action in UNIT_ACTIONS:
        return is_admin(user) or is_unit_member(user, item)
    return False


def get_item_for(user, pk) -> SupervisedItem:
    """The item if this user may see it, else 404."""
    return get_object_or_404(
        visible_items(user).select_related("plan", "key_task", "lead_unit", "lead_official_account"), pk=pk
    )


def get_evidence_for(user, pk) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("event"), pk=pk)
    if not visible_items(user).filter(pk=evidence.event.item_id).exists():
        raise Http404
    return evidence
