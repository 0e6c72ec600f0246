"""The project-ledger seed: groups the sources count, projects they name, targets linked to them."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from projects.models import Problem, Project, ProjectGroup, Stage
from targets.models import LedgerMeasure, Target

pytestmark = pytest.mark.django_db

# The two source documents the seed quotes, kept with the project's data.
SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
PLAN_TEXT = (SOURCES / "zhongyuan_2020_plan.txt").read_text(encoding="utf-8")
# The report marks six figures in bold (**317.8亿元**); the markers are formatting, not text.
H1_TEXT = (SOURCES / "zhongyuan_2020_h1_report.txt").read_text(encoding="utf-8").replace("**", "")
# A progress note quotes the report with the PDF's page breaks ("\n\n" mid-sentence) closed up.
H1_FLAT = H1_TEXT.replace("\n\n", "")
# A source_text holds one or more quoted passages, one a line; a passage keeps the seed's own
# page breaks ("\n\n"), so passages are split on single newlines only.
PASSAGE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")

STATED_COUNTS = {
    "9月底前计划开工": 12,
    "全市集中开工": 15,
    "省市重点项目": 25,
    "新引进项目": 18,
    "上半年计划开工项目": 8,
    "道路建成通车": 37,
    "中小学幼儿园": 23,
    "架空线缆入地道路": 13,
    "便民服务中心": 6,
    "公园游园": 30,
    "增绿添彩工程": 49,
    "区定道路改造": 4,
    "谋划上报中央投资项目": 77,
    "省发改委审核通过并推送国家发改委项目": 51,
    "城市道路综合改造市定一期": 3,
    "道路试验段": 2,
    "老旧小区改造": 487,
    "城乡接合部工程性项目": 29,
    "城乡接合部管理性项目": 392,
    "新建公厕": 20,
    "改造升级垃圾中转站": 7,
    "园林绿化亮点项目": 6,
    "城市书房": 3,
    # Groups the text names without a count of items.
    "三大核心板块": None,
    "生态水系": None,
    "夜经济示范点": None,
}

# Targets that list a group's items; all but 3-01 keep hand-entered figures.
LINKED_TARGETS = {
    "2-13": "谋划上报中央投资项目",
    "2-14": "省发改委审核通过并推送国家发改委项目",
    "3-01": "9月底前计划开工",
    "3-02": "省市重点项目",
    "3-04": "上半年计划开工项目",
    "4-01": "新引进项目",
    "4-02": "新引进项目",
    "6-01": "城市道路综合改造市定一期",
    "6-02": "区定道路改造",
    "6-03": "老旧小区改造",
    "6-06": "架空线缆入地道路",
    "6-07": "新建公厕",
    "6-08": "改造升级垃圾中转站",
    "6-10": "道路建成通车",
    "6-12": "老旧小区改造",
    "6-13": "城乡接合部工程性项目",
    "6-14": "城乡接合部管理性项目",
    "7-01": "中小学幼儿园",
    "7-04": "便民服务中心",
    "7-06": "增绿添彩工程",
    "7-07": "公园游园",
    "7-17": "城市书房",
    "7-21": "园林绿化亮点项目",
}


@pytest.fixture
def seeded():
    call_command("load_seed")


def group(name):
    return ProjectGroup.objects.get_by_natural_key("中原区", 2020, name)


def project(name):
    return Project.objects.get_by_natural_key("中原区", 2020, name)


def target(code):
    return Target.objects.get_by_natural_key("中原区", 2020, code)


def ledger_counts():
    return {
        "groups": ProjectGroup.objects.count(),
        "projects": Project.objects.count(),
        "memberships": Project.groups.through.objects.count(),
        "problems": Problem.objects.count(),
        "linked_targets": Target.objects.filter(ledger_group__isnull=False).count(),
    }


def assert_passages_in_seeds(text, label):
    assert text, label
    for passage in PASSAGE_BREAK.split(text):
        assert passage in PLAN_TEXT or passage in H1_TEXT, (label, passage)


def test_counts(seeded):
    assert ledger_counts() == {
        "groups": 26,
        "projects": 27,
        "memberships": 18,
        "problems": 0,
        "linked_targets": 23,
    }


def test_stated_counts(seeded):
    assert dict(ProjectGroup.objects.values_list("name", "stated_count")) == STATED_COUNTS


def test_stated_investment(seeded):
    assert group("新引进项目").stated_investment == Decimal("163")
    # 172.4亿元 is what the 25 projects completed in H1, not their total investment.
    assert group("省市重点项目").stated_investment is None
    assert "172.4亿元" in group("省市重点项目").note
    assert "56.9%" in group("省市重点项目").note
    assert set(
        ProjectGroup.objects.filter(stated_investment__isnull=False).values_list("name", flat=True)
    ) == {"新引进项目"}


def test_groups_have_key_tasks_and_order(seeded):
    assert not ProjectGroup.objects.filter(key_task__isnull=True).exists()
    assert group("9月底前计划开工").key_task.number == 3
    assert group("新引进项目").key_task.number == 4
    assert group("三大核心板块").key_task.number == 5
    assert group("道路建成通车").key_task.number == 6
    assert group("中小学幼儿园").key_task.number == 7
    tasks = [g.key_task.number for g in ProjectGroup.objects.select_related("key_task")]
    assert tasks == sorted(tasks)
    orders = list(ProjectGroup.objects.values_list("sort_order", flat=True))
    assert len(set(orders)) == len(orders)


def test_target_3_01_counts_started_projects(seeded):
    twelve = target("3-01")
    assert twelve.ledger_group == group("9月底前计划开工")
    assert twelve.ledger_measure == LedgerMeasure.COUNT
    assert twelve.ledger_stage == Stage.STARTED
    assert twelve.ledger_group.stated_count == twelve.goal


def test_other_links_keep_hand_entered_figures(seeded):
    linked = {t.code: t.ledger_group.name for t in Target.objects.filter(ledger_group__isnull=False)}
    assert linked == LINKED_TARGETS
    manual = Target.objects.filter(ledger_group__isnull=False).exclude(code="3-01")
    assert set(manual.values_list("ledger_measure", flat=True)) == {LedgerMeasure.MANUAL}
    assert set(manual.values_list("ledger_stage", flat=True)) == {""}
    assert target("3-02").ledger_group == group("省市重点项目")
    # A cumulative count target linked to a counted group has that count as its goal, but for 6-03,
    # whose text asks only for the bulk of the remaining 220 of the group's 487 (大头落地).
    counted = Target.objects.filter(ledger_group__stated_count__isnull=False, kind=Target.Kind.CUMULATIVE)
    for t in counted.exclude(unit_of_measure="亿元").exclude(code="6-03"):
        assert t.goal == t.ledger_group.stated_count, t.code
    assert target("6-03").ledger_group.stated_count == 487


def test_every_source_text_is_in_the_seeds(seeded):
    for g in ProjectGroup.objects.all():
        assert_passages_in_seeds(g.source_text, g.name)
    for p in Project.objects.all():
        assert_passages_in_seeds(p.source_text, p.name)
        # A progress note is what the report says of the project, quoted.
        assert p.progress_note in H1_FLAT, p.name


def test_progress_notes_quote_the_report(seeded):
    assert project("二砂文化创意园首开区").progress_note == "二砂文化创意园项目首开区已开工建设"
    assert project("贾鲁河综合整治提升").progress_note == "贾鲁河综合治理工程河道开挖、绿化工程全部完工"
    assert project("中机六院高科技信息产业园").progress_note == "中机六院高科技信息产业园项目内部装修基本完成"
    assert project("西郊记忆游园").progress_note == "打造西郊记忆游园等亮点项目6个"
    assert project("中心医院社区城市书房").progress_note == "加快推进中心医院社区等3个城市书房"
    assert project("欢乐海岸项目").progress_note == ""
    assert project("马庄郊野公园").progress_note == ""


def test_stages_only_where_the_text_says(seeded):
    started = set(Project.objects.filter(stage=Stage.STARTED).values_list("name", flat=True))
    assert started == {
        "二砂文化创意园首开区",
        "须水河核心片区板块游客中心(工匠之门)",
        "中机六院高科技信息产业园",
        "须水河生态提升工程",
        "贾鲁河综合整治提升",
        "水博园",
    }
    assert set(Project.objects.values_list("stage", flat=True)) == {"", Stage.STARTED}
    assert project("欢乐海岸项目").stage == ""
    # No stage date is given anywhere in the text.
    for field in ("registered_on", "started_on", "completed_on", "producing_on"):
        assert not Project.objects.filter(**{f"{field}__isnull": False}).exists(), field


def test_areas_only_where_the_text_says(seeded):
    areas = dict(Project.objects.exclude(area="").values_list("name", "area"))
    assert areas == {
        "二砂文化创意园首开区": "二砂片区",
        "须水河核心片区板块游客中心(工匠之门)": "须水河核心片区",
        "欢乐海岸项目": "须水河核心片区",
        "中央文化区北部片区管廊环廊": "中央文化区北部片区",
    }
    assert project("中机六院高科技信息产业园").area == ""


def test_planned_dates_are_the_stated_deadlines(seeded):
    assert project("欢乐海岸项目").planned_start == dt.date(2020, 12, 31)
    assert project("贾鲁河综合整治提升").planned_completion == dt.date(2020, 12, 31)
    assert Project.objects.filter(planned_start__isnull=False).count() == 1
    assert Project.objects.filter(planned_completion__isnull=False).count() == 1


def test_group_members(seeded):
    def members(name):
        return set(group(name).projects.values_list("name", flat=True))

    assert members("三大核心板块") == {
        "二砂文化创意园首开区",
        "须水河核心片区板块游客中心(工匠之门)",
        "中机六院高科技信息产业园",
        "欢乐海岸项目",
    }
    assert members("生态水系") == {
        "秀水河生态提升工程",
        "柳湖生态提升工程",
        "须水河生态提升工程",
        "西流湖公园综合整治",
        "常庄水库周边生态提升",
        "贾峪河上游治理",
        "水博园",
        "贾鲁河综合整治提升",
    }
    assert members("架空线缆入地道路") == {"航海西路架空线缆入地"}
    assert members("便民服务中心") == {"洛达新苑便民服务中心"}
    assert members("夜经济示范点") == {"中原万达洛河西路步行街", "金马凯旋"}
    assert members("园林绿化亮点项目") == {"西郊记忆游园"}
    assert members("城市书房") == {"中心医院社区城市书房"}
    # The text names none of the 12, 15, 25, 18 or 8 projects.
    for name in ("9月底前计划开工", "全市集中开工", "省市重点项目", "新引进项目", "上半年计划开工项目"):
        assert members(name) == set(), name
    # A group never holds more items than the text counts.
    for g in ProjectGroup.objects.filter(stated_count__isnull=False):
        assert g.projects.count() <= g.stated_count, g.name


def test_projects_name_no_one_and_no_money(seeded):
    assert not Project.objects.filter(responsible_unit__isnull=False).exists()
    assert not Project.objects.exclude(lead_official="").exists()
    assert not Project.objects.exclude(service_commissioner="").exists()
    assert not Project.objects.filter(total_investment__isnull=False).exists()
    assert not Project.objects.filter(annual_planned_investment__isnull=False).exists()
    assert not Target.objects.filter(project__isnull=False).exists()
    assert not Project.objects.filter(key_task__isnull=True).exists()


def test_loading_twice_adds_nothing(seeded):
    before = ledger_counts()
    call_command("load_seed")
    assert ledger_counts() == before


def test_loading_keeps_staff_edits(seeded):
    erasha = project("二砂文化创意园首开区")
    erasha.started_on = dt.date(2020, 5, 1)
    erasha.save()
    call_command("load_seed")
    assert project("二砂文化创意园首开区").started_on == dt.date(2020, 5, 1)
