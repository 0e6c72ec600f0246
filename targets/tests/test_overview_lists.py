"""The overview reads the same at any size of plan: its long lists show their worst or nearest rows,
then say how many there are and link to the whole list."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets import overview, progress
from targets.models import Plan, Target
from targets.tests.factories import make_user

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2021, 8, 31)


@pytest.fixture
def big_plan():
    call_command(GenerateScaleData(), plan_targets=[160], verbosity=0)
    return Plan.objects.get(district__startswith="合成区")


def assessed(plan):
    targets = Target.objects.for_plan(plan).for_dashboard(AS_OF)
    return progress.assess_targets(targets, as_of=AS_OF, thresholds=progress.thresholds_for(plan))


def test_the_attention_table_shows_the_worst_rows_and_counts_the_rest(client, big_plan):
    rows = assessed(big_plan)
    needing = sorted(
        (r for r in rows if progress.needs_attention(r)),
        key=lambda r: (-r.light_severity, r.target.deadline or big_plan.period_end, r.target.code),
    )
    assert len(needing) > overview.ATTENTION_ROWS
    client.force_login(make_user("viewer_big", districts=[big_plan.district]))
    response = client.get(reverse("targets:plan-detail", args=[big_plan.pk]), {"as_of": "2021-08-31"})
    assert response.status_code == 200
    shown = [row.target.code for row, _reason in response.context["attention"]]
    assert shown == [r.target.code for r in needing[: overview.ATTENTION_ROWS]]
    assert response.context["attention_total"] == len(needing)
    html = response.content.decode()
    assert f"共 {len(needing)} 项需要关注,此处按严重程度列出前 {overview.ATTENTION_ROWS} 项。" in html
    lights = "".join(f"&amp;light={v}" for v in sorted(light.value for light in progress.ATTENTION))
    assert f"{reverse('targets:target-list', args=[big_plan.pk])}?as_of=2021-08-31{lights}" in html


def test_due_soon_shows_the_nearest_rows_and_counts_the_rest(client, big_plan):
    due = overview.due_soon(assessed(big_plan), as_of=AS_OF)
    assert len(due) > overview.DUE_SOON_ROWS
    client.force_login(make_user("viewer_big", districts=[big_plan.district]))
    response = client.get(reverse("targets:plan-detail", args=[big_plan.pk]), {"as_of": "2021-08-31"})
    assert [item.row.target.code for item in response.context["due_soon"]] == [
        item.row.target.code for item in due[: overview.DUE_SOON_ROWS]
    ]
    html = response.content.decode()
    assert f"共 {len(due)} 项,此处列出最近的 {overview.DUE_SOON_ROWS} 项。" in html
    assert "deadline_before=2021-10-30" in html


def test_a_short_plan_lists_everything_without_a_count_line(client):
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    client.force_login(make_user("viewer_seed"))
    response = client.get(reverse("targets:plan-detail", args=[plan.pk]), {"as_of": "2020-06-30"})
    assert response.context["attention_total"] == len(response.context["attention"])
    assert "attention-more" not in response.content.decode()
