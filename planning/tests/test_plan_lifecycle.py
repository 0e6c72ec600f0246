"""A plan's status (草稿 → 执行中 → 已归档), an archived plan refusing figures, next year's copy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from entry import write as entry
from targets.models import Figure, Plan, Target
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit
from targets.tests.world import db_fingerprint


@pytest.fixture
def plan(db):
    plan = make_plan()
    task = make_task(plan, 6, title="高标准做好双改工作", headline="力争年底前37条道路建成通车")
    unit = make_unit("区城建局")
    roads = make_target(task, "6-10", units=[unit])
    roads.goal, roads.unit_of_measure, roads.commitment, roads.lead_official = (
        Decimal(37),
        "条",
        "stretch",
        "王五",
    )
    roads.deadline = dt.date(2020, 12, 31)
    roads.save()
    make_figure(roads, dt.date(2020, 6, 1), 12)
    make_target(task, "6-11", kind="milestone", goal=None, deadline=dt.date(2020, 2, 29))
    return plan


def test_status_moves_forward_one_step_only(chief_client, plan):
    url = reverse("planning:plan-status", args=[plan.pk])
    assert plan.status == "active"
    before = db_fingerprint()
    for wrong in ("draft", "active", "", "closed"):
        response = chief_client.post(url, {"status": wrong})
        assert response.status_code == 400
        assert response.context["errors"] == ["计划状态只能按 草稿 → 执行中 → 已归档 的顺序前进一步。"]
    assert db_fingerprint() == before
    assert chief_client.post(url, {"status": "archived"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "archived"
    assert chief_client.post(url, {"status": "active"}).status_code == 400
    plan.refresh_from_db()
    assert plan.status == "archived"


def test_an_archived_plan_refuses_figures(plan, chief):
    target = Target.objects.get(code="6-10")
    new = entry.Entry(target=target, month=dt.date(2020, 7, 1), value=Decimal(20))
    assert entry.check_entries([new], user=chief, today=dt.date(2020, 8, 2))[0].ok
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ARCHIVED)
    target = Target.objects.get(code="6-10")
    new = entry.Entry(target=target, month=dt.date(2020, 7, 1), value=Decimal(20))
    checks = entry.check_entries([new], user=chief, today=dt.date(2020, 8, 2))
    assert checks[0].errors == {"__all__": "该计划已归档,不能再填报或修改数据。"}
    before = db_fingerprint()
    with pytest.raises(entry.EntriesRejected):
        entry.save_entries([new], user=chief)
    assert db_fingerprint() == before
    assert Figure.objects.filter(target=target).count() == 1


def test_next_year_copy_keeps_tasks_targets_units_leaders_and_no_figures(chief_client, plan):
    response = chief_client.post(
        reverse("planning:plan-copy", args=[plan.pk]), {"year": "2021", "title": "2021年重点工作"}
    )
    assert response.status_code == 302
    new = Plan.objects.get(district=plan.district, year=2021)
    assert response["Location"] == reverse("planning:plan-setup", args=[new.pk])
    assert (new.status, new.title, new.period_start, new.period_end) == (
        "draft",
        "2021年重点工作",
        dt.date(2021, 1, 1),
        dt.date(2021, 12, 31),
    )
    assert list(new.key_tasks.values_list("number", "title", "headline")) == [
        (6, "高标准做好双改工作", "力争年底前37条道路建成通车")
    ]
    copied = {t.code: t for t in Target.objects.filter(key_task__plan=new)}
    roads = copied["6-10"]
    assert (roads.goal, roads.unit_of_measure, roads.commitment, roads.lead_official, roads.deadline) == (
        Decimal("37.00"),
        "条",
        "stretch",
        "王五",
        dt.date(2021, 12, 31),
    )
    assert [u.name for u in roads.responsible_units.all()] == ["区城建局"]
    assert copied["6-11"].deadline == dt.date(2021, 2, 28)  # 29 February has no 2021
    assert not Figure.objects.filter(target__key_task__plan=new).exists()
    assert Figure.objects.filter(target__key_task__plan=plan).count() == 1
    # The same year again is refused, with nothing written.
    before = db_fingerprint()
    again = chief_client.post(reverse("planning:plan-copy", args=[plan.pk]), {"year": "2021", "title": "x"})
    assert again.status_code == 400
    assert again.context["copy_form"].errors["year"] == ["测试区 2021 年的计划已存在。"]
    assert db_fingerprint() == before


def test_the_setup_page(chief_client, plan):
    page = chief_client.get(reverse("planning:plan-setup", args=[plan.pk]))
    assert page.status_code == 200
    assert (page.context["task_count"], page.context["target_count"], page.context["next_status"]) == (
        1,
        2,
        "archived",
    )
    assert page.context["copy_form"].initial == {"year": 2021, "title": plan.title.replace("2020", "2021")}


def test_the_plan_list_links_to_set_up_for_plan_admins_only(chief_client, plan, viewer):
    html = chief_client.get(reverse("targets:plan-list")).content.decode()
    assert f'href="{reverse("planning:plan-setup", args=[plan.pk])}"' in html
    assert f'href="{reverse("planning:draft-start")}"' in html
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    viewer_client = Client()
    viewer_client.force_login(viewer)
    html = viewer_client.get(reverse("targets:plan-list")).content.decode()
    assert "(草稿)" in html
    assert "/planning/" not in html
