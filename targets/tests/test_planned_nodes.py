"""Planned nodes (计划节点) in the target's admin grid: checked together, then followed by the verdict."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from entry.roles import ADMIN, assign_role
from targets import rules
from targets.models import PlannedValue

from .factories import make_figure, make_target, make_user

pytestmark = pytest.mark.django_db


def change_form_data(client, target, nodes):
    """The target's admin form as the page fills it, with `nodes` in the planned-value grid."""
    url = reverse("admin:targets_target_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    prefix = "planned_values"
    data |= {
        f"{prefix}-TOTAL_FORMS": str(len(nodes)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (month, value) in enumerate(nodes):
        data[f"{prefix}-{i}-month"] = month
        data[f"{prefix}-{i}-value"] = value
        data[f"{prefix}-{i}-target"] = target.pk
    return url, data


@pytest.fixture
def admin_client():
    user = make_user("chief", is_staff=True)
    assign_role(user, ADMIN)
    client = Client()
    client.force_login(user)
    return client


def test_nodes_that_go_backwards_are_refused_and_nothing_is_saved(admin_client, task):
    roads = make_target(task, "6-10", goal=Decimal("37"))
    url, data = change_form_data(
        admin_client, roads, [("2020-06-01", "12"), ("2020-09-01", "10"), ("2020-12-01", "37")]
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "累计目标的计划节点不能倒退:2020-09 的 10 比上一节点的 12 更远离目标。" in response.content.decode()
    )
    assert PlannedValue.objects.count() == 0


def test_nodes_are_saved_and_the_verdict_follows_them(admin_client, viewer_client, task):
    roads = make_target(task, "6-10", goal=Decimal("37"))
    make_figure(roads, dt.date(2020, 6, 1), 3)
    url, data = change_form_data(
        admin_client, roads, [("2020-06-01", "3"), ("2020-09-01", "10"), ("2020-12-01", "37")]
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert list(PlannedValue.objects.values_list("month", "value")) == [
        (dt.date(2020, 6, 1), Decimal("3")),
        (dt.date(2020, 9, 1), Decimal("10")),
        (dt.date(2020, 12, 1), Decimal("37")),
    ]
    page = viewer_client.get(reverse("targets:target-detail", args=[roads.pk]), {"as_of": "2020-06"})
    # 3 of 37 in June is on the plan's own path (−41.5 points on a straight line).
    assessment = page.context["assessment"]
    assert (assessment.light, assessment.expected, assessment.gap) == (
        rules.Light.ON_TRACK,
        Decimal("3.00"),
        Decimal("0.0"),
    )
    html = page.content.decode()
    assert "序时进度按计划节点计算" in html
    assert page.context["chart"].table.columns == [
        "日期",
        "序时进度",
        "实际(已审核)",
        "计划节点",
        "按近期趋势预计",
    ]
