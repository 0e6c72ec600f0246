"""The bulletin page, its PDF and workbook downloads, and `manage.py bulletin`."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import xlsx
from reports.bulletin import build_bulletin
from targets.models import Target
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit
from tests.tools import needs

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)
ENGLISH_SHEETS = [
    "Overview",
    "Narrative",
    "Targets by task",
    "Behind and overdue",
    "Unit ranking",
    "Open problems",
    "Project groups",
    "Monitored indicators",
]
NOW = dt.datetime(2020, 7, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
needs_chromium = needs(shutil.which("chromium") is not None, "chromium")
needs_pdftotext = needs(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")


@pytest.fixture
def targets(plan, task):
    unit = make_unit("城建局")
    park = make_target(task, "1-01", name="新建公园游园", units=[unit], lead_official="张副区长", goal=30)
    make_figure(park, JUNE, 9)  # 30% of the way, expected 49.6% → behind
    make_figure(make_target(task, "1-02", name="新增绿地", goal=Decimal("175.5")), JUNE, Decimal("74.4"))
    make_target(task, "1-03", name="道路设施完好率", kind=Target.Kind.LEVEL, goal=98, baseline=None)
    gdp = make_target(task, "1-04", name="地区生产总值", kind=Target.Kind.MONITORED, goal=None, deadline=None)
    make_figure(gdp, JUNE, Decimal("317.8"))


def url(name: str, plan, month: str | None = None) -> str:
    base = reverse(f"reports:{name}", args=[plan.pk])
    return f"{base}?month={month}" if month else base


def test_anonymous_is_sent_to_login(client, plan):
    response = client.get(url("bulletin", plan))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_page_defaults_to_the_latest_month_with_an_approved_figure(viewer_client, plan, targets):
    response = viewer_client.get(url("bulletin", plan))
    assert response.status_code == 200
    bulletin = response.context["bulletin"]
    assert (bulletin.month, bulletin.as_of) == (JUNE, dt.date(2020, 6, 30))
    html = response.content.decode()
    assert bulletin.headline.sentence in html
    assert (
        "截至2020年6月底,全区3项量化目标中有数据的2项(数据覆盖2/3):正常推进1项、滞后1项;暂无数据1项。" in html
    )
    assert "新建公园游园" in html
    assert "counter(pages)" not in html  # the page-number rule lives in bulletin.css
    assert '"displayModeBar":false' in html  # the chart's config, in its JSON data block
    assert "未明确责任单位的目标 2 项" in html


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2020-13", "不存在"),
        ("June", "格式不对"),
        ("2019-12", "不在计划"),
    ],
)
@pytest.mark.parametrize("name", ["bulletin", "bulletin-pdf", "bulletin-xlsx"])
def test_bad_month_is_a_400_with_a_chinese_message(viewer_client, plan, name, month, message):
    response = viewer_client.get(url(name, plan, month))
    assert response.status_code == 400
    assert message in response.content.decode()


def _page_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("bulletin", plan, "2020-06"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_is_the_same_for_1_and_3_targets(viewer, viewer_client, plan, task):
    make_figure(make_target(task, "1-01", units=[make_unit("甲")]), JUNE, 50)
    other = make_plan(district="另一区")
    viewer.district_memberships.create(district=other.district)
    other_task = make_task(other, 1)
    unit = make_unit("乙")
    for i in range(3):
        make_figure(make_target(other_task, f"1-{i:02d}", units=[unit]), JUNE, 50)
    assert _page_queries(viewer_client, plan) == _page_queries(viewer_client, other)


def _sheet_rows(sheet, header_first_cell: str) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == header_first_cell)
    header = rows[start]
    table = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break  # a blank row ends the table; notes may follow
        table.append(dict(zip(header, row, strict=True)))
    return table


def test_xlsx_reopens_with_the_same_numbers(viewer_client, plan, targets):
    response = viewer_client.get(url("bulletin-xlsx", plan, "2020-06"))
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="bulletin-plan{plan.pk}-2020-06.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    bulletin = build_bulletin(plan=plan, month=JUNE)

    assert book.sheetnames == [
        "概况",
        "通报文字",
        "分项目标",
        "滞后逾期",
        "单位排名",
        "问题清单",
        "项目分组",
        "监测指标",
    ]
    counts = {row["项目"]: row["项数"] for row in _sheet_rows(book["概况"], "项目")}
    assert counts == dict(xlsx.headline_rows(bulletin))
    assert counts["量化目标"] == bulletin.headline.total == 3
    assert counts["滞后"] == bulletin.headline.behind == 1

    targets_sheet = _sheet_rows(book["分项目标"], "重点工作")
    assert [row["编号"] for row in targets_sheet] == [line.target.code for line in bulletin.lines]
    for row, line in zip(targets_sheet, bulletin.lines, strict=True):
        for column, expected in [
            ("目标值", line.target.goal),
            ("完成率(%)", line.row.completion),
            ("序时进度(%)", line.row.expected_share),
            ("差距(百分点)", line.row.gap),
        ]:
            cell = row[column]
            assert (None if cell is None else Decimal(str(cell))) == expected, (line.target.code, column)
            assert cell is None or isinstance(cell, (int, float))
    park, green, level = targets_sheet
    assert park["最新值(已审核)"] == 9
    assert green["最新值(已审核)"] == pytest.approx(74.4)
    assert level["最新值(已审核)"] == "暂无数据"
    assert park["责任单位"] == "城建局"
    assert park["分包领导"] == "张副区长"
    assert green["责任单位"] == "未明确"

    # 1-01 is behind; 1-02 is on track but its trend (74.4 × 365/181 = 150.0 of 175.5) misses the goal.
    behind, at_risk = _sheet_rows(book["滞后逾期"], "重点工作")
    assert (behind["编号"], at_risk["编号"]) == ("1-01", "1-02")
    (rank,) = _sheet_rows(book["单位排名"], "名次")
    (expected,) = bulletin.ranking
    assert (rank["名次"], rank["责任单位"], rank["负责量化目标数"], rank["占比(%)"]) == (
        1,
        "城建局",
        expected.targets,
        float(expected.good_share),
    )
    (gdp,) = _sheet_rows(book["监测指标"], "重点工作")
    assert (gdp["指标"], gdp["最新值(已审核)"]) == ("地区生产总值", pytest.approx(317.8))


def test_pdf_view_explains_what_to_install_when_chromium_is_missing(viewer_client, plan, targets, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    response = viewer_client.get(url("bulletin-pdf", plan, "2020-06"))
    assert response.status_code == 503
    html = response.content.decode()
    assert "apt-get install -y chromium fonts-noto-cjk" in html
    assert "/nonexistent/chromium" in html


def test_command_refuses_pdf_without_chromium(plan, targets, settings, tmp_path):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    with pytest.raises(CommandError, match="apt-get install -y chromium fonts-noto-cjk"):
        call_command("bulletin", plan=plan.pk, month="2020-06", pdf=tmp_path / "b.pdf", stdout=io.StringIO())


@pytest.fixture
def back_to_chinese(settings):
    # A request in English leaves English active in this thread; later tests expect the default.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    ("language", "sheets", "title", "header", "headline"),
    [
        (
            "zh-hans",
            ["概况", "通报文字", "分项目标", "滞后逾期", "单位排名", "问题清单", "项目分组", "监测指标"],
            "测试区2020年重点工作推进情况通报 · 总体情况",
            [
                "重点工作",
                "编号",
                "目标名称",
                "目标值",
                "计量单位",
                "最新值(已审核)",
                "数据月份",
                "完成率(%)",
                "序时进度(%)",
                "差距(百分点)",
                "状态",
                "期限",
                "责任单位",
                "分包领导",
                "说明",
            ],
            [("项目", "项数"), ("量化目标", 3), ("正常推进", 1), ("滞后", 1), ("暂无数据", 1)],
        ),
        (
            "en",
            ENGLISH_SHEETS,
            "测试区 2020: bulletin on the progress of key tasks · Overview",
            [
                "Key task",
                "Code",
                "Target name",
                "Goal",
                "Unit of measure",
                "Latest value (reviewed)",
                "Data month",
                "Completion rate (%)",
                "Expected progress (%)",
                "Gap (percentage points)",
                "Status",
                "Deadline",
                "Responsible unit",
                "Lead official",
                "Note",
            ],
            [("Item", "Count"), ("Quantified targets", 3), ("On track", 1), ("Behind", 1), ("No data", 1)],
        ),
    ],
)
def test_xlsx_follows_the_language(
    back_to_chinese, viewer_client, plan, targets, settings, language, sheets, title, header, headline
):
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = viewer_client.get(url("bulletin-xlsx", plan, "2020-06"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))

    assert book.sheetnames == sheets
    overview = list(book[sheets[0]].iter_rows(values_only=True))
    assert overview[0][0] == title
    assert [row[:2] for row in overview[4:9]] == headline
    table = list(book[sheets[2]].iter_rows(values_only=True))
    assert list(table[2]) == header
    # The narrative sheet holds the bulletin's numbered sections, as printed.
    narrative_rows = [row[0] for row in book[sheets[1]].iter_rows(values_only=True) if row[0]]
    assert narrative_rows[2] == ("二、存在问题" if language == "zh-hans" else "2. Problems")
    # The data keeps its own language.
    assert table[3][1:3] == ("1-01", "新建公园游园")


def test_command_writes_the_workbook(plan, targets, tmp_path):
    out = io.StringIO()
    call_command("bulletin", plan=plan.pk, month="2020-06", xlsx=tmp_path / "b.xlsx", stdout=out)
    book = load_workbook(tmp_path / "b.xlsx")
    assert book["概况"]["A1"].value == "测试区2020年重点工作推进情况通报 · 总体情况"
    assert "全区3项量化目标" in out.getvalue()


def test_command_writes_the_workbook_in_english(plan, targets, tmp_path):
    out = io.StringIO()
    call_command(
        "bulletin", plan=plan.pk, month="2020-06", xlsx=tmp_path / "b.xlsx", language="en", stdout=out
    )
    book = load_workbook(tmp_path / "b.xlsx")
    assert book.sheetnames == ENGLISH_SHEETS
    assert book["Overview"]["A1"].value == "测试区 2020: bulletin on the progress of key tasks · Overview"
    assert out.getvalue().splitlines()[0] == (
        "As of the end of June 2020, 2 of the district’s 3 quantified targets have data "
        "(coverage 2/3): On track 1, Behind 1; no data yet: 1."
    )
    # The language is the command's only: Chinese stays the default afterwards.
    assert translation.get_language() == "zh-hans"


def test_command_refuses_an_unknown_language(plan, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'fr'"):
        call_command(
            "bulletin", "--plan", str(plan.pk), "--xlsx", str(tmp_path / "b.xlsx"), "--language", "fr"
        )


def test_command_refuses_a_bad_month(plan, tmp_path):
    with pytest.raises(CommandError, match="不在计划"):
        call_command("bulletin", plan=plan.pk, month="2021-01", xlsx=tmp_path / "b.xlsx")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@needs_chromium
@needs_pdftotext
def test_pdf_is_produced_and_holds_title_month_and_target(viewer_client, plan, targets, tmp_path):
    response = viewer_client.get(url("bulletin-pdf", plan, "2020-06"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    assert plan.title in text
    assert "2020年6月" in text
    assert "新建公园游园" in text
    assert "1 / " in text or "1/" in text  # the page number from the @page margin box


@needs_chromium
@needs_pdftotext
def test_command_writes_the_pdf(plan, targets, tmp_path):
    call_command("bulletin", plan=plan.pk, month="2020-06", pdf=tmp_path / "b.pdf", stdout=io.StringIO())
    text = _pdf_text((tmp_path / "b.pdf").read_bytes(), tmp_path)
    assert "新增绿地" in text
