"""The ledger's changes move their plan's data version (the page cache's truth, `targets.signals`).

Projects and project groups belong to one plan; a problem shows on its project's plan, a stated
stage count on its group's; a project joining or leaving a group changes the group's counts.
"""

from targets.models import Plan
from targets.signals import watch, watch_relation

from .models import Problem, Project, ProjectGroup, StatedStageCount


def _own_plan(instance):
    return [instance.plan_id]


def _plans_of_problem(problem):
    return Plan.objects.filter(projects=problem.project_id).values_list("pk", flat=True)


def _plans_of_stated_count(count):
    return Plan.objects.filter(project_groups=count.group_id).values_list("pk", flat=True)


def connect() -> None:
    watch(Project, _own_plan)
    watch(ProjectGroup, _own_plan)
    watch(Problem, _plans_of_problem)
    watch(StatedStageCount, _plans_of_stated_count)
    watch_relation(Project.groups.through)
