"""Read-only progress pages for officials: plan → key task → target, plus cross-task lists.

Each view fetches with a documented queryset method, computes with `progress`/`rules`, renders.
"""

import datetime as dt
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig
from django_tables2.data import TableListData

from . import charts, history, overview, pages, progress, rules
from .access import in_visible_plans, is_admin, visible_plans
from .filters import TargetFilter
from .models import KeyTask, Target
from .pagecache import cached_page
from .tables import PER_PAGE, TargetTable


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = visible_plans(request.user)
    context = {"plans": plans, "sees_all": is_admin(request.user)}
    return render(request, "targets/plan_list.html", context)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Where a log-in lands: the plan's overview when there is one plan, else the list of plans."""
    plans = list(visible_plans(request.user).only("pk")[:2])
    if len(plans) == 1:
        return redirect(plans[0].get_absolute_url())
    return redirect("targets:plan-list")


@login_required
@require_safe
@cached_page
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    targets = list(Target.objects.for_plan(plan).for_dashboard(as_of))
    rows = progress.assess_targets(targets, as_of=as_of, thresholds=progress.thresholds_for(plan))
    by_task = defaultdict(progress.LightSummary)
    overall = progress.LightSummary()
    for row in rows:
        by_task[row.target.key_task_id].add(row)
        overall.add(row)
    tasks = list(plan.key_tasks.all())
    task_summaries = [(task, by_task[task.pk]) for task in tasks]
    attention = sorted(
        (r for r in rows if progress.needs_attention(r)),
        key=lambda r: (-r.light_severity, r.target.deadline or plan.period_end, r.target.code),
    )
    # The same targets at the end of the month before, for the change since last month: their
    # verdicts then, from the same fetch.
    previous_as_of = as_of.replace(day=1) - dt.timedelta(days=1)
    previous = None
    if previous_as_of >= plan.period_start:
        quantified = [row for row in rows if row.target.kind != Target.Kind.MONITORED]
        previous = list(
            progress.assess_earlier(
                quantified, as_of=previous_as_of, thresholds=progress.thresholds_for(plan)
            ).values()
        )
    units, unassigned_targets = overview.unit_board(rows)
    due_soon = overview.due_soon(rows, as_of=as_of)
    context = pages.page_context(plan, as_of) | {
        "tiles": overview.tiles(rows, previous),
        "previous_as_of": previous_as_of if previous is not None else None,
        "first_attention": [(row, progress.attention_reason(row)) for row in overview.first_attention(rows)],
        # The overview stays a page a leader reads in ten seconds at any size of plan: the longest
        # lists show their worst or nearest rows, with the count and a link to the whole list.
        "due_soon": due_soon[: overview.DUE_SOON_ROWS],
        "due_soon_total": len(due_soon),
        "due_soon_until": as_of + dt.timedelta(days=60),
        "units": units[:5],
        "unit_count": len(units),
        "unassigned_targets": unassigned_targets,
        "task_progress": overview.task_progress(tasks, rows),
        "tile_defs": overview.TILE_DEFS,
        "items": overview.item_counts(plan),
        "monitored": {task_id: summary.counts[rules.Light.MONITORED] for task_id, summary in by_task.items()},
        "task_summaries": task_summaries,
        "overall": overall,
        "headline": overall.headline(as_of),
        "groups": progress.GROUPS,
        "attention": [(row, progress.attention_reason(row)) for row in attention[: overview.ATTENTION_ROWS]],
        "attention_total": len(attention),
        "attention_lights": sorted(light.value for light in progress.ATTENTION),
        "at_risk_total": sum(1 for r in rows if r.at_risk and r.light not in progress.ATTENTION),
        "late_reports": sum(1 for r in rows if r.reporting.is_units_failure),
        "unassigned": sum(
            1 for r in rows if r.reporting is rules.Reporting.NO_UNIT and r.light is not rules.Light.MONITORED
        ),
        "chart": charts.lights_by_task(task_summaries),
        "legend": progress.LEGEND,
    }
    return render(request, "targets/plan_detail.html", context)


class PagedRows(TableListData):
    """A table's rows, read a page at a time when they are `progress.AssessedTargets`.

    The tables' own order, by code, is left to the database, so that only the page shown is
    fetched and assessed; any other sort (on a verdict, a completion) assesses every row first.
    """

    def order_by(self, aliases):
        names = tuple(str(alias) for alias in aliases)
        if isinstance(self.data, progress.AssessedTargets):
            if not names:  # no valid column asked for (`?sort=zzz`): a stable sort would keep the order
                return
            if names in (("code",), ("-code",)):
                self.data = self.data.by_code(descending=names[0].startswith("-"))
                return
        super().order_by(aliases)


def _target_list(request, plan, as_of, queryset, *, exclude=(), task=None):
    """Filtered, assessed and sorted targets; returns (filterset, table) or a 400 response."""
    filterset = TargetFilter(request.GET, queryset=queryset, plan=plan, task=task)
    if not filterset.is_valid():
        return filterset, None
    rows = progress.AssessedTargets(filterset.qs, as_of=as_of, thresholds=progress.thresholds_for(plan))
    # A verdict is worked out in Python: filtering on it needs every target assessed. Without such
    # a filter (or a sort on a computed column), only the page shown is fetched and assessed.
    if filterset.lights:
        rows = [r for r in rows if r.light in filterset.lights]
    if filterset.risk_choice is not None:
        rows = [r for r in rows if r.at_risk is filterset.risk_choice]
    # Handed over as the library's list container itself: given a plain sequence, django-tables2
    # would copy it into a list (assessing every target) before paginating.
    table = TargetTable(PagedRows(rows), exclude=exclude, as_of=as_of)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return filterset, table


@login_required
@require_safe
@cached_page
def keytask_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(in_visible_plans(request.user, KeyTask.objects.select_related("plan")), pk=pk)
    plan = task.plan
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    queryset = Target.objects.for_plan(plan).filter(key_task=task).exclude(kind=Target.Kind.MONITORED)
    filterset, table = _target_list(request, plan, as_of, queryset, exclude=("key_task",), task=task)
    del filterset.form.fields["key_task"]
    context = pages.page_context(plan, as_of) | {
        "task": task,
        "filter": filterset,
        "table": table,
        "indicator_count": Target.objects.for_plan(plan)
        .filter(key_task=task, kind=Target.Kind.MONITORED)
        .count(),
    }
    return render(request, "targets/keytask_detail.html", context, status=200 if table else 400)


@login_required
@require_safe
@cached_page
def target_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    queryset = Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED)
    filterset, table = _target_list(request, plan, as_of, queryset)
    context = pages.page_context(plan, as_of) | {"filter": filterset, "table": table}
    return render(request, "targets/target_list.html", context, status=200 if table else 400)


def _by_sentence(indicators) -> list[tuple[str, list]]:
    """Indicators grouped by the sentence they are quoted from, in page order: each sentence once.

    The sentence of an indicator is its latest approved figure's (the one shown), else its own.
    """
    groups: dict[str, list] = {}
    for indicator in indicators:
        figure = indicator.approved_figures[-1] if indicator.approved_figures else None
        sentence = (figure.source_text if figure else "") or indicator.source_text
        groups.setdefault(sentence, []).append((indicator, figure))
    return list(groups.items())


@login_required
@require_safe
@cached_page
def indicator_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    indicators = (
        Target.objects.for_plan(plan).filter(kind=Target.Kind.MONITORED).for_dashboard(as_of, detail=True)
    )
    by_task = defaultdict(list)
    for indicator in indicators:
        by_task[indicator.key_task].append(indicator)
    context = pages.page_context(plan, as_of) | {
        "by_task": [
            (task, _by_sentence(indicators))
            for task, indicators in sorted(by_task.items(), key=lambda kv: kv[0].number)
        ]
    }
    return render(request, "targets/indicator_list.html", context)


@login_required
@require_safe
@cached_page
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        in_visible_plans(request.user, Target.objects.select_related("key_task__plan"), "key_task__plan"),
        pk=pk,
    )
    plan = target.key_task.plan
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    target = Target.objects.for_dashboard(as_of, detail=True).get(pk=target.pk)
    (row,) = progress.assess_targets([target], as_of=as_of, thresholds=progress.thresholds_for(plan))
    ledger_items = progress.ledger_items(target, as_of=as_of)
    # 50 items a page (5,000 made a 640 KB page), done ones first; a page number that is not one
    # shows the first page, one past the end the last, as the tables' pages do (django-tables2).
    ledger_page = Paginator(ledger_items, PER_PAGE).get_page(request.GET.get("page"))
    chart = None
    # A monitored indicator has no goal or path: a chart helps only once it has a series.
    if target.kind in (Target.Kind.CUMULATIVE, Target.Kind.LEVEL) or len(target.approved_figures) > 1:
        chart = charts.target_progress(row, as_of=as_of, expected_path=progress.expected_path(target))
    context = pages.page_context(plan, as_of) | {
        "target": target,
        "row": row,
        "assessment": row.assessment,
        "figures": target.approved_figures,
        "chart": chart,
        "is_monitored": target.kind == Target.Kind.MONITORED,
        "change_log": history.change_log(target, figure_ids=[f.pk for f in target.approved_figures]),
        "ledger_items": ledger_items,
        "ledger_page": ledger_page,
        "planned_nodes": target.planned_points(),
        # Days from the as-of date to the deadline (negative: past it), for the countdown.
        "days_left": (target.deadline - as_of).days if target.deadline else None,
        "days_overdue": (as_of - target.deadline).days if target.deadline else None,
        "Light": rules.Light,
    }
    return render(request, "targets/target_detail.html", context)
