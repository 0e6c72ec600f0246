"""Districts: several districts' plans side by side, each user seeing the districts it belongs to."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from projects.models import Project, ProjectGroup
from supervision.models import SupervisedItem
from targets.access import visible_plans
from targets.models import DistrictMembership, Plan

from .factories import make_figure, make_plan, make_target, make_task, make_unit, make_user

JUNE = dt.date(2020, 6, 1)


@pytest.fixture
def two_districts(db):
    """District A (甲区) and district B (乙区), each with a plan, a key task, a target and a project."""
    world = {}
    for key, district in (("a", "甲区"), ("b", "乙区")):
        plan = make_plan(district=district, title=f"{district}计划")
        task = make_task(plan, 1, title=f"{district}重点工作")
        unit = make_unit(f"{district}单位")
        target = make_target(task, "1-01", name=f"{district}目标", units=[unit])
        make_figure(target, JUNE, 40)
        group = ProjectGroup.objects.create(plan=plan, name=f"{district}分组", key_task=task)
        project = Project.objects.create(
            plan=plan, name=f"{district}项目", key_task=task, responsible_unit=unit
        )
        project.groups.set([group])
        item = SupervisedItem.objects.create(
            plan=plan,
            key_task=task,
            code="1",
            title=f"{district}督查事项",
            source_text="原文。",
            lead_unit=unit,
            due_date=dt.date(2020, 12, 31),
        )
        world[key] = {
            "plan": plan,
            "task": task,
            "unit": unit,
            "target": target,
            "group": group,
            "project": project,
            "item": item,
        }
    return world


def _client(client, user):
    client.force_login(user)
    return client


def _urls(objects) -> dict[str, str]:
    plan = objects["plan"].pk
    return {
        "overview": reverse("targets:plan-detail", args=[plan]),
        "all targets": reverse("targets:target-list", args=[plan]),
        "indicators": reverse("targets:indicator-list", args=[plan]),
        "key task": reverse("targets:keytask-detail", args=[objects["task"].pk]),
        "target": reverse("targets:target-detail", args=[objects["target"].pk]),
        "projects": reverse("projects:project-list", args=[plan]),
        "groups": reverse("projects:group-list", args=[plan]),
        "group": reverse("projects:group-detail", args=[objects["group"].pk]),
        "project": reverse("projects:project-detail", args=[objects["project"].pk]),
        "bulletin": reverse("reports:bulletin", args=[plan]) + "?month=2020-06",
        "bulletin xlsx": reverse("reports:bulletin-xlsx", args=[plan]) + "?month=2020-06",
        "bulletin pdf": reverse("reports:bulletin-pdf", args=[plan]) + "?month=2020-06",
        "supervision list": reverse("supervision:item-list", args=[plan]),
        "supervision item": objects["item"].get_absolute_url(),
    }


@pytest.fixture
def no_pdf(monkeypatch):
    # The PDF's rendering (Chromium) is not what these tests are about.
    monkeypatch.setattr("reports.documents.pdf_bytes", lambda bulletin: b"%PDF-1.4 test")


@pytest.mark.parametrize("role", [VIEWER, REVIEWER])
def test_a_member_of_district_a_gets_404_for_every_page_of_district_b(client, two_districts, no_pdf, role):
    user = make_user("a_user", districts=["甲区"])
    assign_role(user, role)
    client = _client(client, user)
    own, other = _urls(two_districts["a"]), _urls(two_districts["b"])
    assert {name: client.get(url).status_code for name, url in own.items()} == dict.fromkeys(own, 200)
    assert {name: client.get(url).status_code for name, url in other.items()} == dict.fromkeys(other, 404)
    # Our 404 page, not Django's.
    assert "乙区" not in client.get(other["overview"]).content.decode()


def test_the_plan_list_shows_only_the_users_districts(client, two_districts):
    client = _client(client, make_user("a_viewer", districts=["甲区"]))
    response = client.get(reverse("targets:plan-list"))
    assert [p.district for p in response.context["plans"]] == ["甲区"]
    html = response.content.decode()
    assert "甲区计划" in html and "乙区计划" not in html
    # One plan: the log-in lands on it.
    assert client.get("/")["Location"] == two_districts["a"]["plan"].get_absolute_url()


def test_a_user_of_both_districts_sees_both(client, two_districts):
    client = _client(client, make_user("both", districts=["甲区", "乙区"]))
    plans = client.get(reverse("targets:plan-list")).context["plans"]
    assert sorted(p.district for p in plans) == ["乙区", "甲区"]
    assert client.get(_urls(two_districts["b"])["target"]).status_code == 200


@pytest.mark.parametrize("role", [VIEWER, REPORTER, REVIEWER])
def test_a_user_without_a_district_sees_no_plan_and_is_told_whom_to_ask(client, two_districts, role):
    user = make_user("nobody", districts=[])
    assign_role(user, role)
    client = _client(client, user)
    response = client.get(reverse("targets:plan-list"))
    assert list(response.context["plans"]) == []
    html = response.content.decode()
    assert 'id="no-district"' in html
    assert "请联系系统管理员" in html
    assert client.get(_urls(two_districts["a"])["overview"]).status_code == 404
    assert client.get("/")["Location"] == reverse("targets:plan-list")


def test_the_admin_role_and_superusers_see_every_district(client, two_districts):
    admin = make_user("chief", districts=[])
    assign_role(admin, ADMIN)
    root = make_user("root", districts=[], is_superuser=True, is_staff=True)
    for user in (admin, root):
        client.force_login(user)
        plans = client.get(reverse("targets:plan-list")).context["plans"]
        assert sorted(p.district for p in plans) == ["乙区", "甲区"]
        assert client.get(_urls(two_districts["b"])["overview"]).status_code == 200


def test_an_inactive_user_sees_nothing(two_districts):
    user = make_user("gone", districts=["甲区"], is_active=False)
    assert list(visible_plans(user)) == []


def test_a_cached_page_of_district_b_is_not_served_to_district_a(client, two_districts, settings):
    settings.PAGE_CACHE_SECONDS = 60
    url = _urls(two_districts["b"])["overview"]
    client.force_login(make_user("b_viewer", districts=["乙区"]))
    assert client.get(url).status_code == 200  # now cached
    client.force_login(make_user("a_viewer", districts=["甲区"]))
    response = client.get(url)
    assert response.status_code == 404
    assert "乙区计划" not in response.content.decode()


def test_the_admin_permission_given_directly_also_shows_every_district(two_districts):
    user = make_user("direct", districts=["甲区"])
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="targets", codename="change_plan")
    )
    assert sorted(p.district for p in visible_plans(user)) == ["乙区", "甲区"]
    other = make_user("other", districts=["甲区"])  # the same permission of another user is not its own
    assert sorted(p.district for p in visible_plans(other)) == ["甲区"]


def test_visible_plans_is_one_query_for_every_role(two_districts):
    ContentType.objects.get_for_model(Plan)  # Django caches content types once per process
    for role in (VIEWER, REPORTER, REVIEWER, ADMIN):
        user = make_user(f"u_{role}", districts=["甲区"])
        assign_role(user, role)
        user = type(user).objects.get(pk=user.pk)  # no permission cache
        with CaptureQueriesContext(connection) as queries:
            districts = sorted(p.district for p in visible_plans(user))
        assert len(queries) == 1
        assert districts == (["乙区", "甲区"] if role == ADMIN else ["甲区"])


def test_local_accounts_belong_to_the_seed_district(db, capsys):
    call_command("create_local_accounts")
    memberships = sorted(DistrictMembership.objects.values_list("user__username", "district"))
    assert memberships == [("reviewer", "中原区"), ("viewer", "中原区")]
    # An older viewer without a district is given it on the next run; nothing is doubled.
    DistrictMembership.objects.filter(user__username="viewer").delete()
    call_command("create_local_accounts")
    memberships = sorted(DistrictMembership.objects.values_list("user__username", "district"))
    assert memberships == [("reviewer", "中原区"), ("viewer", "中原区")]
