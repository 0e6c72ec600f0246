"""On English pages, data that stays Chinese carries lang="zh-hans"; Chinese pages mark nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from common.datalang import mark_chinese
from entry.roles import REPORTER, assign_role

from .factories import make_figure, make_target, make_task, make_unit, make_user

ZH = '<span lang="zh-hans">{}</span>'


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", "新增市场主体", ZH.format("新增市场主体")),
        ("en", "New market entities", "New market entities"),
        ("en", "<亿元>", ZH.format("&lt;亿元&gt;")),
        ("en", "%", "%"),
        ("en", None, ""),
        ("zh-hans", "新增市场主体", "新增市场主体"),
        ("zh-hans", "<亿元>", "&lt;亿元&gt;"),
    ],
)
def test_mark_chinese(language, value, expected):
    with translation.override(language):
        assert mark_chinese(value) == expected


@pytest.fixture
def english_client(viewer_client):
    viewer_client.cookies["django_language"] = "en"
    return viewer_client


@pytest.fixture
def target(plan):
    task = make_task(plan, 1, title="优化营商环境", headline="新增市场主体")
    target = make_target(
        task,
        "T1",
        name="新增市场主体",
        unit_of_measure="户",
        source_text="新增市场主体100户。",
        units=[make_unit("市场监管局")],
    )
    make_figure(target, dt.date(2020, 6, 1), 60)
    return target


def test_english_target_page_marks_chinese_data(english_client, target):
    html = english_client.get(target.get_absolute_url(), {"as_of": "2020-06-30"}).content.decode()
    assert '<h1>T1 <span lang="zh-hans">新增市场主体</span></h1>' in html
    assert '<span lang="zh-hans">新增市场主体100户。</span>' in html
    assert '<dd><span lang="zh-hans">市场监管局</span></dd>' in html
    assert 'lang="zh-hans">测试区</span>' in html


def test_english_task_table_marks_names_and_units(english_client, target):
    response = english_client.get(
        reverse("targets:keytask-detail", args=[target.key_task.pk]), {"as_of": "2020-06-30"}
    )
    html = response.content.decode()
    assert (
        f'<a href="/plans/targets/{target.pk}/?as_of=2020-06-30"><span lang="zh-hans">新增市场主体</span></a>'
        in html
    )
    assert '≥ 100 <span lang="zh-hans">户</span>' in html
    assert '60 <span lang="zh-hans">户</span>' in html


def test_english_name_of_a_target_is_not_marked(english_client, target):
    target.name_en = "New market entities"
    target.save()
    html = english_client.get(target.get_absolute_url(), {"as_of": "2020-06-30"}).content.decode()
    assert "<h1>T1 New market entities</h1>" in html


def test_chinese_pages_carry_no_lang_marks(viewer_client, target):
    html = viewer_client.get(target.get_absolute_url(), {"as_of": "2020-06-30"}).content.decode()
    assert "<h1>T1 新增市场主体</h1>" in html
    # Only the page itself and the language switcher's 简体中文 button.
    assert html.count('lang="zh-hans"') == 2


def test_english_month_entry_page_marks_target_names_and_units(client, target):
    reporter = make_user("reporter")
    assign_role(reporter, REPORTER)
    unit = target.responsible_units.get()
    unit.members.add(reporter)
    client.force_login(reporter)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("admin:targets_figure_month"), {"unit": unit.pk, "month": "2020-06"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong>T1</strong> <span lang="zh-hans">新增市场主体</span>' in html
    assert ': <span lang="zh-hans">市场监管局</span> · June 2020</h1>' in html


def test_english_unit_filter_marks_unit_names(english_client, target):
    html = english_client.get(reverse("targets:target-list", args=[target.key_task.plan.pk])).content.decode()
    unit = target.responsible_units.get()
    assert f'<option value="{unit.pk}" lang="zh-hans">市场监管局</option>' in html
    assert '<option value="" selected>All</option>' in html


def test_english_group_checkboxes_mark_group_names(english_client, viewer_client, plan):
    from projects.tests.factories import make_group

    make_group(plan, "省市重点项目")
    url = reverse("projects:project-list", args=[plan.pk])
    html = english_client.get(url).content.decode()
    assert '<span lang="zh-hans">省市重点项目</span></label>' in html
    viewer_client.cookies["django_language"] = "zh-hans"
    chinese = viewer_client.get(url).content.decode()
    assert "省市重点项目</label>" in chinese
    assert '<span lang="zh-hans">省市重点项目' not in chinese
