"""Assignment at scale, on the site: the task × unit matrix of a plan, and a unit's page.

The matrix (督查室 and admins change it; viewers read it): rows are the plan's targets and supervised
items grouped by key task, columns the units in use in the plan plus those added from the chooser
(only the plan's district's units). One POST saves every change through `targets.assignment` and
`supervision.assignment` in one transaction (the plan's data version moves once), or nothing: a
row or unit not on the page, a unit of another district, a closed item's change or a page shown
before someone else's change gets a 4xx page with the reason.

A unit's page lists what the unit answers for: targets with their verdict and reporting state,
supervised items (lead or co-unit) with their state and overdue flags, and its ledger projects
with their (approved) stage, within the plans the reader may open; items only as
`access.visible_items` allows.
"""

import hashlib
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from targets import access as target_access
from targets import assignment as target_assignment
from targets import progress
from targets.models import KeyTask, Plan, Target, Unit

from . import access, assignment, queries
from .models import State, SupervisedItem


class BadInput(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Cell:
    unit: Unit
    on: bool
    lead: bool = False


@dataclass
class MatrixRow:
    kind: str  # "t" (target) or "i" (item)
    obj: object
    cells: list[Cell]
    locked: bool = False  # a closed item: shown, not changed

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.pk}"


@dataclass
class TaskBlock:
    task: KeyTask
    rows: list[MatrixRow] = field(default_factory=list)


def may_view_matrix(user) -> bool:
    """The 督查室 and admins change it; viewers read it. Reporters see their own units' items only,
    so the whole matrix is not theirs."""
    return user.is_active and (target_access.can_assign(user) or not target_access.can_report(user))


def _targets(plan: Plan):
    # A project's investment target follows its project's unit: it is assigned in the ledger.
    return list(
        Target.objects.filter(key_task__plan=plan, project__isnull=True)
        .select_related("key_task__plan")
        .prefetch_related("responsible_units")
        .order_by("key_task__number", "sort_order", "code")
    )


def _items(plan: Plan):
    return list(
        SupervisedItem.objects.filter(plan=plan)
        .select_related("plan", "key_task", "lead_unit")
        .prefetch_related("co_units")
        .order_by("key_task__number", "id")
    )


def _state(targets, items) -> dict[str, tuple]:
    """Every row's assignment now: what the page was shown with, and what a POST compares with."""
    state = {f"t-{t.pk}": (None, frozenset(u.pk for u in t.responsible_units.all())) for t in targets}
    state |= {f"i-{i.pk}": (i.lead_unit_id, frozenset(u.pk for u in i.co_units.all())) for i in items}
    return state


def _stamp(state: dict[str, tuple]) -> str:
    text = ";".join(f"{k}:{lead}:{sorted(units)}" for k, (lead, units) in sorted(state.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ints(values: list[str], what: str) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise BadInput(
            _("%(what)s参数无效:“%(raw)s”。") % {"what": what, "raw": ",".join(values)[:40]}
        ) from None


def _columns(plan: Plan, state: dict[str, tuple], added: list[int]) -> tuple[list[Unit], list[Unit]]:
    """The units shown (in use, then those added) and the district's others for the chooser."""
    in_use = {lead for lead, _units in state.values() if lead} | set().union(*(u for _l, u in state.values()))
    district_units = list(Unit.objects.filter(district=plan.district).order_by("name"))
    by_pk = {u.pk: u for u in district_units}
    for pk in added:
        if pk not in by_pk and pk not in in_use:
            unit = Unit.objects.filter(pk=pk).first()
            if unit is None:
                raise BadInput(_("找不到编号为 %(pk)s 的责任单位。") % {"pk": pk})
            raise BadInput(
                _("单位“%(unit)s”不属于%(district)s,不能加入本计划的分派表。")
                % {"unit": unit, "district": plan.district}
            )
    shown_pks = in_use | set(added)
    # Units in use from elsewhere (set before districts were recorded) are shown so they can be removed.
    shown = sorted(Unit.objects.filter(pk__in=shown_pks), key=lambda u: (u.pk not in in_use, u.name))
    others = [u for u in district_units if u.pk not in shown_pks]
    return shown, others


def _blocks(plan, targets, items, columns) -> list[TaskBlock]:
    blocks = {task.pk: TaskBlock(task) for task in plan.key_tasks.order_by("number")}
    for target in targets:
        units = {u.pk for u in target.responsible_units.all()}
        cells = [Cell(unit, unit.pk in units) for unit in columns]
        blocks[target.key_task_id].rows.append(MatrixRow("t", target, cells))
    for item in items:
        units = {u.pk for u in item.co_units.all()}
        cells = [Cell(unit, unit.pk in units, lead=unit.pk == item.lead_unit_id) for unit in columns]
        blocks[item.key_task_id].rows.append(MatrixRow("i", item, cells, locked=item.state == State.CLOSED))
    return [block for block in blocks.values() if block.rows]


def _changes(request, plan, targets, items, state):
    """The target and item changes the POST asks for, checked against the page it came from."""
    post = request.POST
    if post.get("stamp") != _stamp(state):
        raise BadInput(_("分派表在您打开后已被修改,请刷新页面后重新勾选。"), status=409)
    columns = set(_ints(post.getlist("col"), _("单位")))
    known_units = set(Unit.objects.filter(pk__in=columns).values_list("pk", flat=True))
    if columns - known_units:
        raise BadInput(_("找不到编号为 %(pk)s 的责任单位。") % {"pk": min(columns - known_units)})
    rows = post.getlist("row")
    if not rows:
        raise BadInput(_("没有提交任何行,请从分派表页面提交。"))
    unknown = [r for r in rows if r not in state]
    if unknown:
        raise BadInput(_("“%(row)s”不是本计划的目标或督办事项。") % {"row": unknown[0][:40]})
    targets_by_key = {f"t-{t.pk}": t for t in targets}
    items_by_key = {f"i-{i.pk}": i for i in items}
    target_changes, item_changes = [], []
    for key in rows:
        lead, units = state[key]
        checked = set(_ints(post.getlist(key), _("单位")))
        if checked - columns:
            raise BadInput(_("勾选的单位不在分派表的列中,请刷新页面后重新勾选。"))
        new_units = frozenset((units - columns) | checked)
        if key in targets_by_key:
            target_changes.append(target_assignment.UnitChange(targets_by_key[key], new_units))
            continue
        raw_lead = post.get(f"lead-{key}", "")
        new_lead = lead
        if raw_lead == "" and lead in columns:
            new_lead = None
        elif raw_lead != "":
            (new_lead,) = _ints([raw_lead], _("牵头单位"))
            if new_lead not in columns:
                raise BadInput(_("牵头单位不在分派表的列中,请刷新页面后重新选择。"))
        item_changes.append(assignment.ItemUnits(items_by_key[key], new_lead, new_units))
    return target_changes, item_changes


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def matrix(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(target_access.visible_plans(request.user), pk=pk)
    if not may_view_matrix(request.user):
        raise PermissionDenied
    editable = target_access.can_assign(request.user)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    targets, items = _targets(plan), _items(plan)
    state = _state(targets, items)
    try:
        added = _ints(request.GET.getlist("add"), _("单位"))
        if request.method == "POST":
            target_changes, item_changes = _changes(request, plan, targets, items, state)
            with transaction.atomic():
                changed_targets = target_assignment.set_units(target_changes, user=request.user)
                changed_items = assignment.set_units(item_changes, user=request.user)
            messages.success(
                request,
                _("已保存:%(t)s 个目标、%(i)s 项督办事项的分派有变化。")
                % {"t": len(changed_targets), "i": len(changed_items)},
            )
            url = reverse("supervision:matrix", args=[plan.pk])
            if added:
                url += "?" + urlencode([("add", pk) for pk in added])
            return redirect(url)
        columns, others = _columns(plan, state, added)
    except target_assignment.AssignmentRefused as refused:
        return _bad(request, plan, "; ".join(refused.problems), 400)
    except BadInput as bad:
        return _bad(request, plan, bad.message, bad.status)
    context = {
        "plan": plan,
        "blocks": _blocks(plan, targets, items, columns),
        "columns": columns,
        "others": others,
        "added": added,
        "stamp": _stamp(state),
        "editable": editable,
    }
    return render(request, "supervision/matrix.html", context)


def _bad(request, plan, message, status):
    return render(request, "targets/bad_request.html", {"plan": plan, "message": message}, status=status)


@dataclass
class PlanSection:
    plan: Plan
    as_of: object
    targets: list
    items: list
    projects: list


@login_required
@require_safe
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = get_object_or_404(target_access.visible_units(user), pk=pk)
    plans = target_access.visible_plans(user)
    today = timezone.localdate()
    target_plans = Target.objects.filter(responsible_units=unit, key_task__plan__in=plans).values(
        "key_task__plan"
    )
    items = access.visible_items(user).filter(
        pk__in=SupervisedItem.objects.filter(co_units=unit).values("pk")
    ) | access.visible_items(user).filter(lead_unit=unit)
    item_plans = items.values("plan")
    # Through the unit's reverse relation: this room does not import the ledger's.
    projects = unit.projects.filter(plan__in=plans)
    sections = []
    answered = Q(pk__in=target_plans) | Q(pk__in=item_plans) | Q(pk__in=projects.values("plan"))
    for plan in Plan.objects.filter(answered).order_by("-year", "district"):
        as_of = progress.resolve_as_of(None, plan, today=today)
        rows = progress.assess_targets(
            Target.objects.for_plan(plan).filter(responsible_units=unit).for_dashboard(as_of),
            as_of=as_of,
            thresholds=progress.thresholds_for(plan),
        )
        item_rows = queries.rows(items.filter(plan=plan), today)
        plan_projects = list(projects.filter(plan=plan).order_by("name"))
        sections.append(PlanSection(plan, as_of, rows, item_rows, plan_projects))
    context = {
        "unit": unit,
        "sections": sections,
        "is_office": access.is_office(user),
        "members": list(unit.members.filter(is_active=True).order_by("username"))
        if access.is_office(user)
        else [],
    }
    return render(request, "supervision/unit_detail.html", context)
