"""The seed fixture: what it loads, that loading is idempotent, and that it says what the sources say."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from projects.models import Project, ProjectGroup
from targets.models import Figure, KeyTask, Plan, Target, Unit

pytestmark = pytest.mark.django_db

# The two source documents the seed quotes, kept with the project's data.
SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
PLAN_TEXT = (SOURCES / "zhongyuan_2020_plan.txt").read_text(encoding="utf-8")
# The report marks six figures in bold (**317.8亿元**); the markers are formatting, not text.
H1_TEXT = (SOURCES / "zhongyuan_2020_h1_report.txt").read_text(encoding="utf-8").replace("**", "")
JUNE = dt.date(2020, 6, 1)


@pytest.fixture
def seeded():
    call_command("load_seed")
    return Plan.objects.get_by_natural_key("中原区", 2020)


def target(code):
    return Target.objects.get_by_natural_key("中原区", 2020, code)


def june(code):
    return Figure.objects.get(target=target(code), month=JUNE)


def counts():
    return {
        "plans": Plan.objects.count(),
        "units": Unit.objects.count(),
        "key_tasks": KeyTask.objects.count(),
        "targets": Target.objects.count(),
        "figures": Figure.objects.count(),
        "project_groups": ProjectGroup.objects.count(),
        "projects": Project.objects.count(),
    }


def test_counts(seeded):
    assert seeded.city == "郑州市"
    assert seeded.period_start == dt.date(2020, 1, 1)
    assert seeded.period_end == dt.date(2020, 12, 31)
    assert seeded.on_track_threshold == Decimal("-10")
    assert seeded.behind_threshold == Decimal("-30")
    assert counts() == {
        "plans": 1,
        "units": 8,
        "key_tasks": 8,
        "targets": 81,
        "figures": 62,
        "project_groups": 26,
        "projects": 27,
    }
    assert list(seeded.key_tasks.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7, 8]
    by_kind = {kind: Target.objects.filter(kind=kind).count() for kind in Target.Kind.values}
    assert by_kind == {"cumulative": 13, "level": 3, "milestone": 9, "monitored": 56}
    assert Target.objects.filter(source="plan").count() == 25
    assert Target.objects.filter(source="h1").count() == 56


def test_loading_twice_adds_nothing(seeded):
    before = counts()
    call_command("load_seed")
    assert counts() == before


def test_key_tasks(seeded):
    task6 = KeyTask.objects.get_by_natural_key("中原区", 2020, 6)
    assert task6.title == "高标准做好“双改”工作"
    assert task6.headline == "力争年底前37条道路建成通车"
    task8 = KeyTask.objects.get_by_natural_key("中原区", 2020, 8)
    assert task8.text.endswith("执行民主制度、")
    for task in KeyTask.objects.all():
        assert f"重点工作 {task.number}\n\n{task.title} {task.headline}\n\n{task.text}" in PLAN_TEXT


def test_units_are_named_in_the_text(seeded):
    assert set(Unit.objects.values_list("name", flat=True)) == {
        "发改",
        "财政",
        "人社",
        "金融",
        "税务",
        "市场监管",
        "各街道",
        # Named by the supervision seed (招商引资 · 抓好落地).
        "拟落地街道",
    }
    assert Unit.objects.get(name="各街道").kind == Unit.Kind.STREET
    for unit in Unit.objects.all():
        assert unit.name in unit.source_text
        for sentence in unit.source_text.split("\n"):
            assert sentence in PLAN_TEXT


def test_every_source_text_is_in_its_seed(seeded):
    texts = {"plan": PLAN_TEXT, "h1": H1_TEXT}
    for t in Target.objects.all():
        assert t.source_text, t.code
        assert t.source_text in texts[t.source], t.code
    for figure in Figure.objects.all():
        assert figure.source_text, figure
        assert figure.source_text in H1_TEXT, figure


def test_codes_follow_task_numbers(seeded):
    for t in Target.objects.select_related("key_task"):
        assert t.code.startswith(f"{t.key_task.number}-"), t.code


def test_no_target_has_a_responsible_unit(seeded):
    assert not Target.objects.filter(responsible_units__isnull=False).exists()


def test_all_figures_are_approved_june_figures(seeded):
    assert set(Figure.objects.values_list("month", flat=True)) == {JUNE}
    assert set(Figure.objects.values_list("status", flat=True)) == {Figure.Status.APPROVED}
    assert not Figure.objects.filter(entered_by__isnull=False).exists()


def test_roads_open_to_traffic(seeded):
    roads = target("6-10")
    assert roads.goal == Decimal("37")
    assert roads.unit_of_measure == "条"
    assert roads.deadline == dt.date(2020, 12, 31)
    assert roads.deadline_stated is True


def test_green_space(seeded):
    green = target("7-11")
    assert green.goal == Decimal("175.5")
    assert green.unit_of_measure == "万平方米"
    assert june("7-11").value == Decimal("74.4")


def test_schools(seeded):
    schools = target("7-01")
    assert schools.goal == Decimal("23")
    figure = june("7-01")
    assert figure.value == Decimal("10")
    # H1 counts new schools only; the target counts new and continued ones: 口径待核, out of the verdict.
    assert figure.measure_doubtful is True
    assert "只计新建" in figure.measure_note


def test_old_compounds_remaining_220_the_bulk_by_year_end(seeded):
    compounds = target("6-03")
    assert compounds.kind == Target.Kind.CUMULATIVE
    # 大头落地 is the bulk (more than half) of the remaining 220, not all 487, counted from 267 at 6-30.
    assert (compounds.baseline, compounds.goal, compounds.start) == (
        Decimal("267"),
        Decimal("378"),
        dt.date(2020, 6, 30),
    )
    assert compounds.goal_wording == "大头落地"
    assert "267 + 111 = 378" in compounds.goal_derivation
    assert june("6-03").value == Decimal("267")
    assert june("6-12").value == Decimal("487")


def test_standards_and_commitments_follow_the_words_of_the_plan(seeded):
    standards = set(Target.objects.filter(standard=True).values_list("code", flat=True))
    assert standards == {"6-05", "7-02", "7-03"}  # 不低于98%, 彻底消除, 不超过10%
    commitments = dict(Target.objects.exclude(commitment="").values_list("code", "commitment"))
    assert commitments == {"3-01": "firm", "5-02": "firm", "6-11": "firm", "6-10": "stretch"}
    for code, word in [("3-01", "确保"), ("5-02", "确保"), ("6-11", "确保"), ("6-10", "力争")]:
        assert word in target(code).source_text
    assert target("6-04").goal_wording == "基本完成"


def test_key_project_investment_goal_is_derived(seeded):
    investment = target("3-02")
    assert investment.source == Target.Source.H1_REPORT
    assert investment.goal == Decimal("303.0")
    assert investment.goal_is_derived
    assert "172.4 ÷ 56.9%" in investment.goal_derivation
    assert june("3-02").value == Decimal("172.4")
    assert abs(Decimal("172.4") / Decimal("0.569") - investment.goal) < Decimal("0.05")


def test_economic_indicators(seeded):
    expected = {
        "2-01": "317.8",
        "2-02": "223.4",
        "2-03": "28.6",
        "2-04": "36",
        "2-05": "167.5",
        "2-06": "115.1",
    }
    for code, value in expected.items():
        indicator = target(code)
        assert indicator.kind == Target.Kind.MONITORED
        assert indicator.goal is None
        assert indicator.unit_of_measure == "亿元"
        assert june(code).value == Decimal(value)
    assert target("2-01").name == "地区生产总值"


def test_milestones(seeded):
    erasha = target("5-02")
    assert erasha.kind == Target.Kind.MILESTONE
    assert erasha.deadline == dt.date(2020, 10, 31)
    assert june("5-02").reached is False
    assert june("6-01").reached is False
    assert target("6-01").deadline == dt.date(2020, 9, 30)
    assert june("7-05").reached is False
    assert target("6-11").deadline_stated is False


def test_twelve_projects(seeded):
    projects = target("3-01")
    assert projects.goal == Decimal("12")
    assert projects.deadline == dt.date(2020, 9, 30)
    assert not projects.figures.exists()
    assert june("3-04").value == Decimal("8")


def test_level_targets(seeded):
    assert target("6-05").goal == Decimal("98")
    assert target("6-05").direction == Target.Direction.AT_LEAST
    assert target("6-05").baseline is None
    assert target("7-02").goal == Decimal("0")
    assert target("7-02").direction == Target.Direction.AT_MOST
    assert target("7-03").goal == Decimal("10")
    assert target("7-03").direction == Target.Direction.AT_MOST
    assert target("7-03").unit_of_measure == "%"


def test_qualifiers(seeded):
    assert june("1-01").value_qualifier == Figure.Qualifier.MORE_THAN
    assert june("2-09").value == Decimal("2")
    assert june("2-09").value_qualifier == Figure.Qualifier.MORE_THAN
    assert june("2-12").value == Decimal("100")
    assert june("2-12").value_qualifier == Figure.Qualifier.NEARLY
    assert june("7-14").value == Decimal("6700")
    assert target("7-14").unit_of_measure == "万元"
    assert june("7-19").value == Decimal("85")
    assert june("6-16").value == Decimal("4786")


def test_structural_rules(seeded):
    for t in Target.objects.all():
        # Annual targets run the calendar year from 0; "剩余" (6-03) starts from the figure that defines it.
        remaining = t.code == "6-03"
        if t.kind == Target.Kind.CUMULATIVE:
            assert t.baseline == (Decimal("267") if remaining else Decimal("0")), t.code
        if t.kind in (Target.Kind.MONITORED, Target.Kind.MILESTONE):
            assert t.goal is None, t.code
        if t.kind == Target.Kind.MONITORED:
            assert t.deadline is None, t.code
        else:
            assert t.deadline is not None, t.code
        assert t.start == (dt.date(2020, 6, 30) if remaining else dt.date(2020, 1, 1)), t.code
    assert not Figure.objects.filter(reached=True).exists()
