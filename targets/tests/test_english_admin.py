"""With English chosen, the reporting pages of the admin show no Chinese except the data.

The data keeps its own language (unit, target and plan names, units of measure, a reviewer's
reason), and the language switcher names 简体中文 in Chinese on purpose; everything else on the
page must come from the English catalogue.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from entry import roles
from entry.tests.test_month_entry import form_data
from targets.models import Figure, Target

from .factories import make_figure, make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

MAY, JUNE = dt.date(2020, 5, 1), dt.date(2020, 6, 1)
DATA = ["测试区", "测试计划", "加快推进项目建设", "甲局", "新建公园", "建成平台", "数据有误", "个"]
SWITCHER = '<button type="submit" name="language" value="zh-hans" lang="zh-hans">简体中文</button>'
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(task):
    unit = make_unit("甲局")
    reporter = make_user("reporter")
    roles.assign_role(reporter, roles.REPORTER)
    unit.members.add(reporter)
    park = make_target(task, "1-01", name="新建公园", units=[unit])
    make_target(
        task, "1-02", name="建成平台", kind=Target.Kind.MILESTONE, goal=None, unit_of_measure="", units=[unit]
    )
    make_figure(park, MAY, 10)
    returned = make_figure(park, JUNE, 20, status=Figure.Status.RETURNED, return_reason="数据有误")
    return {"unit": unit, "reporter": reporter, "returned": returned}


def chinese_left(html: str) -> list[str]:
    assert SWITCHER in html
    html = html.replace(SWITCHER, "")
    for data in DATA:
        html = html.replace(data, "")
    return CJK.findall(html)


def english_page(client, url, status=200, **data) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, data) if data else client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="en"' in html
    return html


def month_url(unit) -> str:
    return f"{reverse('admin:targets_figure_month')}?unit={unit.pk}&month=2020-06"


def test_reporter_pages(client, world):
    client.force_login(world["reporter"])
    for url in [
        month_url(world["unit"]),
        reverse("admin:targets_figure_changelist"),
        reverse("admin:targets_figure_xlsx_template"),
        reverse("admin:targets_figure_xlsx_import"),
        reverse("admin:index"),
    ]:
        assert chinese_left(english_page(client, url)) == [], url


def test_month_page_with_errors(client, world):
    client.force_login(world["reporter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(month_url(world["unit"]))
    # Over 3 × the goal: held until explained.
    data = form_data(page, {"1-01": {"value": "400", "correction_reason": ""}})
    html = english_page(client, month_url(world["unit"]), status=400, **data)
    assert "Nothing was saved: 1 row needs changes." in html
    assert chinese_left(html) == []


def test_reviewer_and_admin_pages(client, world):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    for url in [
        reverse("admin:targets_figure_compliance") + "?month=2020-06",
        reverse("admin:targets_figure_change", args=[world["returned"].pk]),
        reverse("admin:targets_plan_changelist"),
        reverse("admin:targets_target_changelist"),
    ]:
        assert chinese_left(english_page(client, url)) == [], url
