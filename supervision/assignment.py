"""Assigning lead units, co-units and lead officials to many supervised items at once.

The write path of the admin actions and the task × unit matrix (with `targets.assignment` for
targets). Every change is checked before anything is written: a unit of another district (or of
none) is refused, and so is a closed item (办结 is final). Then all are written in one
transaction, so the plans' data versions move once; each changed item gets a history row with
who changed what (留痕).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from common.formatting import join_list
from targets import access as target_access
from targets.assignment import ADD, REMOVE, REPLACE, AssignmentRefused, units_after
from targets.models import DistrictMembership, Unit

from .models import State, SupervisedItem

__all__ = ["ADD", "REMOVE", "REPLACE", "AssignmentRefused", "ItemUnits", "set_units"]


@dataclass(frozen=True)
class ItemUnits:
    """The units one item should have afterwards: its lead unit (or None) and its co-units."""

    item: SupervisedItem
    lead: int | None
    co_units: frozenset[int]


def _current(items: list[SupervisedItem]) -> dict[int, tuple[int | None, set[int]]]:
    current = {i.pk: (i.lead_unit_id, set()) for i in items}
    through = SupervisedItem.co_units.through.objects.filter(superviseditem__in=[i.pk for i in items])
    for item_id, unit_id in through.values_list("superviseditem_id", "unit_id"):
        current[item_id][1].add(unit_id)
    return current


def _refuse_unless_office(user, what: str) -> None:
    if not target_access.can_assign(user):
        raise AssignmentRefused([_("只有督查室(审核人)和管理员可以分派%(what)s。") % {"what": what}])


def _closed_refusal(item: SupervisedItem) -> str:
    return _("督办事项“%(item)s”已办结,不能再改派。") % {"item": item}


def _move_versions(items: list[SupervisedItem]) -> None:
    """A step's form shown before the change is refused afterwards (see workflow.perform)."""
    SupervisedItem.objects.filter(pk__in=[i.pk for i in items]).update(version=F("version") + 1)


def set_units(changes: list[ItemUnits], *, user) -> list[SupervisedItem]:
    """Give each item exactly its lead unit and co-units; returns the items that changed.

    The lead unit is not also kept as a co-unit. All or nothing: AssignmentRefused before any write.
    """
    _refuse_unless_office(user, _("责任单位"))
    changes = [ItemUnits(c.item, c.lead, frozenset(c.co_units - {c.lead})) for c in changes]
    wanted = {c.lead for c in changes if c.lead is not None}.union(*(c.co_units for c in changes))
    units_by_pk = {u.pk: u for u in Unit.objects.filter(pk__in=wanted)}
    missing = wanted - set(units_by_pk)
    if missing:
        raise AssignmentRefused([_("找不到编号为 %(pk)s 的责任单位。") % {"pk": min(missing)}])
    current = _current([c.item for c in changes])
    effective = [c for c in changes if (c.lead, set(c.co_units)) != current[c.item.pk]]
    problems = []
    for change in effective:
        item = change.item
        if item.state == State.CLOSED:
            problems.append(_closed_refusal(item))
            continue
        lead, co_units = current[item.pk]
        added = sorted(({change.lead} - {lead, None}) | (change.co_units - co_units - {lead}))
        problems += target_access.unit_refusals(item.plan, [units_by_pk[pk] for pk in added])
    if problems:
        raise AssignmentRefused(list(dict.fromkeys(problems)))
    with transaction.atomic():
        for change in effective:
            item = change.item
            item.co_units.set(sorted(change.co_units))
            item.lead_unit = units_by_pk[change.lead] if change.lead is not None else None
            item._history_user = user
            item._change_reason = _("牵头单位:%(lead)s;责任单位:%(units)s") % {
                "lead": item.lead_unit.name if item.lead_unit else _("未明确"),
                "units": join_list(sorted(units_by_pk[pk].name for pk in change.co_units)) or _("未明确"),
            }
            item.save()
        _move_versions([c.item for c in effective])
    return [c.item for c in effective]


def assign_lead_unit(items: Iterable[SupervisedItem], unit: Unit | None, *, user) -> list[SupervisedItem]:
    """The same lead unit (牵头单位) for every item; its co-units stay."""
    items = list(items)
    current = _current(items)
    lead = unit.pk if unit is not None else None
    return set_units([ItemUnits(i, lead, frozenset(current[i.pk][1])) for i in items], user=user)


def assign_co_units(
    items: Iterable[SupervisedItem], units: Iterable[Unit], *, mode: str, user
) -> list[SupervisedItem]:
    """The same co-units (责任单位) added to, removed from or set for every item; the lead stays."""
    items, units = list(items), list(units)
    current = _current(items)
    return set_units(
        [
            ItemUnits(i, current[i.pk][0], frozenset(units_after(current[i.pk][1], units, mode)))
            for i in items
        ],
        user=user,
    )


def assign_leader(items: Iterable[SupervisedItem], name: str, account, *, user) -> list[SupervisedItem]:
    """The same lead official (分包领导), and optionally their account, for every item."""
    _refuse_unless_office(user, _("分包领导"))
    items = list(items)
    name = name.strip()
    problems = []
    if account is not None:
        districts = set(DistrictMembership.objects.filter(user=account).values_list("district", flat=True))
        for item in items:
            if item.plan.district not in districts and not target_access.is_admin(account):
                problems.append(
                    _("账号“%(account)s”不属于%(district)s,不能作为该区督办事项的分包领导。")
                    % {"account": account, "district": item.plan.district}
                )
    problems += [_closed_refusal(i) for i in items if i.state == State.CLOSED]
    if problems:
        raise AssignmentRefused(list(dict.fromkeys(problems)))
    changed = []
    with transaction.atomic():
        for item in items:
            if item.lead_official == name and item.lead_official_account_id == getattr(account, "pk", None):
                continue
            item.lead_official = name
            item.lead_official_account = account
            item._history_user = user
            item._change_reason = _("分包领导:%(name)s") % {"name": name or _("未明确")}
            item.save()
            changed.append(item)
        _move_versions(changed)
    return changed
