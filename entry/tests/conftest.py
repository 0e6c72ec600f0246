import pytest

from targets.tests.factories import make_plan, make_task


@pytest.fixture
def plan(db):
    return make_plan()


@pytest.fixture
def task(plan):
    return make_task(plan, 1, title="加快推进项目建设", headline="确保9月底前12个项目全部开工")
