"""Assigning responsible units and lead officials to many targets at once (逐个明确责任单位、分包领导).

One write path for the admin action and the task × unit matrix: every change is checked first
(a unit of another district, or of none, is refused; so is a project's investment target, whose
unit follows its project), then all are written in one transaction, so the plans' data versions
move once, at the commit. Each changed target gets a history row naming who changed what.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from common.formatting import join_list

from . import access
from .models import Target, Unit

ADD, REPLACE, REMOVE = "add", "replace", "remove"


class AssignmentRefused(Exception):
    """Nothing was written; `problems` say why, in the user's language."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UnitChange:
    """The responsible units one target should have afterwards."""

    target: Target
    units: frozenset[int]


def units_after(current: set[int], units: Iterable[Unit], mode: str) -> set[int]:
    chosen = {u.pk for u in units}
    if mode == ADD:
        return current | chosen
    if mode == REMOVE:
        return current - chosen
    return chosen


def _current_units(targets: list[Target]) -> dict[int, set[int]]:
    current: dict[int, set[int]] = {t.pk: set() for t in targets}
    through = Target.responsible_units.through.objects.filter(target__in=[t.pk for t in targets])
    for target_id, unit_id in through.values_list("target_id", "unit_id"):
        current[target_id].add(unit_id)
    return current


def _refusals(changes: list[UnitChange], current: dict[int, set[int]], units_by_pk: dict[int, Unit]):
    problems = []
    for change in changes:
        target = change.target
        if target.project_id is not None:
            problems.append(
                _("“%(target)s”是项目的年度投资目标,其责任单位随项目,请在项目台账中修改。")
                % {"target": target}
            )
            continue
        # Only the units a change brings in are checked: a unit already there may stay (or go).
        added = sorted(change.units - current[target.pk])
        problems += access.unit_refusals(target.key_task.plan, [units_by_pk[pk] for pk in added])
    return list(dict.fromkeys(problems))  # each message once, in the order found


def set_units(changes: list[UnitChange], *, user) -> list[Target]:
    """Give each target exactly its units; returns the targets whose units changed.

    All or nothing: AssignmentRefused before anything is written.
    """
    if not access.can_assign(user):
        raise AssignmentRefused([_("只有督查室(审核人)和管理员可以分派责任单位。")])
    wanted = set().union(*(c.units for c in changes)) if changes else set()
    units_by_pk = {u.pk: u for u in Unit.objects.filter(pk__in=wanted)}
    missing = wanted - set(units_by_pk)
    if missing:
        raise AssignmentRefused([_("找不到编号为 %(pk)s 的责任单位。") % {"pk": min(missing)}])
    current = _current_units([c.target for c in changes])
    effective = [c for c in changes if set(c.units) != current[c.target.pk]]
    problems = _refusals(effective, current, units_by_pk)
    if problems:
        raise AssignmentRefused(problems)
    with transaction.atomic():
        for change in effective:
            target = change.target
            target.responsible_units.set(sorted(change.units))
            names = sorted(units_by_pk[pk].name for pk in change.units)
            target._history_user = user
            target._change_reason = _("责任单位:%(units)s") % {"units": join_list(names) or _("未明确")}
            target.save()
    return [c.target for c in effective]


def assign_units(targets: Iterable[Target], units: Iterable[Unit], *, mode: str, user) -> list[Target]:
    """The same units added to, removed from or set as the units of every target."""
    units, targets = list(units), list(targets)
    current = _current_units(targets)
    changes = [UnitChange(t, frozenset(units_after(current[t.pk], units, mode))) for t in targets]
    return set_units(changes, user=user)


def assign_leader(targets: Iterable[Target], name: str, *, user) -> list[Target]:
    """Set the lead official (分包领导) of every target; returns those that changed."""
    if not access.can_assign(user):
        raise AssignmentRefused([_("只有督查室(审核人)和管理员可以分派分包领导。")])
    name = name.strip()
    changed = []
    with transaction.atomic():
        for target in targets:
            if target.lead_official == name:
                continue
            target.lead_official = name
            target._history_user = user
            target._change_reason = _("分包领导:%(name)s") % {"name": name or _("未明确")}
            target.save()
            changed.append(target)
    return changed
