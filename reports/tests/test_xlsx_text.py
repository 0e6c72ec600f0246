"""The bulletin workbook stores names and problem texts that look like formulas as plain text."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from projects.tests.factories import make_problem, make_project
from reports import xlsx
from reports.bulletin import build_bulletin
from targets.tests.factories import make_figure, make_target, make_unit

pytestmark = pytest.mark.django_db

JUNE = dt.date(2020, 6, 1)
# What Excel or LibreOffice may evaluate as a formula when a cell's text starts with it.
FORMULA_LIKE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_formula_like_names_and_problems_are_text(plan, task):
    expected = set()
    for number, start in enumerate(FORMULA_LIKE, start=1):
        unit = make_unit(f"{start}局")
        target = make_target(
            task, f"1-0{number}", name=f"{start}目标", units=[unit], lead_official=f"{start}区长", goal=30
        )
        make_figure(target, JUNE, 3)  # far behind: also listed on the behind-and-overdue sheet
        project = make_project(plan, f"{start}项目", lead_official="王区长")
        make_problem(project, description=f'{start}HYPERLINK("x")', responsible_unit=unit)
        expected |= {unit.name, target.name, target.lead_official, project.name, f'{start}HYPERLINK("x")'}

    book = load_workbook(io.BytesIO(xlsx.workbook_bytes(build_bulletin(plan=plan, month=JUNE))))

    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if cell.value in expected:
                    found.setdefault(cell.value, []).append(cell)
    assert sorted(found) == sorted(expected)
    for value, cells in found.items():
        for cell in cells:
            assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True), cell.coordinate
    sheets = {cell.parent.title for cells in found.values() for cell in cells}
    assert sheets == {"分项目标", "滞后逾期", "单位排名", "问题清单"}
