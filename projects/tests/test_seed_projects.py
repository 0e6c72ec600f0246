"""The project-ledger seed: groups the sources count, projects they name, targets linked to them."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from projects import summary
from projects.models import Problem, Project, ProjectGroup, Stage, StatedStageCount
from targets.models import LedgerMeasure, Plan, Target

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
        "stated_stage_counts": StatedStageCount.objects.count(),
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
        "stated_stage_counts": 4,
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


H1 = dt.date(2020, 6, 30)
# Every stage count the H1 report states for a group, word for word; nothing else is stated.
STATED_STAGE_COUNTS = {
    ("上半年计划开工项目", "started", 8, H1, "8个计划开工项目全部开工"),
    ("道路试验段", "completed", 2, H1, "2条试验段全部完工"),
    ("老旧小区改造", "started", 487, H1, "487个老旧小区改造已全部开工"),
    ("老旧小区改造", "completed", 267, H1, "487个老旧小区改造已全部开工,267个完成改造"),
}
# Groups whose items include industrial or commercial projects that go into production (达产).
PRODUCING_GROUPS = {
    "9月底前计划开工",
    "全市集中开工",
    "省市重点项目",
    "上半年计划开工项目",
    "新引进项目",
    "三大核心板块",
}


def test_stated_stage_counts_quote_the_report(seeded):
    stated = {
        (c.group.name, c.stage, c.count, c.as_of, c.source_text)
        for c in StatedStageCount.objects.select_related("group")
    }
    assert stated == STATED_STAGE_COUNTS
    for *_rest, text in stated:
        assert text in H1_TEXT, text
    # 6-12 and 6-03's H1 figures are the same 487 started and 267 completed.
    assert target("6-12").figures.get().value == 487
    assert target("6-03").figures.get().value == 267


def test_only_producing_groups_measure_production(seeded):
    assert set(ProjectGroup.objects.filter(measures_production=True).values_list("name", flat=True)) == (
        PRODUCING_GROUPS
    )
    assert group("新建公厕").rate_stages == ["started", "registered", "completed"]
    assert group("省市重点项目").rate_stages == ["started", "registered", "completed", "producing"]


RATE_STAGES_3 = ["started", "registered", "completed"]


def seed_rates(as_of):
    plan = Plan.objects.get()
    groups = summary.groups_with_projects(plan.project_groups.all(), as_of=as_of)
    return {
        s.group.name: [(r.stage, r.basis, r.count, r.of, r.percent) for r in s.rates]
        for s in summary.summarize_groups(groups, today=as_of, as_of=as_of)
    }


def test_seed_group_rates_at_h1(seeded):
    rates = seed_rates(H1)
    # 老旧小区: the report's own counts with its sentence, 入库 not stated.
    assert rates["老旧小区改造"] == [
        ("started", "document", 487, 487, Decimal("100.0")),
        ("registered", "unregistered", None, 487, None),
        ("completed", "document", 267, 487, Decimal("54.8")),
    ]
    assert rates["上半年计划开工项目"] == [
        ("started", "document", 8, 8, Decimal("100.0")),
        ("registered", "unregistered", None, 8, None),
        ("completed", "unregistered", None, 8, None),
        ("producing", "unregistered", None, 8, None),
    ]
    assert rates["道路试验段"] == [
        ("started", "unregistered", None, 2, None),
        ("registered", "unregistered", None, 2, None),
        ("completed", "document", 2, 2, Decimal("100.0")),
    ]
    # Registered items whose stage the text does not give: no rate rather than 0 of 13.
    assert rates["架空线缆入地道路"] == [(s, "stage_unknown", None, 13, None) for s in RATE_STAGES_3]
    # Three of the four core-block projects started; 欢乐海岸's stage is unknown and left out.
    assert rates["三大核心板块"] == [
        ("started", "partial", 3, 3, Decimal("100.0")),
        ("registered", "partial", 0, 3, Decimal("0.0")),
        ("completed", "partial", 0, 3, Decimal("0.0")),
        ("producing", "partial", 0, 3, Decimal("0.0")),
    ]
    # Nowhere a zero for a group with no item in the ledger.
    empty = set(ProjectGroup.objects.filter(projects__isnull=True).values_list("name", flat=True))
    assert len(empty) == 19
    for name in empty:
        for stage, basis, count, of, percent in rates[name]:
            assert basis in {"unregistered", "document"}, (name, stage)
            assert count != 0 and percent != 0, (name, stage)
            assert of == STATED_COUNTS[name], (name, stage)
    # On 5-31 the report had stated nothing yet.
    assert seed_rates(dt.date(2020, 5, 31))["老旧小区改造"] == [
        (s, "unregistered", None, 487, None) for s in RATE_STAGES_3
    ]


# How a zero rate prints: "0 / 12(0.0%)".
ZERO_COUNT, ZERO_PERCENT = '<span class="rate">0 /', '<span class="rate-pct">(0.0%)'


def test_seed_group_pages_at_h1(seeded, viewer_client):
    plan = Plan.objects.get()
    html = viewer_client.get(
        reverse("projects:group-list", args=[plan.pk]), {"as_of": "2020-06"}
    ).content.decode()
    rows = {row.split("</a>", 1)[0].rsplit(">", 1)[-1]: row for row in html.split("<tr>")[2:]}
    assert len(rows) == 26
    compounds = rows["老旧小区改造"]
    assert (
        '<span class="rate">487 / 487<span class="rate-pct">(100.0%)</span></span>'
        '<span class="rate-basis rate-document">文件所述:487个老旧小区改造已全部开工(截至 2020-06-30)</span>'
    ) in compounds
    assert ZERO_COUNT not in compounds and ZERO_PERCENT not in compounds
    assert '<span class="rate-na">不适用</span>' in compounds  # 达产率
    starts = rows["上半年计划开工项目"]
    assert "文件所述:8个计划开工项目全部开工(截至 2020-06-30)" in starts
    assert ZERO_COUNT not in starts and ZERO_PERCENT not in starts
    for name, row in rows.items():
        if not group(name).projects.exists():
            assert ZERO_COUNT not in row and ZERO_PERCENT not in row, name

    page = viewer_client.get(group("老旧小区改造").get_absolute_url(), {"as_of": "2020-06"}).content.decode()
    assert "文件所述:487个老旧小区改造已全部开工(截至 2020-06-30)" in page
    assert "文件所述:487个老旧小区改造已全部开工,267个完成改造(截至 2020-06-30)" in page
    assert '<span class="rate-label">达产率</span>' not in page
    assert ZERO_COUNT not in page and ZERO_PERCENT not in page
