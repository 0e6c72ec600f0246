"""The bulletin's long tables, written in Python (`bulletin_rows`), equal the template loops they
replaced, kept here as templates: on a bulletin with every kind of row, in Chinese and in English."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from projects.tests.factories import make_problem, make_project
from reports.bulletin import build_bulletin
from targets.models import Target
from targets.tests.factories import make_figure, make_target, make_task, make_unit

pytestmark = pytest.mark.django_db

LOAD = "{% load i18n progress_tags data_lang verdict_tags bulletin_rows %}"

# The loops as _bulletin_body.html wrote them before the rows moved to Python.
ATTENTION_LOOP = """{% for line in lines %}
<tr><td><span class="code">{{ line.target.code }}</span> {{ line.target.display_name|zh }}{% commitment_tags line.target %}<div class="value-line">{% translate "最新值" %}{% translate ":" context "label colon" %}{{ line.value_text }}{% if line.from_ledger %} <span class="tag">{{ line.source_note }}</span>{% endif %}</div></td><td>{% verdict_cell line.light line.row %}</td><td class="num">{{ line.row.completion|points }}</td><td class="num">{{ line.row.expected_share|points }}</td><td class="num">{{ line.row.gap|signed_points }}</td><td class="nowrap">{{ line.target.deadline|date:"Y-m-d" }}</td><td>{% if line.unit_names %}{{ line.units_text|zh }}{% else %}<span class="missing">{{ line.units_text|zh }}</span>{% endif %}</td><td>{% if line.target.lead_official %}{{ line.target.lead_official|zh }}{% else %}<span class="missing">{{ line.lead_official_text|zh }}</span>{% endif %}</td></tr>{% endfor %}"""  # noqa: E501
TARGET_LOOP = """{% for line in lines %}
<tr><td class="code">{{ line.target.code }}</td><td>{{ line.target.display_name|zh }}{% commitment_tags line.target %}</td><td class="nowrap">{{ line.goal_text }}</td><td>{% if line.latest %}{{ line.value_text }}{% else %}<span class="missing">{{ line.value_text }}</span>{% endif %}{% if line.from_ledger %} <span class="tag">{{ line.source_note }}</span>{% endif %}</td><td class="num">{{ line.row.completion|points }}</td><td class="num">{{ line.row.expected_share|points }}</td><td class="num">{{ line.row.gap|signed_points }}</td><td>{% verdict_cell line.light line.row %}</td></tr>{% endfor %}"""  # noqa: E501
PROBLEM_LOOP = """{% for line in lines %}
<tr><td>{{ line.project_name|zh }}</td><td>{{ line.description|zh }}</td><td>{{ line.unit_text|zh }}</td><td class="nowrap">{{ line.due_by|date:"Y-m-d"|default:"—" }}</td><td class="nowrap">{% if line.overdue %}<span class="overdue-mark">✗ {% translate "逾期" %}</span>{% else %}{% translate "未解决" %}{% endif %}</td></tr>{% endfor %}"""  # noqa: E501
RANKING_LOOP = """{% for r in lines %}
<tr><td class="num">{{ r.rank }}</td><td>{{ r.unit_name|zh }}</td><td class="num">{{ r.targets }}</td><td class="num">{{ r.good }}</td><td class="num">{{ r.good_share|points }}</td><td class="num">{{ r.reported_targets }}</td><td class="num">{{ r.on_time }}</td><td class="num">{{ r.on_time_rate|points }}</td></tr>{% endfor %}"""  # noqa: E501

JUNE = dt.date(2020, 6, 1)
NOW = dt.datetime(2020, 7, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def bulletin(plan, task):
    """A bulletin of June 2020 with every kind of row: each light, both commitments, a standard,
    an English name, text to escape, units and leads present and missing, problems of each state."""
    unit = make_unit("城建局 <A&B>")
    second = make_task(plan, 2, title="保障改善民生")
    firm = make_target(
        task, "1-01", name="确保目标 <b>", commitment="firm", units=[unit], lead_official="张三"
    )
    make_figure(firm, JUNE, 10)
    stretch = make_target(task, "1-02", name="力争目标", name_en="Stretch & more", commitment="stretch")
    make_figure(stretch, JUNE, 30)
    make_figure(make_target(task, "1-03", name="已完成目标", units=[unit]), JUNE, 100)
    make_figure(make_target(second, "2-01", name="逾期目标", deadline=dt.date(2020, 3, 31)), JUNE, 10)
    standard = make_target(
        second, "2-02", name="水质达标率", kind=Target.Kind.LEVEL, standard=True, goal=Decimal("98")
    )
    make_figure(standard, JUNE, Decimal("97.5"))
    make_figure(make_target(second, "2-03", name="趋势目标"), dt.date(2020, 4, 1), 40)
    make_figure(make_target(second, "2-03b", name="趋势目标二"), JUNE, 45)
    make_target(second, "2-04", name="暂无数据目标")
    milestone = make_target(second, "2-05", name="里程碑", kind=Target.Kind.MILESTONE, goal=None)
    make_figure(milestone, JUNE, reached=False)
    late = make_project(plan, "逾期问题项目", lead_official="李四")
    make_problem(late, "征地 <未完成>", raised_on=dt.date(2020, 3, 1), due_by=dt.date(2020, 5, 1))
    make_problem(late, "资金未到位", raised_on=dt.date(2020, 3, 1), due_by=None)
    make_problem(
        make_project(plan, "无领导项目"), "手续", raised_on=dt.date(2020, 3, 1), due_by=dt.date(2021, 1, 1)
    )
    return build_bulletin(plan=plan, month=JUNE, now=NOW)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_row_tag_writes_what_its_former_loop_wrote(bulletin, language):
    task_lines = [line for section in bulletin.tasks for line in section.lines_with_data]
    problem_lines = [line for group in bulletin.problem_groups for line in group.lines]
    cases = [
        (ATTENTION_LOOP, "attention_rows", bulletin.attention),
        (TARGET_LOOP, "target_rows", task_lines),
        (PROBLEM_LOOP, "problem_rows", problem_lines),
        (RANKING_LOOP, "ranking_rows", bulletin.ranking),
    ]
    # The world has what each branch of the loops needs.
    assert len(bulletin.attention) >= 3 and len(task_lines) >= 8
    assert {line.overdue for line in problem_lines} == {True, False}
    assert {line.due_by is None for line in problem_lines} == {True, False}
    assert {bool(line.unit_names) for line in task_lines} == {True, False}
    assert {bool(line.target.lead_official) for line in task_lines} == {True, False}
    assert any(line.row.at_risk for line in task_lines)
    assert len(bulletin.ranking) >= 1
    with translation.override(language):
        for loop, tag, lines in cases:
            context = Context({"lines": lines})
            expected = Template(LOAD + loop).render(context)
            written = Template(LOAD + "{% " + tag + " lines %}").render(context)
            assert written == expected, tag
            assert written.count("\n<tr>") == len(lines)
        if language == "en":  # Chinese data marked as such on English pages, escaped
            written = Template(LOAD + "{% target_rows lines %}").render(Context({"lines": task_lines}))
            assert '<span lang="zh-hans">确保目标 &lt;b&gt;</span>' in written
            assert "Stretch &amp; more" in written
