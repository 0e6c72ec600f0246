"""The group list's summaries, aggregated in the database, equal the model arithmetic.

`summary.plan_group_summaries` (the group list and the bulletin) must give, number for number,
what `summarize_groups` computes from the projects, their figures and problems as model objects,
with problems overdue as of `today` (the group list) even when the page's as-of date is earlier.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from projects import summary
from projects.models import Problem, Project
from targets.models import Figure, Plan

pytestmark = pytest.mark.django_db


def numbers(s: summary.GroupSummary):
    return (
        s.group.pk,
        s.item_count,
        s.stated_count,
        s.rates,
        s.investment,
        s.open_problems,
        s.overdue_problems,
    )


def plans() -> list[Plan]:
    call_command("load_seed", verbosity=0)
    call_command(GenerateScaleData(), districts=1, years=1, targets=12, projects=40, units=4, verbosity=0)
    return list(Plan.objects.order_by("pk"))


@pytest.mark.parametrize(
    ("as_of", "today"),
    [(dt.date(2020, 6, 30), dt.date(2020, 6, 30)), (dt.date(2020, 3, 31), dt.date(2020, 11, 15))],
)
def test_plan_group_summaries_equal_the_model_arithmetic(as_of, today):
    for plan in plans():
        shift = dt.timedelta(days=365 * (plan.year - 2020))
        as_of_p, today_p = as_of + shift, today + shift
        project = Project.objects.filter(plan=plan, investment_target__isnull=False).order_by("pk").first()
        if project is not None:
            for m, value in ((as_of_p.replace(day=1) - dt.timedelta(days=40), Decimal("1.5")),):
                Figure.objects.update_or_create(
                    target=project.investment_target,
                    month=m.replace(day=1),
                    defaults={"value": value, "status": Figure.Status.APPROVED},
                )
        grouped = Project.objects.filter(plan=plan, groups__isnull=False).order_by("pk").first()
        Problem.objects.create(
            project=grouped,
            description="逾期测试",
            raised_on=as_of_p - dt.timedelta(days=30),
            due_by=today_p - dt.timedelta(days=1),
        )
        groups = summary.groups_with_projects(plan.project_groups.all(), as_of=as_of_p)
        expected = summary.summarize_groups(groups, today=today_p, as_of=as_of_p)
        found = summary.plan_group_summaries(plan, as_of=as_of_p, today=today_p)
        assert len(expected) > 0
        assert sum(s.overdue_problems for s in expected) > 0
        assert [numbers(s) for s in found] == [numbers(s) for s in expected]


def test_the_group_list_shows_the_aggregated_summaries(admin_client):
    for plan in plans():
        response = admin_client.get(reverse("projects:group-list", args=[plan.pk]))
        assert response.status_code == 200
        as_of = response.context["as_of"]
        groups = summary.groups_with_projects(plan.project_groups.all(), as_of=as_of)
        expected = summary.summarize_groups(groups, today=timezone.localdate(), as_of=as_of)
        assert [numbers(s) for s in response.context["summaries"]] == [numbers(s) for s in expected]
