"""The task × unit matrix and a unit's page (supervision/matrix.py)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from entry.roles import REVIEWER, assign_role
from projects.models import Project
from supervision import matrix
from supervision.models import State, SupervisedItem
from targets.models import Plan, Target, Unit
from targets.tests.factories import make_figure, make_target, make_unit, make_user


@pytest.fixture
def world(people, item):
    """The conftest item (2.1, no unit yet) with two targets of its task and a closed item."""
    plan, task = item.plan, item.key_task
    unit_a, unit_b = Unit.objects.get(name="甲单位"), Unit.objects.get(name="乙单位")
    unit_c = make_unit("丙单位")  # the plan's district, in use nowhere yet
    elsewhere = make_unit("别区单位", district="别区")
    target_a = make_target(task, "2-01", units=[unit_a])
    target_none = make_target(task, "2-02")
    closed = SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="2.2",
        title="做实平台",
        source_text="做实平台。",
        due_date=dt.date(2020, 12, 31),
        lead_unit=unit_b,
        state=State.CLOSED,
    )
    return {
        "plan": plan,
        "item": item,
        "closed": closed,
        "unit_a": unit_a,
        "unit_b": unit_b,
        "unit_c": unit_c,
        "elsewhere": elsewhere,
        "target_a": target_a,
        "target_none": target_none,
        **people,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world, query=""):
    return reverse("supervision:matrix", args=[world["plan"].pk]) + query


def stamp(plan):
    return matrix._stamp(matrix._state(matrix._targets(plan), matrix._items(plan)))


def version(plan) -> int:
    return Plan.objects.get(pk=plan.pk).data_version


def units_of(target) -> list[str]:
    return sorted(u.name for u in Target.objects.get(pk=target.pk).responsible_units.all())


def test_the_matrix_shows_the_units_in_use_and_the_district_s_others_to_add(world):
    response = client_for(world["reviewer"]).get(url(world))
    assert response.status_code == 200
    assert [u.name for u in response.context["columns"]] == ["乙单位", "甲单位"]
    # The chooser offers the district's units not in use; another district's unit never.
    assert [u.name for u in response.context["others"]] == ["丙单位"]
    (block,) = response.context["blocks"]
    assert [row.key for row in block.rows] == [
        f"t-{world['target_a'].pk}",
        f"t-{world['target_none'].pk}",
        f"i-{world['item'].pk}",
        f"i-{world['closed'].pk}",
    ]
    assert [row.locked for row in block.rows] == [False, False, False, True]
    # Target 2-01 is unit A's; the closed item is led by unit B.
    assert [c.on for c in block.rows[0].cells] == [False, True]
    assert [c.lead for c in block.rows[3].cells] == [True, False]


def test_a_column_is_added_from_the_chooser_and_another_district_s_unit_is_refused(world):
    client = client_for(world["reviewer"])
    response = client.get(url(world, f"?add={world['unit_c'].pk}"))
    assert [u.name for u in response.context["columns"]] == ["乙单位", "甲单位", "丙单位"]
    assert response.context["others"] == []
    refused = client.get(url(world, f"?add={world['elsewhere'].pk}"))
    assert refused.status_code == 400
    assert refused.context["message"] == "单位“别区单位”不属于测试区,不能加入本计划的分派表。"
    assert client.get(url(world, "?add=x")).status_code == 400


def test_one_post_saves_every_change_and_moves_the_version_once(world, django_capture_on_commit_callbacks):
    plan, item = world["plan"], world["item"]
    a, b, c = (str(world[f"unit_{x}"].pk) for x in "abc")
    t_a, t_none = world["target_a"], world["target_none"]
    before = version(plan)
    data = {
        "stamp": stamp(plan),
        "col": [a, b, c],
        "row": [f"t-{t_a.pk}", f"t-{t_none.pk}", f"i-{item.pk}"],
        # 2-01: unit A off, unit C on; 2-02: units A and B; item 2.1: led by C with A as co-unit.
        f"t-{t_a.pk}": [c],
        f"t-{t_none.pk}": [a, b],
        f"lead-i-{item.pk}": c,
        f"i-{item.pk}": [a],
    }
    client = client_for(world["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world, f"?add={c}"), data)
    assert response.status_code == 302
    assert response["Location"] == url(world, f"?add={c}")
    assert units_of(t_a) == ["丙单位"]
    assert units_of(t_none) == ["乙单位", "甲单位"]
    item.refresh_from_db()
    assert item.lead_unit == world["unit_c"]
    assert [u.name for u in item.co_units.all()] == ["甲单位"]
    assert version(plan) == before + 1
    # Each change is in the history with who made it and what.
    record = t_a.history.latest()
    assert (record.history_user, record.history_change_reason) == (world["reviewer"], "责任单位:丙单位")
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["已保存:2 个目标、1 项督办事项的分派有变化。"]


def _snapshot(world):
    item = SupervisedItem.objects.get(pk=world["item"].pk)
    return (
        units_of(world["target_a"]),
        units_of(world["target_none"]),
        item.lead_unit_id,
        list(item.co_units.values_list("pk", flat=True)),
        version(world["plan"]),
    )


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("stale", 409, "分派表在您打开后已被修改,请刷新页面后重新勾选。"),
        ("foreign row", 400, "“t-999999”不是本计划的目标或督办事项。"),
        ("unit not a column", 400, "勾选的单位不在分派表的列中,请刷新页面后重新勾选。"),
        ("bad unit", 400, "单位参数无效:“x”。"),
        ("no rows", 400, "没有提交任何行,请从分派表页面提交。"),
        ("other district", 400, "单位“别区单位”属于别区,不能承担测试区的任务。"),
        ("closed item", 400, "督办事项“2.2 做实平台”已办结,不能再改派。"),
    ],
)
def test_bad_input_changes_nothing(world, case, status, message):
    plan = world["plan"]
    a, b = str(world["unit_a"].pk), str(world["unit_b"].pk)
    t_a, t_none, closed = world["target_a"], world["target_none"], world["closed"]
    data = {
        "stamp": stamp(plan),
        "col": [a, b],
        "row": [f"t-{t_a.pk}", f"t-{t_none.pk}"],
        f"t-{t_none.pk}": [b],
    }
    if case == "stale":
        data["stamp"] = "0" * 16
    elif case == "foreign row":
        data["row"].append("t-999999")
    elif case == "unit not a column":
        data[f"t-{t_none.pk}"] = [str(world["unit_c"].pk)]
    elif case == "bad unit":
        data["col"] = ["x"]
    elif case == "no rows":
        data["row"] = []
    elif case == "other district":
        # A unit of another district in use is shown (so it can be removed), never added.
        other = str(world["elsewhere"].pk)
        data["col"].append(other)
        data[f"t-{t_none.pk}"] = [other]
    elif case == "closed item":
        data["row"].append(f"i-{closed.pk}")
        data[f"lead-i-{closed.pk}"] = a
    before = _snapshot(world)
    response = client_for(world["reviewer"]).post(url(world), data)
    assert (response.status_code, response.context["message"]) == (status, message)
    assert _snapshot(world) == before


def test_viewers_read_the_matrix_reporters_do_not_see_it(world):
    viewer = client_for(world["viewer"])
    page = viewer.get(url(world))
    assert page.status_code == 200
    assert page.context["editable"] is False
    assert b'type="checkbox"' not in page.content
    before = _snapshot(world)
    assert viewer.post(url(world), {"stamp": stamp(world["plan"])}).status_code == 403
    assert client_for(world["rep_a"]).get(url(world)).status_code == 403
    assert client_for(world["rep_a"]).post(url(world), {}).status_code == 403
    assert _snapshot(world) == before


def test_a_reviewer_of_another_district_finds_no_matrix(world):
    outsider = make_user("outsider", districts=["别区"])
    assign_role(outsider, REVIEWER)
    assert client_for(outsider).get(url(world)).status_code == 404


# --- a unit's page ---------------------------------------------------------------------------------


def test_a_unit_s_page_lists_its_targets_with_verdicts_and_its_items(world):
    item = world["item"]
    item.lead_unit = world["unit_a"]
    item.state = State.ASSIGNED
    item.save()
    make_figure(world["target_a"], dt.date(2020, 5, 1), 50)
    Project.objects.create(
        plan=world["plan"], name="甲项目", responsible_unit=world["unit_a"], stage="started"
    )
    Project.objects.create(plan=world["plan"], name="乙项目", responsible_unit=world["unit_b"])
    response = client_for(world["reviewer"]).get(
        reverse("supervision:unit-detail", args=[world["unit_a"].pk])
    )
    assert response.status_code == 200
    (section,) = response.context["sections"]
    assert section.plan == world["plan"]
    assert [(r.target.code, r.latest_value) for r in section.targets] == [("2-01", 50)]
    assert section.targets[0].light.label
    assert [row.item.code for row in section.items] == ["2.1"]
    assert [u.username for u in response.context["members"]] == ["rep_a"]
    assert [(p.name, p.get_stage_display()) for p in section.projects] == [("甲项目", "开工")]
    # Another unit's reporter sees the targets (as on the progress pages), not unit A's items.
    other = client_for(world["rep_b"]).get(reverse("supervision:unit-detail", args=[world["unit_a"].pk]))
    (section,) = other.context["sections"]
    assert ([r.target.code for r in section.targets], section.items) == (["2-01"], [])
    assert other.context["members"] == []


def test_another_district_s_unit_page_is_not_there(world):
    response = client_for(world["reviewer"]).get(
        reverse("supervision:unit-detail", args=[world["elsewhere"].pk])
    )
    assert response.status_code == 404
