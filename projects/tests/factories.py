"""Small builders for ledger tests: each returns a saved object with sensible defaults."""

import datetime as dt
from decimal import Decimal

from projects.models import Problem, Project, ProjectGroup
from targets.models import Figure, KeyTask, Plan, Target
from targets.tests.factories import make_figure, make_target


def make_group(plan: Plan, name: str = "计划开工项目", **kwargs) -> ProjectGroup:
    return ProjectGroup.objects.create(plan=plan, name=name, **kwargs)


def make_project(plan: Plan, name: str, *, groups=(), **kwargs) -> Project:
    for field in ("total_investment", "annual_planned_investment"):
        if kwargs.get(field) is not None:
            kwargs[field] = Decimal(str(kwargs[field]))
    project = Project.objects.create(plan=plan, name=name, **kwargs)
    project.groups.set(groups)
    return project


def make_problem(project: Project, description: str = "征地未完成", **kwargs) -> Problem:
    defaults = {"raised_on": dt.date(2020, 3, 1)}
    return Problem.objects.create(project=project, description=description, **(defaults | kwargs))


def make_investment(
    project: Project, task: KeyTask, figures: dict[dt.date, object], **kwargs
) -> tuple[Target, list[Figure]]:
    """The project's investment target with approved year-to-date figures (亿元) by month."""
    goal = project.annual_planned_investment or Decimal("1")
    target = make_target(
        task,
        kwargs.pop("code", f"P-{project.pk}"),
        name=f"{project.name}年度投资",
        unit_of_measure="亿元",
        goal=goal,
        project=project,
        **kwargs,
    )
    return target, [make_figure(target, month, value) for month, value in figures.items()]
