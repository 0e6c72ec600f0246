"""The bulletin's project-group summaries come from rows aggregated in the database.

They must equal, number for number, what `projects.summary.summarize_groups` computes from the
projects and their figures as model objects, without building those objects.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models.signals import post_init

from projects import summary as project_summary
from projects.models import Project, ProjectGroup
from reports.bulletin import _group_summaries, as_of_for
from targets.models import Figure, Plan

pytestmark = pytest.mark.django_db


def summary_numbers(s: project_summary.GroupSummary):
    return (
        s.group.pk,
        s.item_count,
        s.stated_count,
        s.rates,
        s.investment,
        s.open_problems,
        s.overdue_problems,
    )


@pytest.mark.parametrize("month", [dt.date(2020, 3, 1), dt.date(2020, 6, 1), dt.date(2020, 12, 1)])
def test_group_summaries_equal_the_model_arithmetic_on_the_seed(month):
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    as_of = as_of_for(plan, month)
    # Investment figures of more than one month, and a later one without a value for one project.
    project = Project.objects.filter(plan=plan, investment_target__isnull=False).order_by("pk").first()
    if project is not None:
        target = project.investment_target
        for m, value in ((dt.date(2020, 2, 1), Decimal("1.5")), (dt.date(2020, 4, 1), Decimal("2.5"))):
            Figure.objects.update_or_create(
                target=target, month=m, defaults={"value": value, "status": Figure.Status.APPROVED}
            )
    groups = project_summary.groups_with_projects(plan.project_groups.all(), as_of=as_of)
    expected = project_summary.summarize_groups(groups, today=as_of, as_of=as_of)
    assert len(expected) == ProjectGroup.objects.filter(plan=plan).count() > 0
    assert sum(s.item_count for s in expected) > 0

    made = []

    def count(sender, **kwargs):
        made.append(sender.__name__)

    post_init.connect(count, weak=False, dispatch_uid="test-count")
    try:
        found = _group_summaries(plan, as_of=as_of)
    finally:
        post_init.disconnect(dispatch_uid="test-count")
    assert [summary_numbers(s) for s in found] == [summary_numbers(s) for s in expected]
    # Only the groups (and their key tasks and stated counts) are model objects; no project or figure.
    assert "Project" not in made and "Figure" not in made and "Target" not in made
