"""Registering projects and moving them through their stages in the admin, per unit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from entry.roles import ADMIN, REPORTER, REVIEWER, assign_role
from projects.models import Problem, Project, StageChange
from targets.models import Plan, Target
from targets.tests.factories import make_plan, make_task, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    plan = make_plan()
    task = make_task(plan, 3, title="加快推进项目建设")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    users = {}
    for name, role in [("rep_a", REPORTER), ("rep_b", REPORTER), ("rev", REVIEWER), ("adm", ADMIN)]:
        users[name] = make_user(name)
        assign_role(users[name], role)
    unit_a.members.add(users["rep_a"])
    unit_b.members.add(users["rep_b"])
    project = Project.objects.create(plan=plan, name="甲项目", key_task=task, responsible_unit=unit_a)
    return {"plan": plan, "task": task, "a": unit_a, "b": unit_b, "users": users, "project": project}


def form_data(setup, **overrides):
    data = {
        "plan": setup["plan"].pk,
        "name": "甲项目",
        "key_task": setup["task"].pk,
        "area": "",
        "responsible_unit": setup["a"].pk,
        "lead_official": "",
        "service_commissioner": "",
        "stage": "started",
        "started_on": "2020-05-10",
        "registered_on": "",
        "completed_on": "",
        "producing_on": "",
        "planned_start": "",
        "planned_completion": "",
        "total_investment": "",
        "annual_planned_investment": "",
        "progress_note": "",
        "source_text": "",
        "note": "",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "1000",
        "_save": "1",
    }
    return data | overrides


def _approve(client, setup, change, action="approve_selected", **extra):
    client.force_login(setup["users"]["rev"])
    data = {"action": action, "_selected_action": [str(change.pk)], "index": "0", **extra}
    return client.post(reverse("admin:projects_stagechange_changelist"), data)


def test_a_reporter_s_stage_change_waits_for_review_then_counts(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    # The stage fields themselves are not the reporter's: posted, they are ignored.
    response = client.post(
        url, form_data(setup, new_stage="started", new_stage_date="2020-05-10", stage_note="已开工")
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.stage, project.started_on) == ("", None)
    change = StageChange.objects.get()
    assert (change.stage, change.reached_on, change.previous_stage, change.status, change.note) == (
        "started",
        dt.date(2020, 5, 10),
        "",
        "submitted",
        "已开工",
    )
    assert change.submitted_by.username == "rep_a"
    # The ledger still counts the project at its approved stage (unknown).
    assert project.ledger_item().stage == ""
    # A second change while the first waits is refused, nothing written.
    again = client.post(url, form_data(setup, new_stage="registered", new_stage_date="2020-06-01"))
    assert again.status_code == 200
    assert again.context["adminform"].form.errors == {
        "new_stage": ["该项目已有一项阶段变更正在等待审核,请等审核后再报送。"]
    }
    assert StageChange.objects.count() == 1
    before = Plan.objects.get().data_version
    with django_capture_on_commit_callbacks(execute=True):
        assert _approve(client, setup, change).status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.started_on) == ("started", dt.date(2020, 5, 10))
    assert Plan.objects.get().data_version == before + 1
    change.refresh_from_db()
    assert (change.status, change.reviewed_by.username) == ("approved", "rev")
    record = project.history.first()
    assert (record.history_user.username, record.history_change_reason) == (
        "rev",
        "阶段变更审核通过:甲项目 → 开工 2020-05-10",
    )
    assert [h.status for h in change.history.order_by("history_id")] == ["submitted", "approved"]


def test_a_returned_stage_change_leaves_the_project_as_it_was(client, setup):
    change = StageChange.objects.create(
        project=setup["project"],
        stage="started",
        reached_on=dt.date(2020, 5, 10),
        submitted_by=setup["users"]["rep_a"],
    )
    # Without a reason: the form asking for it, nothing changed.
    assert _approve(client, setup, change, action="return_selected").status_code == 200
    assert StageChange.objects.get().status == "submitted"
    assert _approve(client, setup, change, action="return_selected", reason="请附开工报告").status_code == 302
    change.refresh_from_db()
    assert (change.status, change.return_reason) == ("returned", "请附开工报告")
    assert Project.objects.get().stage == ""
    # Returned, the reporter may submit again.
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    client.post(url, form_data(setup, new_stage="started", new_stage_date="2020-05-12"))
    assert list(StageChange.objects.order_by("pk").values_list("status", flat=True)) == [
        "returned",
        "submitted",
    ]


def test_a_reporter_cannot_approve_its_own_stage_change(client, setup):
    change = StageChange.objects.create(
        project=setup["project"],
        stage="started",
        reached_on=dt.date(2020, 5, 10),
        submitted_by=setup["users"]["rep_a"],
    )
    client.force_login(setup["users"]["rep_a"])
    data = {"action": "approve_selected", "_selected_action": [str(change.pk)], "index": "0"}
    client.post(reverse("admin:projects_stagechange_changelist"), data)
    assert (StageChange.objects.get().status, Project.objects.get().stage) == ("submitted", "")


def test_stage_dates_out_of_order_are_refused(client, setup):
    Project.objects.filter(pk=setup["project"].pk).update(stage="started", started_on=dt.date(2020, 5, 10))
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    # 入库 (纳入统计库) comes after 开工: registered on 1 May, started on 10 May is refused.
    response = client.post(url, form_data(setup, new_stage="registered", new_stage_date="2020-05-01"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "new_stage": ["入库日期不能早于开工日期:入库指纳入统计库,在开工之后。"]
    }
    missing = client.post(url, form_data(setup, new_stage="registered"))
    assert missing.context["adminform"].form.errors == {"new_stage": ["请填写到达该阶段的日期。"]}
    assert StageChange.objects.count() == 0
    # Registered after the start, it is submitted; approved, the project has both dates.
    accepted = client.post(url, form_data(setup, new_stage="registered", new_stage_date="2020-06-01"))
    assert accepted.status_code == 302
    _approve(client, setup, StageChange.objects.get())
    project = Project.objects.get()
    assert (project.stage, project.started_on, project.registered_on) == (
        "registered",
        dt.date(2020, 5, 10),
        dt.date(2020, 6, 1),
    )


def test_other_units_reporter_cannot_see_or_change(client, setup):
    client.force_login(setup["users"]["rep_b"])
    listing = client.get(reverse("admin:projects_project_changelist"))
    assert list(listing.context["cl"].result_list) == []
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    assert client.post(url, form_data(setup, stage="completed")).status_code == 302
    assert Project.objects.get().stage == ""


def test_reporter_registers_a_project_only_for_own_unit(client, setup):
    client.force_login(setup["users"]["rep_b"])
    add = reverse("admin:projects_project_add")
    refused = client.post(
        add, form_data(setup, name="新项目", responsible_unit=setup["a"].pk, stage="reserve")
    )
    assert refused.status_code == 200
    assert "responsible_unit" in refused.context["adminform"].form.errors
    accepted = client.post(
        add, form_data(setup, name="新项目", responsible_unit=setup["b"].pk, stage="reserve")
    )
    assert accepted.status_code == 302
    assert Project.objects.get(name="新项目").responsible_unit == setup["b"]


def test_reviewer_sees_but_does_not_change(client, setup):
    client.force_login(setup["users"]["rev"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    assert client.get(url).context["has_change_permission"] is False
    assert client.post(url, form_data(setup)).status_code == 403


def test_annual_plan_creates_the_investment_target(client, setup):
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    client.post(url, form_data(setup, annual_planned_investment="12.5"))
    target = Target.objects.get(project=setup["project"])
    assert (target.code, target.kind, target.goal, target.unit_of_measure) == (
        f"P-{setup['project'].pk:04d}",
        "cumulative",
        Decimal("12.5"),
        "亿元",
    )
    assert list(target.responsible_units.all()) == [setup["a"]]
    client.post(url, form_data(setup, annual_planned_investment="15"))
    assert Target.objects.get(project=setup["project"]).goal == Decimal("15")
    assert Target.objects.filter(project=setup["project"]).count() == 1


def test_problem_list_inline(client, setup):
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    data = form_data(
        setup,
        **{
            "problems-TOTAL_FORMS": "1",
            "problems-0-description": "征迁未完成",
            "problems-0-responsible_unit": setup["a"].pk,
            "problems-0-raised_on": "2020-06-01",
            "problems-0-due_by": "2020-07-31",
            "problems-0-resolved_on": "",
            "problems-0-resolution": "",
        },
    )
    assert client.post(url, data).status_code == 302
    problem = Problem.objects.get()
    assert problem.is_overdue(dt.date(2020, 8, 1)) is True
    assert problem.is_overdue(dt.date(2020, 7, 31)) is False
    assert list(Problem.objects.overdue(dt.date(2020, 8, 1))) == [problem]


def test_a_group_targets_are_counted_from_cannot_be_deleted(client, setup):
    from projects.models import ProjectGroup

    group = ProjectGroup.objects.create(plan=setup["plan"], name="9月底前计划开工", stated_count=12)
    Target.objects.create(
        key_task=setup["task"],
        code="3-01",
        name="12个项目开工",
        kind="cumulative",
        goal=12,
        start=dt.date(2020, 1, 1),
        deadline=dt.date(2020, 9, 30),
        source_text="原文",
        ledger_group=group,
        ledger_measure="count",
        ledger_stage="started",
    )
    client.force_login(setup["users"]["adm"])
    url = reverse("admin:projects_projectgroup_delete", args=[group.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    assert client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert ProjectGroup.objects.filter(pk=group.pk).exists()


def problem_row(setup, unit, index=0, **fields) -> dict:
    row = {
        "description": "征迁未完成",
        "responsible_unit": "" if unit is None else unit.pk,
        "raised_on": "2020-06-01",
        "due_by": "",
        "resolved_on": "",
        "resolution": "",
    } | fields
    return {f"problems-{index}-{name}": value for name, value in row.items()}


def problem_unit_choices(response, index=0) -> list[str]:
    formset = response.context["inline_admin_formsets"][0].formset
    field = formset.forms[index].fields["responsible_unit"]
    return [str(unit) for unit in field.queryset]


def test_reporter_is_offered_only_own_units_for_a_problem(client, setup):
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    response = client.get(url)
    assert problem_unit_choices(response) == ["甲单位"]
    html = response.content.decode()
    assert html.count(f'<option value="{setup["b"].pk}"') == 0


def test_admin_is_offered_every_unit_for_a_problem(client, setup):
    client.force_login(setup["users"]["adm"])
    response = client.get(reverse("admin:projects_project_change", args=[setup["project"].pk]))
    assert problem_unit_choices(response) == ["乙单位", "甲单位"]


def test_crafted_problem_naming_another_unit_is_refused(client, setup):
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    data = form_data(setup, **{"problems-TOTAL_FORMS": "1"}, **problem_row(setup, setup["b"]))
    response = client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.errors[0]) == ["responsible_unit"]
    assert (Problem.objects.count(), Project.objects.get().stage) == (0, "")


def test_crafted_problem_on_a_new_project_naming_another_unit_is_refused(client, setup):
    client.force_login(setup["users"]["rep_a"])
    data = form_data(setup, name="新项目", **{"problems-TOTAL_FORMS": "1"}, **problem_row(setup, setup["b"]))
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert (Project.objects.count(), Problem.objects.count()) == (1, 0)


def test_a_problem_assigned_to_another_unit_by_an_admin_keeps_its_unit(client, setup):
    """The reporter can still save the project; the other unit is offered only on that row."""
    problem = Problem.objects.create(
        project=setup["project"],
        description="规划许可未办",
        responsible_unit=setup["b"],
        raised_on=dt.date(2020, 3, 1),
    )
    client.force_login(setup["users"]["rep_a"])
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    page = client.get(url)
    assert [problem_unit_choices(page, 0), problem_unit_choices(page, 1)] == [
        ["乙单位", "甲单位"],
        ["甲单位"],
    ]
    existing = problem_row(
        setup, setup["b"], description="规划许可未办", raised_on="2020-03-01", id=problem.pk
    )
    existing["problems-0-project"] = setup["project"].pk
    data = form_data(setup, **{"problems-TOTAL_FORMS": "1", "problems-INITIAL_FORMS": "1"}, **existing)
    data["problems-0-resolution"] = "已协调"
    assert client.post(url, data).status_code == 302
    problem.refresh_from_db()
    assert (problem.responsible_unit, problem.resolution) == (setup["b"], "已协调")
