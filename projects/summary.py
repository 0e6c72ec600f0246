"""From stored projects to ledger arithmetic: `ledger.Item` values and per-group summaries.

Views fetch projects with `with_investment(...)` (a fixed number of queries whatever the number
of projects) and hand them to the functions here, which read only prefetched data.

A project's completed investment is the latest approved year-to-date figure of its investment
target for a month that has ended by the as-of date, the same months the target pages count.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from common.months import last_closed_month
from targets.models import Figure, Target

from . import ledger
from .models import STAGE_ORDER, Problem, Project, ProjectGroup, Stage

# In 四比四看 order: 开工率, 入库率 (纳入统计库, after 开工), 竣工率, 达产率.
RATE_LABELS = {
    Stage.STARTED.value: _("开工率"),
    Stage.REGISTERED.value: _("入库率"),
    Stage.COMPLETED.value: _("竣工率"),
    Stage.PRODUCING.value: _("达产率"),
}


def approved_figures(as_of: dt.date) -> QuerySet[Figure]:
    """Approved figures of the months ended by `as_of`, oldest first."""
    return Figure.objects.filter(status=Figure.Status.APPROVED, month__lte=last_closed_month(as_of)).order_by(
        "month"
    )


def with_investment(projects: QuerySet[Project], *, as_of: dt.date) -> QuerySet[Project]:
    """`for_ledger()` projects with their investment target and its approved figures prefetched.

    After this, `completed_investment(project)` and `item_for(project)` touch no database.
    """
    targets = Target.objects.prefetch_related(
        Prefetch("figures", queryset=approved_figures(as_of), to_attr="approved_figures")
    )
    return projects.for_ledger().prefetch_related(Prefetch("investment_target", queryset=targets))


def investment_target(project: Project) -> Target | None:
    try:
        return project.investment_target
    except Target.DoesNotExist:
        return None


def investment_figures(project: Project) -> list[Figure]:
    """The prefetched approved figures (with a value) of the project's investment target."""
    target = investment_target(project)
    if target is None:
        return []
    return [f for f in target.approved_figures if f.value is not None]


def completed_investment(project: Project) -> Decimal | None:
    figures = investment_figures(project)
    return figures[-1].value if figures else None


def item_for(project: Project) -> ledger.Item:
    """The project as a ledger item, with its completed investment from the prefetched figures."""
    return project.ledger_item(completed_investment=completed_investment(project))


def _problem_count(problems: QuerySet[Problem]):
    per_project = (
        problems.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_project, output_field=IntegerField()), Value(0))


def annotate_for_list(projects: QuerySet[Project], *, today: dt.date) -> QuerySet[Project]:
    """Add `stage_rank` (-1 when unknown) and the open and overdue problem counts, for sorting in SQL."""
    return projects.annotate(
        stage_rank=Case(
            *[When(stage=stage.value, then=Value(rank)) for rank, stage in enumerate(STAGE_ORDER)],
            default=Value(-1),
            output_field=IntegerField(),
        ),
        open_problems=_problem_count(Problem.objects.open()),
        overdue_problems=_problem_count(Problem.objects.overdue(today)),
    )


def problem_counts(projects: Iterable[Project], *, today: dt.date) -> tuple[int, int]:
    """(open, overdue) problems over prefetched `project.problems`."""
    problems = [p for project in projects for p in project.problems.all()]
    open_count = sum(1 for p in problems if p.resolved_on is None)
    overdue_count = sum(1 for p in problems if p.is_overdue(today))
    return open_count, overdue_count


@dataclass(frozen=True)
class GroupSummary:
    group: ProjectGroup
    projects: Sequence[Project]
    items: Sequence[ledger.Item]
    rates: list[ledger.StageRate]
    investment: ledger.InvestmentCompletion
    open_problems: int
    overdue_problems: int
    # The number of items when they were counted in the database and not loaded (`items` empty).
    counted: int | None = None

    @property
    def item_count(self) -> int:
        return self.counted if self.counted is not None else len(self.items)

    @property
    def stated_count(self) -> int | None:
        return self.group.stated_count

    @property
    def ledger_short(self) -> bool:
        """The plan states more items than the ledger holds."""
        return self.stated_count is not None and self.item_count < self.stated_count

    @property
    def labelled_rates(self) -> list[tuple[str, ledger.StageRate]]:
        """(开工率 …, rate) of the rates that apply to the group, in 四比四看 order."""
        return [(RATE_LABELS[rate.stage], rate) for rate in self.rates]

    @property
    def rate_cells(self) -> list[tuple[str, ledger.StageRate | None]]:
        """(label, rate or None where it does not apply) for every rate column of a table."""
        by_stage = {rate.stage: rate for rate in self.rates}
        return [(label, by_stage.get(stage)) for stage, label in RATE_LABELS.items()]


def rate_note(rate: ledger.StageRate | None) -> str:
    """What a stage rate rests on, in words, as templates/projects/_rate.html prints it ("" for a
    rate over the whole ledger): for the workbook, where the number and its note sit apart."""
    if rate is None:
        return gettext("不适用")
    k, m, u, c = rate.registered, rate.stated, rate.unknown, rate.known
    if rate.basis == ledger.UNREGISTERED:
        return gettext("台账未录入(文件所述 %(m)s 项)") % {"m": m} if m is not None else gettext("台账未录入")
    if rate.basis == ledger.STAGE_UNKNOWN:
        if m is None:
            return gettext("阶段未知(台账 %(k)s 项)") % {"k": k}
        return gettext("阶段未知(台账已录入 %(k)s 项 / 文件所述 %(m)s 项)") % {"k": k, "m": m}
    if rate.basis == ledger.PARTIAL:
        if m is None:
            return gettext("台账 %(k)s 项,其中 %(u)s 项阶段未知;比率只按阶段已知的 %(c)s 项计算") % {
                "k": k,
                "u": u,
                "c": c,
            }
        if u:
            return gettext(
                "台账已录入 %(k)s 项 / 文件所述 %(m)s 项,其中 %(u)s 项阶段未知;"
                "比率只按阶段已知的 %(c)s 项计算"
            ) % {"k": k, "m": m, "u": u, "c": c}
        return gettext("台账已录入 %(k)s 项 / 文件所述 %(m)s 项,比率只按已录入项目计算") % {"k": k, "m": m}
    if rate.basis == ledger.DOCUMENT:
        document = rate.document
        as_of = gettext("截至 %(date)s") % {"date": f"{document.as_of:%Y-%m-%d}"}
        return f"{gettext('文件所述')}{pgettext('label colon', ':')}{document.text}({as_of})"
    return ""


def rate_headers() -> list[str]:
    """The stage-rate column headings of group tables, in 四比四看 order."""
    return list(RATE_LABELS.values())


def documented_counts(group: ProjectGroup, *, as_of: dt.date | None) -> dict[str, ledger.DocumentedCount]:
    """Per stage, the latest count a document states for the group on or before `as_of`.

    Reads `group.stated_stage_counts` (prefetched by `groups_with_projects`). A statement dated
    after `as_of` was not yet made: it is left out (None: every statement counts).
    """
    found: dict[str, ledger.DocumentedCount] = {}
    for stated in sorted(group.stated_stage_counts.all(), key=lambda s: s.as_of):
        if as_of is None or stated.as_of <= as_of:
            found[stated.stage] = ledger.DocumentedCount(
                count=stated.count, as_of=stated.as_of, text=stated.source_text
            )
    return found


def summarize_group(
    group: ProjectGroup, projects: Sequence[Project], *, today: dt.date, as_of: dt.date | None = None
) -> GroupSummary:
    """Stage rates (with the group's stated and documented counts), investment and problem counts.

    `today` decides which problems are overdue; `as_of` which document statements count.
    """
    items = [item_for(project) for project in projects]
    open_count, overdue_count = problem_counts(projects, today=today)
    return GroupSummary(
        group=group,
        projects=projects,
        items=items,
        rates=ledger.stage_rates(
            items,
            stated_count=group.stated_count,
            documented=documented_counts(group, as_of=as_of),
            stages=group.rate_stages,
        ),
        investment=ledger.investment_completion(items),
        open_problems=open_count,
        overdue_problems=overdue_count,
    )


def completed_investment_subquery(target_ref: str, *, as_of: dt.date) -> QuerySet[Figure]:
    """The value `completed_investment` reads, as a subquery: the latest approved figure with a
    value of a month ended by `as_of`, of the investment target `target_ref` names in the outer
    query.

    By the investment target's id (joined in the outer query), so each lookup walks the
    (target, month) index instead of every approved figure.
    """
    return (
        Figure.objects.filter(
            target=OuterRef(target_ref),
            status=Figure.Status.APPROVED,
            month__lte=last_closed_month(as_of),
            value__isnull=False,
        )
        .order_by("-month")
        .values("value")[:1]
    )


def annotate_for_table(projects: QuerySet[Project], *, as_of: dt.date, today: dt.date) -> QuerySet[Project]:
    """What a row of the group page shows, in the rows' own query: `completed` (the completed
    investment, as `completed_investment` reads it), `open_problems` and `overdue_problems`;
    with the responsible unit. Only the rows fetched (a page) are looked up."""
    return projects.select_related("responsible_unit").annotate(
        completed=Subquery(completed_investment_subquery("investment_target", as_of=as_of)),
        open_problems=_problem_count(Problem.objects.open()),
        overdue_problems=_problem_count(Problem.objects.overdue(today)),
    )


def group_summary(group: ProjectGroup, *, today: dt.date, as_of: dt.date) -> GroupSummary:
    """`summarize_group` over all the group's projects, counted and summed in the database.

    Equal to `summarize_group(group, list(with_investment(group.projects.all(), as_of=as_of)),
    today=today, as_of=as_of)` except that `projects` and `items` are empty (`counted` holds their
    number): one query, whatever the number of projects. Reads `group.stated_stage_counts`
    (prefetch it). The same arithmetic (`ledger.rate_from_counts`, `ledger.investment_from_totals`)
    over the counts: per rate stage, the projects whose stage is that one or a later one.
    """
    totals = (
        Project.objects.filter(groups=group)
        .annotate(
            completed=Subquery(completed_investment_subquery("investment_target", as_of=as_of)),
            open_problems=_problem_count(Problem.objects.open()),
            overdue_problems=_problem_count(Problem.objects.overdue(today)),
        )
        .order_by()
        .aggregate(
            **_project_totals(group.rate_stages),
            open_sum=Sum("open_problems"),
            overdue_sum=Sum("overdue_problems"),
        )
    )
    return _summary_from_totals(group, totals, as_of=as_of)


def _project_totals(stages) -> dict:
    """What a group summary counts and sums over projects annotated with `completed`: how many are
    registered and how many have a known stage, the annual planned investment and the completed
    investment of those with a plan, and per stage how many are at it or a later one."""
    has_plan = Q(annual_planned_investment__isnull=False)
    return {
        "registered": Count("pk"),
        "known": Count("pk", filter=~Q(stage="")),
        "planned": Sum("annual_planned_investment", filter=has_plan),
        "with_plan": Count("pk", filter=has_plan),
        "completed_sum": Sum("completed", filter=has_plan),
    } | {
        f"reached_{stage}": Count("pk", filter=Q(stage__in=ledger.STAGES[ledger.STAGES.index(stage) :]))
        for stage in stages
    }


def _summary_from_totals(group: ProjectGroup, totals: dict, *, as_of: dt.date) -> GroupSummary:
    """A group's summary from the counts and sums of its projects (`group_summary`'s aggregate)."""
    documented = documented_counts(group, as_of=as_of)
    return GroupSummary(
        group=group,
        projects=(),
        items=(),
        rates=[
            ledger.rate_from_counts(
                stage,
                registered=totals["registered"],
                known=totals["known"],
                reached=totals[f"reached_{stage}"],
                stated_count=group.stated_count,
                documented=documented.get(stage),
            )
            for stage in group.rate_stages
        ],
        investment=ledger.investment_from_totals(
            completed=totals["completed_sum"], planned=totals["planned"], items_with_plan=totals["with_plan"]
        ),
        open_problems=totals["open_sum"] or 0,
        overdue_problems=totals["overdue_sum"] or 0,
        counted=totals["registered"],
    )


def groups_with_projects(groups: QuerySet[ProjectGroup], *, as_of: dt.date) -> QuerySet[ProjectGroup]:
    """Groups with their key task, stated stage counts and projects (`with_investment`) in
    `group.ledger_projects`."""
    return groups.select_related("key_task").prefetch_related(
        "stated_stage_counts",
        Prefetch(
            "projects",
            queryset=with_investment(Project.objects.all(), as_of=as_of),
            to_attr="ledger_projects",
        ),
    )


def summarize_groups(
    groups: Iterable[ProjectGroup], *, today: dt.date, as_of: dt.date | None = None
) -> list[GroupSummary]:
    """One summary per group fetched with `groups_with_projects`."""
    return [summarize_group(group, group.ledger_projects, today=today, as_of=as_of) for group in groups]


def plan_group_summaries(plan, *, as_of: dt.date, today: dt.date) -> list[GroupSummary]:
    """`group_summary` of each project group of the plan, counted and summed in the database.

    Equal to `summarize_groups(groups_with_projects(...), today=today, as_of=as_of)` except that
    `projects` and `items` are empty (`counted` holds their number): two queries however many
    projects the groups hold. One counts and sums per group the projects (their stages, annual
    planned investment and completed investment, the latest approved figure with a value of a
    month ended by `as_of`, chosen by a subquery); one more counts the open and overdue problems
    per group (overdue: open with a deadline before `today`).
    """
    groups = list(plan.project_groups.select_related("key_task").prefetch_related("stated_stage_counts"))
    totals = {
        row["groups"]: row
        for row in Project.objects.filter(groups__plan=plan)
        .annotate(completed=Subquery(completed_investment_subquery("investment_target", as_of=as_of)))
        .values("groups")
        .annotate(**_project_totals(ledger.RATE_STAGES))
        .order_by()
    }
    problems = {
        row["project__groups"]: row
        for row in Problem.objects.filter(project__groups__plan=plan)
        .values("project__groups")
        .annotate(
            open_sum=Count("pk", filter=Q(resolved_on__isnull=True)),
            overdue_sum=Count("pk", filter=Q(resolved_on__isnull=True, due_by__lt=today)),
        )
        .order_by()
    }
    empty = {"registered": 0, "known": 0, "planned": None, "with_plan": 0, "completed_sum": None} | {
        f"reached_{stage}": 0 for stage in ledger.RATE_STAGES
    }
    no_problems = {"open_sum": 0, "overdue_sum": 0}
    return [
        _summary_from_totals(
            group, totals.get(group.pk, empty) | problems.get(group.pk, no_problems), as_of=as_of
        )
        for group in groups
    ]
