"""The bulletin's project-group table (page and workbook): an empty ledger is never a zero rate.

Three groups on 2020-06-30: 老旧小区改造 (487 stated, none registered, the H1 report's 487 started),
新建公厕 (5 stated, 2 registered: both started, one completed and so registered; no 达产) and 9月底前计划开工
(12 stated, none registered, projects that go into production).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import StatedStageCount
from projects.tests.factories import make_group, make_project
from reports import xlsx
from reports.bulletin import build_bulletin
from targets.tests.factories import make_figure, make_target

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)
H1 = dt.date(2020, 6, 30)
COMPOUNDS_SENTENCE = "487个老旧小区改造已全部开工"


@pytest.fixture
def groups(plan, task):
    make_figure(make_target(task, "1-01", goal=30), JUNE, 9)  # a month with an approved figure
    compounds = make_group(plan, "老旧小区改造", stated_count=487, sort_order=1)
    StatedStageCount.objects.create(
        group=compounds, stage="started", count=487, as_of=H1, source_text=COMPOUNDS_SENTENCE
    )
    toilets = make_group(plan, "新建公厕", stated_count=5, sort_order=2)
    make_project(plan, "一号公厕", groups=[toilets], stage="completed", started_on=dt.date(2020, 3, 1))
    make_project(plan, "二号公厕", groups=[toilets], stage="started", started_on=dt.date(2020, 4, 1))
    make_group(plan, "9月底前计划开工", stated_count=12, sort_order=3, measures_production=True)


def test_bulletin_rates_per_group(plan, groups):
    bulletin = build_bulletin(plan=plan, month=JUNE)
    assert bulletin.rate_headers == ["开工率", "入库率", "竣工率", "达产率"]
    cells = {
        s.group.name: [
            None if r is None else (r.basis, r.count, r.of, r.percent) for _label, r in s.rate_cells
        ]
        for s in bulletin.project_groups
    }
    assert cells == {
        "老旧小区改造": [
            ("document", 487, 487, Decimal("100.0")),
            ("unregistered", None, 487, None),
            ("unregistered", None, 487, None),
            None,
        ],
        "新建公厕": [
            ("partial", 2, 2, Decimal("100.0")),
            ("partial", 1, 2, Decimal("50.0")),  # completed implies registered (入库 before 竣工)
            ("partial", 1, 2, Decimal("50.0")),
            None,
        ],
        "9月底前计划开工": [("unregistered", None, 12, None)] * 4,
    }


def test_bulletin_page_prints_what_each_rate_rests_on(viewer_client, plan, groups):
    response = viewer_client.get(f"{reverse('reports:bulletin', args=[plan.pk])}?month=2020-06")
    assert response.status_code == 200
    html = response.content.decode()
    # The ledger appendix runs to the end of the bulletin when no indicator is new this month.
    section = html[html.index("项目分组推进情况</h3>") : html.index("</article>")]
    assert (
        '<th scope="col" class="num">开工率</th><th scope="col" class="num">入库率</th>'
        '<th scope="col" class="num">竣工率</th><th scope="col" class="num">达产率</th>'
    ) in section
    assert f"文件所述:{COMPOUNDS_SENTENCE}(截至 2020-06-30)" in section
    assert section.count("台账未录入(文件所述 487 项)") == 2
    # A group with nothing entered says nothing a reader can act on: the bulletin counts it in a note
    # (the ledger pages list it with 台账未录入 in every rate).
    assert section.count("台账未录入(文件所述 12 项)") == 0
    assert "另有 1 个分组台账尚未录入,未列出(见项目台账页)。" in section
    assert section.count("台账已录入 2 项 / 文件所述 5 项,比率只按已录入项目计算") == 3
    assert section.count('<span class="rate-na">不适用</span>') == 2
    assert '<span class="rate">0 / 487' not in section and '<span class="rate">0 / 12' not in section


def test_workbook_sheet_holds_counts_and_notes(plan, groups):
    book = load_workbook(io.BytesIO(xlsx.workbook_bytes(build_bulletin(plan=plan, month=JUNE))))
    rows = list(book["项目分组"].iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "分组")
    header = rows[header_at]
    assert header[4:20] == (
        "开工数", "开工率分母", "开工率(%)", "开工率说明",
        "入库数", "入库率分母", "入库率(%)", "入库率说明",
        "竣工数", "竣工率分母", "竣工率(%)", "竣工率说明",
        "达产数", "达产率分母", "达产率(%)", "达产率说明",
    )  # fmt: skip
    table = {row[0]: row for row in rows[header_at + 1 : header_at + 4]}
    assert table["老旧小区改造"][2:20] == (
        0, 487,
        487, 487, 100, f"文件所述:{COMPOUNDS_SENTENCE}(截至 2020-06-30)",
        None, None, None, "台账未录入(文件所述 487 项)",
        None, None, None, "台账未录入(文件所述 487 项)",
        None, None, None, "不适用",
    )  # fmt: skip
    label = "台账已录入 2 项 / 文件所述 5 项,比率只按已录入项目计算"
    assert table["新建公厕"][2:20] == (
        2, 5,
        2, 2, 100, label,
        1, 2, 50, label,
        1, 2, 50, label,
        None, None, None, "不适用",
    )  # fmt: skip
    assert table["9月底前计划开工"][2:20] == (
        0, 12,
        *[None, None, None, "台账未录入(文件所述 12 项)"] * 4,
    )  # fmt: skip
