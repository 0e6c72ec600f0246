"""Assignment at scale in the admin, the reporter picker of units, and admin lists by district."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from projects.models import Project, StageChange
from supervision.models import SupervisedItem
from targets.admin import UnitAdminForm
from targets.models import Plan, Target

from .factories import make_figure, make_plan, make_target, make_task, make_unit, make_user


@pytest.fixture
def setup(db):
    users = {}
    for name, role, districts in (
        ("reviewer", REVIEWER, ["测试区"]),
        ("admin", ADMIN, []),
        ("rep_a", REPORTER, ["测试区"]),
        ("rep_far", REPORTER, ["别区"]),
        ("viewer", VIEWER, ["测试区"]),
        ("reviewer_b", REVIEWER, ["别区"]),
    ):
        users[name] = make_user(name, districts=districts)
        assign_role(users[name], role)
    plan = make_plan()
    task = make_task(plan, 1)
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    far_unit = make_unit("别区单位", district="别区")
    targets = [
        make_target(task, "1-01", units=[unit_a]),
        make_target(task, "1-02"),
        make_target(task, "1-03"),
    ]
    far_plan = make_plan(district="别区")
    far_task = make_task(far_plan, 1, title="别区工作")
    far_target = make_target(far_task, "9-01", units=[far_unit])
    return {
        **users,
        "plan": plan,
        "task": task,
        "unit_a": unit_a,
        "unit_b": unit_b,
        "far_unit": far_unit,
        "targets": targets,
        "far_plan": far_plan,
        "far_task": far_task,
        "far_target": far_target,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def units_of(target) -> list[str]:
    return sorted(Target.objects.get(pk=target.pk).responsible_units.values_list("name", flat=True))


def version(plan) -> int:
    return Plan.objects.get(pk=plan.pk).data_version


TARGETS = reverse("admin:targets_target_changelist")


def action_post(name, objects, **data):
    return {"action": name, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], "index": "0", **data}


def test_the_action_shows_its_form_with_the_district_s_units_first(setup):
    response = client_for(setup["reviewer"]).post(TARGETS, action_post("assign_units", setup["targets"][:2]))
    assert response.status_code == 200
    form = response.context["form"]
    assert [u.name for u in form.fields["units"].queryset.order_by("name")] == ["乙单位", "甲单位"]
    assert [str(o) for o in response.context["objects"]] == ["1-01 目标1-01", "1-02 目标1-02"]
    assert units_of(setup["targets"][0]) == ["甲单位"]


@pytest.mark.parametrize(
    ("mode", "unit", "expected", "changed"),
    [
        ("add", "unit_b", [["乙单位", "甲单位"], ["乙单位"]], 2),
        ("replace", "unit_b", [["乙单位"], ["乙单位"]], 2),
        ("remove", "unit_a", [[], []], 1),
        ("remove", "unit_b", [["甲单位"], []], 0),
    ],
)
def test_units_are_added_replaced_or_removed_and_the_version_moves_once(
    setup, mode, unit, expected, changed, django_capture_on_commit_callbacks
):
    first, second, third = setup["targets"]
    before = version(setup["plan"])
    client = client_for(setup["reviewer"])
    data = action_post("assign_units", [first, second], _assign="1", mode=mode, units=[setup[unit].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TARGETS, data)
    assert response.status_code == 302
    assert [units_of(first), units_of(second), units_of(third)] == [*expected, []]
    # One move for the whole action, none when nothing changed.
    assert version(setup["plan"]) == before + (1 if changed else 0)
    page = client.get(TARGETS)
    assert [str(m) for m in page.context["messages"]] == [f"已分派:{changed} 条有变化(共选 2 条)。"]


def test_a_unit_of_another_district_is_refused_and_nothing_changes(setup):
    first, second, _third = setup["targets"]
    before = version(setup["plan"])
    # Offered nowhere; and posted all the same, refused by the service (here: not a choice).
    data = action_post("assign_units", [first, second], _assign="1", mode="add", units=[setup["far_unit"].pk])
    response = client_for(setup["reviewer"]).post(TARGETS, data)
    assert response.status_code == 400
    assert "units" in response.context["form"].errors
    assert (units_of(first), units_of(second), version(setup["plan"])) == (["甲单位"], [], before)


def test_the_service_refuses_another_district_s_unit_with_the_reason(setup):
    from targets import assignment

    with pytest.raises(assignment.AssignmentRefused) as refused:
        assignment.assign_units(
            setup["targets"][:1], [setup["far_unit"]], mode=assignment.ADD, user=setup["reviewer"]
        )
    assert refused.value.problems == ["单位“别区单位”属于别区,不能承担测试区的任务。"]
    with pytest.raises(assignment.AssignmentRefused) as refused:
        assignment.assign_units(
            setup["targets"][:1], [setup["unit_b"]], mode=assignment.ADD, user=setup["rep_a"]
        )
    assert refused.value.problems == ["只有督查室(审核人)和管理员可以分派责任单位。"]
    assert units_of(setup["targets"][0]) == ["甲单位"]


def test_the_lead_official_is_set_on_every_selected_target(setup):
    first, _second, third = setup["targets"]
    data = action_post("assign_leader", [first, third], _assign="1", lead_official="  王副区长 ")
    assert client_for(setup["admin"]).post(TARGETS, data).status_code == 302
    names = list(
        Target.objects.filter(key_task=setup["task"]).order_by("code").values_list("lead_official", flat=True)
    )
    assert names == ["王副区长", "", "王副区长"]
    record = Target.objects.get(pk=first.pk).history.latest()
    assert record.history_change_reason == "分包领导:王副区长"


def test_rows_of_two_districts_are_not_assigned_together(setup):
    data = action_post(
        "assign_leader", [setup["targets"][0], setup["far_target"]], _assign="1", lead_official="王"
    )
    response = client_for(setup["admin"]).post(TARGETS, data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "所选条目属于多个区县(别区、测试区),请按区县分别分派。"
    ]
    assert list(Target.objects.exclude(lead_official="").values_list("code", flat=True)) == []


def test_reporters_have_no_assignment_action(setup):
    response = client_for(setup["rep_a"]).get(TARGETS)
    # No action at all for a reporter on the target list.
    assert response.context["action_form"] is None
    data = action_post(
        "assign_units", setup["targets"][1:2], _assign="1", mode="add", units=[setup["unit_a"].pk]
    )
    client_for(setup["rep_a"]).post(TARGETS, data)
    assert units_of(setup["targets"][1]) == []


# --- items in the admin -----------------------------------------------------------------------


@pytest.fixture
def items(setup):
    return [
        SupervisedItem.objects.create(
            plan=setup["plan"],
            key_task=setup["task"],
            code=f"1.{n}",
            title=f"举措{n}",
            source_text="原文。",
            due_date=dt.date(2020, 12, 31),
            state=state,
        )
        for n, state in ((1, "draft"), (2, "assigned"), (3, "closed"))
    ]


ITEMS = reverse("admin:supervision_superviseditem_changelist")


def test_lead_unit_co_units_and_leader_of_many_items(setup, items):
    client = client_for(setup["reviewer"])
    first, second, _closed = items
    a, b = setup["unit_a"], setup["unit_b"]
    assert (
        client.post(
            ITEMS, action_post("assign_lead_unit", [first, second], _assign="1", unit=a.pk)
        ).status_code
        == 302
    )
    data = action_post("assign_co_units", [first, second], _assign="1", mode="add", units=[a.pk, b.pk])
    assert client.post(ITEMS, data).status_code == 302
    data = action_post("assign_leader", [first], _assign="1", lead_official="李副区长", account="")
    assert client.post(ITEMS, data).status_code == 302
    rows = [
        (i.code, i.lead_unit.name, sorted(i.co_units.values_list("name", flat=True)), i.lead_official)
        for i in SupervisedItem.objects.filter(pk__in=[first.pk, second.pk]).order_by("code")
    ]
    # The lead unit is not kept as a co-unit too.
    assert rows == [("1.1", "甲单位", ["乙单位"], "李副区长"), ("1.2", "甲单位", ["乙单位"], "")]
    second.refresh_from_db()
    assert second.version == 2  # a step's form shown before the change is refused afterwards


def test_a_closed_item_is_not_reassigned(setup, items):
    _first, second, closed = items
    data = action_post("assign_lead_unit", [second, closed], _assign="1", unit=setup["unit_a"].pk)
    response = client_for(setup["reviewer"]).post(ITEMS, data)
    assert response.status_code == 400
    assert response.context["problems"] == ["督办事项“1.3 举措3”已办结,不能再改派。"]
    assert list(SupervisedItem.objects.exclude(lead_unit=None)) == []


def test_the_item_list_filters_by_task_state_and_unit(setup, items):
    items[1].co_units.add(setup["unit_b"])
    client = client_for(setup["reviewer"])
    response = client.get(ITEMS + f"?unit={setup['unit_b'].pk}")
    assert [i.code for i in response.context["cl"].result_list] == ["1.2"]
    response = client.get(ITEMS + "?state__exact=closed")
    assert [i.code for i in response.context["cl"].result_list] == ["1.3"]
    response = client.get(ITEMS + "?q=举措1")
    assert [i.code for i in response.context["cl"].result_list] == ["1.1"]


# --- the reporter picker ------------------------------------------------------------------------


def test_a_unit_s_reporters_are_chosen_among_its_district_s_reporters_only(setup):
    form = UnitAdminForm(instance=setup["unit_a"])
    assert [u.username for u in form.fields["members"].queryset] == ["rep_a"]
    data = {"name": "甲单位", "kind": "department", "district": "测试区", "source_text": ""}
    for members, ok in (([setup["rep_a"]], True), ([setup["viewer"]], False), ([setup["rep_far"]], False)):
        bound = UnitAdminForm({**data, "members": [u.pk for u in members]}, instance=setup["unit_a"])
        assert bound.is_valid() is ok, bound.errors
    response = client_for(setup["admin"]).get(reverse("admin:targets_unit_change", args=[setup["unit_a"].pk]))
    assert [u.username for u in response.context["adminform"].form.fields["members"].queryset] == ["rep_a"]


# --- admin lists by district --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changelist", "obj"),
    [
        ("targets_plan", "far_plan"),
        ("targets_keytask", "far_task"),
        ("targets_target", "far_target"),
        ("targets_unit", "far_unit"),
        ("targets_figure", "far_figure"),
        ("projects_project", "far_project"),
        ("projects_stagechange", "far_change"),
        ("supervision_superviseditem", "far_item"),
    ],
)
def test_a_reviewer_lists_and_opens_only_its_district_s_rows(setup, changelist, obj):
    far = {
        "far_figure": make_figure(setup["far_target"], dt.date(2020, 5, 1), 3),
        "far_project": Project.objects.create(plan=setup["far_plan"], name="别区项目"),
        "far_item": SupervisedItem.objects.create(
            plan=setup["far_plan"],
            key_task=setup["far_task"],
            code="9.1",
            title="别区举措",
            source_text="原文。",
            due_date=dt.date(2020, 12, 31),
        ),
    }
    far["far_change"] = StageChange.objects.create(
        project=far["far_project"],
        stage="started",
        reached_on=dt.date(2020, 5, 1),
        submitted_by=setup["admin"],
    )
    target = far.get(obj) or setup[obj]
    url = reverse(f"admin:{changelist}_changelist")
    listed = client_for(setup["reviewer"]).get(url)
    assert listed.status_code == 200
    assert target.pk not in [o.pk for o in listed.context["cl"].result_list]
    opened = client_for(setup["reviewer"]).get(reverse(f"admin:{changelist}_change", args=[target.pk]))
    assert (opened.status_code, opened["Location"]) == (302, reverse("admin:index"))
    # Its own district's reviewer lists it.
    own = client_for(setup["reviewer_b"]).get(url)
    assert target.pk in [o.pk for o in own.context["cl"].result_list]


def test_the_compliance_page_offers_and_opens_only_the_reviewer_s_district_plans(setup):
    client = client_for(setup["reviewer"])
    url = reverse("admin:targets_figure_compliance")
    page = client.get(url)
    assert (page.status_code, list(page.context["plans"]), page.context["plan"]) == (
        200,
        [setup["plan"]],
        setup["plan"],
    )
    refused = client.get(url + f"?plan={setup['far_plan'].pk}")
    assert (refused.status_code, refused.context["error"]) == (
        400,
        f"找不到编号为“{setup['far_plan'].pk}”的年度计划。",
    )


def test_only_a_draft_item_is_deleted_and_never_in_bulk(setup, items):
    draft, assigned, _closed = items
    client = client_for(setup["admin"])
    refused = client.post(
        reverse("admin:supervision_superviseditem_delete", args=[assigned.pk]), {"post": "yes"}
    )
    assert refused.status_code == 403
    bulk = action_post("delete_selected", [draft, assigned], post="yes")
    client.post(ITEMS, bulk)
    assert SupervisedItem.objects.count() == 3
    client.post(reverse("admin:supervision_superviseditem_delete", args=[draft.pk]), {"post": "yes"})
    assert list(SupervisedItem.objects.order_by("code").values_list("code", flat=True)) == ["1.2", "1.3"]
