"""Migration 0003 (入库 after 开工): a 入库 date that contradicts the new order is moved, not lost."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("projects", "0002_orderings_without_joins")
AFTER = ("projects", "0003_stage_order_and_stated_counts")


def migrate(node):
    """Migrate projects to `node`; the models as they are then, with every other app at its latest."""
    executor = MigrationExecutor(connection)
    others = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "projects"]
    executor.migrate([node])
    executor.loader.build_graph()
    return executor.loader.project_state([node, *others]).apps


@pytest.mark.django_db(transaction=True)
def test_registration_dates_before_the_start_move_to_the_note():
    old_apps = migrate(BEFORE)
    try:
        Plan = old_apps.get_model("targets", "Plan")
        Project = old_apps.get_model("projects", "Project")
        ProjectGroup = old_apps.get_model("projects", "ProjectGroup")
        plan = Plan.objects.create(
            district="中原区",
            year=2020,
            title="2020年重点工作",
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
        )
        # Registered before its start: valid under the old order (入库 → 开工), not under the new.
        Project.objects.create(
            plan=plan,
            name="早入库项目",
            stage="started",
            registered_on=dt.date(2020, 2, 10),
            started_on=dt.date(2020, 4, 15),
            note="原备注",
        )
        # Registered after its completion: the old order did not compare the two.
        Project.objects.create(
            plan=plan,
            name="竣工后入库项目",
            stage="completed",
            registered_on=dt.date(2020, 10, 1),
            completed_on=dt.date(2020, 9, 1),
        )
        Project.objects.create(
            plan=plan,
            name="顺序无误项目",
            stage="completed",
            registered_on=dt.date(2020, 5, 1),
            completed_on=dt.date(2020, 9, 1),
        )
        ProjectGroup.objects.create(plan=plan, name="新引进项目")
        ProjectGroup.objects.create(plan=plan, name="新建公厕")

        new_apps = migrate(AFTER)
        Project = new_apps.get_model("projects", "Project")
        moved = Project.objects.get(name="早入库项目")
        assert (moved.registered_on, moved.started_on, moved.stage) == (None, dt.date(2020, 4, 15), "started")
        assert moved.note == (
            "原备注\n原录入库日期 2020-02-10 与“开工→入库→竣工”的阶段顺序不符"
            "(入库指纳入统计库,在开工之后),已从入库日期移至此处待核。"
        )
        late = Project.objects.get(name="竣工后入库项目")
        assert (late.registered_on, late.completed_on) == (None, dt.date(2020, 9, 1))
        assert late.note.startswith("原录入库日期 2020-10-01 与")
        kept = Project.objects.get(name="顺序无误项目")
        assert (kept.registered_on, kept.completed_on, kept.note) == (
            dt.date(2020, 5, 1),
            dt.date(2020, 9, 1),
            "",
        )
        # The seed plan's groups of producing projects are marked; others are not.
        ProjectGroup = new_apps.get_model("projects", "ProjectGroup")
        assert dict(ProjectGroup.objects.values_list("name", "measures_production")) == {
            "新引进项目": True,
            "新建公厕": False,
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
