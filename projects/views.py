"""Read-only pages of the project ledger: project list, project page, group summaries.

Each view fetches with a documented queryset method or a `summary` helper (a fixed number of
queries), computes with `ledger`/`summary`, renders. Stages and problems are shown as they are
now; investment as of the page's as-of date (the latest reported month unless chosen).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from targets import pagecache, pages
from targets.access import in_visible_plans, visible_plans
from targets.pagecache import cached_page
from targets.tables import PER_PAGE

from . import charts, ledger, summary
from .filters import ProjectFilter
from .models import STAGE_ORDER, Project, ProjectGroup, Stage
from .tables import GroupProjectTable, ProjectTable


@login_required
@require_safe
@cached_page
def project_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    pagecache.note_plan(request, plan)
    today = timezone.localdate()
    queryset = summary.annotate_for_list(plan.projects.for_list(), today=today)
    filterset = ProjectFilter(request.GET, queryset=queryset, plan=plan, today=today)
    table = None
    if filterset.is_valid():
        table = ProjectTable(filterset.qs)
        # 50 a page: a synthetic plan's 200 projects made a 205 KB page (bench/RESULTS.md).
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {"plan": plan, "filter": filterset, "table": table}
    return render(request, "projects/project_list.html", context, status=200 if table else 400)


def _timeline(project: Project) -> list[dict]:
    planned = {Stage.STARTED.value: project.planned_start, Stage.COMPLETED.value: project.planned_completion}
    return [
        {
            "stage": value,
            "label": label,
            "date": date,
            "reached": reached,
            "has_date_field": value != Stage.RESERVE.value,
            "planned": planned.get(value),
        }
        for value, label, date, reached in project.stage_dates()
    ]


@login_required
@require_safe
@cached_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(in_visible_plans(request.user, Project.objects.select_related("plan")), pk=pk)
    plan = project.plan
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    project = summary.with_investment(Project.objects.filter(pk=project.pk), as_of=as_of).get()
    today = timezone.localdate()
    figures = summary.investment_figures(project)
    target = summary.investment_target(project)
    chart = None
    if figures or project.annual_planned_investment is not None:
        chart = charts.investment_progress(
            plan=plan, figures=figures, annual_planned=project.annual_planned_investment, as_of=as_of
        )
    item = summary.item_for(project)
    problems = [
        (problem, problem.is_overdue(today))
        # Open first, the most urgent first; open problems with no deadline after those with one.
        for problem in project.problems.select_related("responsible_unit").order_by(
            F("resolved_on").asc(nulls_first=True), F("due_by").asc(nulls_last=True), "pk"
        )
    ]
    context = pages.page_context(plan, as_of) | {
        "project": project,
        "groups": list(project.groups.all()),
        "timeline": _timeline(project),
        "investment_target": target,
        "figures": figures,
        "completed": item.completed_investment,
        "completion": ledger.investment_completion([item]),
        "chart": chart,
        "problems": problems,
        "today": today,
    }
    return render(request, "projects/project_detail.html", context)


@login_required
@require_safe
@cached_page
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(
        in_visible_plans(
            request.user,
            ProjectGroup.objects.select_related("plan", "key_task").prefetch_related("stated_stage_counts"),
        ),
        pk=pk,
    )
    plan = group.plan
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    today = timezone.localdate()
    # Aggregated in the database over all the group's projects; only the page's rows are loaded.
    group_summary = summary.group_summary(group, today=today, as_of=as_of)
    targets = list(group.targets.select_related("key_task"))
    # The stages the group's counted targets count, in ledger order: one done/not-done column each.
    counted = {t.ledger_stage for t in targets if t.ledger_measure == "count" and t.ledger_stage}
    stages = [stage for stage in STAGE_ORDER if stage.value in counted]
    table = GroupProjectTable(
        summary.annotate_for_table(group.projects.all(), as_of=as_of, today=today), stages=stages, as_of=as_of
    )
    # 50 a page, as the target and project lists: 5,000 projects made a 1.4 MB page. A page
    # number that is not one shows the first page, one past the end the last (django-tables2).
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = pages.page_context(plan, as_of) | {
        "group": group,
        "summary": group_summary,
        "table": table,
        "stages": stages,
        "targets": targets,
        "stage_choices": Stage.choices,
    }
    return render(request, "projects/group_detail.html", context)


@login_required
@require_safe
@cached_page
def group_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    as_of, error = pages.as_of_or_error(request, plan)
    if error:
        return error
    context = pages.page_context(plan, as_of) | {
        # Aggregated in the database: the page shows each group's numbers, never its projects.
        "summaries": summary.plan_group_summaries(plan, as_of=as_of, today=timezone.localdate()),
        "rate_headers": summary.rate_headers(),
    }
    return render(request, "projects/group_list.html", context)
