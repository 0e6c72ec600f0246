import pytest

from targets.tests.factories import make_plan, make_task


@pytest.fixture
def plan(db):
    return make_plan(title="二〇二〇年重点工作测试计划")


@pytest.fixture
def task(plan):
    return make_task(plan, 1, title="加快推进项目建设")
