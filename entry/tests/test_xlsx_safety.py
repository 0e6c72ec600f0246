"""Excel upload limits and formula-like text: zip bombs, huge or odd sheets, text starting with =.

The upload is checked before openpyxl parses anything (`entry.xlsx.safety`) and read in
openpyxl's streaming mode, stopping at the row and column limits; every workbook we write stores
text starting with = + - @ tab or CR as text.
"""

import io
import re
import tracemalloc
import zipfile
from decimal import Decimal

from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter

from bench.xlsx_bomb import bomb_xlsx
from entry.roles import REPORTER, assign_role
from entry.tests import test_xlsx
from entry.tests.test_xlsx import (
    COL,
    IMPORT_URL,
    JUNE,
    TEMPLATE_URL,
    download,
    fill,
    row_of,
    snapshot,
    text,
    to_bytes,
    upload,
)
from entry.xlsx import safety as xlsx_safety
from entry.xlsx import sheetcells
from targets.models import Figure
from targets.tests.factories import make_figure, make_target, make_unit, make_user

# The upload tests' fixtures: a unit with a reporter and four targets (see test_xlsx).
unit, other_unit, reporter = test_xlsx.unit, test_xlsx.other_unit, test_xlsx.reporter
reporter_client, targets = test_xlsx.reporter_client, test_xlsx.targets

MB = 1024 * 1024
FORMULA_LIKE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def refused(response, message: str, status: int = 400):
    assert response.status_code == status, text(response)[:300]
    assert message in text(response)
    assert not response.context["token"]


def _rezip(content: bytes, change) -> bytes:
    """The workbook with `change(name, data)` applied to each part, plus any parts it adds."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, change(info.filename, source.read(info)))
        for name, data in getattr(change, "extra", {}).items():
            z.writestr(name, data)
    return out.getvalue()


# --- a decompression bomb ------------------------------------------------------------------


def test_95_mb_sheet_is_refused_before_unpacking_with_little_memory(reporter_client, unit, targets):
    content = bomb_xlsx(95)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 99_614_518
    assert len(content) < 600 * 1024
    before = snapshot()

    tracemalloc.start()
    try:
        response = upload(reporter_client, unit, content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    refused(response, "文件解压后过大(95.0 MB,上限 8 MB),不像是填报模板,请使用下载的模板。", status=413)
    assert snapshot() == before
    assert peak < 50 * MB, f"peak {peak / MB:.1f} MB"


def test_highly_repetitive_sheet_under_the_size_limit_is_refused_by_its_ratio(reporter_client, unit, targets):
    content = bomb_xlsx(7.9)
    before = snapshot()

    response = upload(reporter_client, unit, content)

    refused(response, "文件压缩比异常(205 倍,上限 100 倍),内容大量重复,不像是填报模板", status=413)
    assert snapshot() == before


def test_sheet_with_too_many_elements_is_refused_while_scanning(reporter_client, unit, targets):
    content = bomb_xlsx(7.9, varied=True)  # packs about 5:1, so neither size nor ratio stops it

    response = upload(reporter_client, unit, content)

    refused(response, "文件内容过多(超过 400000 个 XML 元素),不像是填报模板", status=413)


def test_parts_unpacking_to_more_than_24_mb_in_all_are_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-01", 本月数值=50)

    def keep(name, data):
        return data

    keep.extra = {f"xl/media/filler{i}.bin": b"\0" * (7 * MB) for i in range(4)}
    response = upload(reporter_client, unit, _rezip(to_bytes(wb), keep))

    refused(response, "文件解压后过大(28.0 MB,上限 24 MB)", status=413)


def test_too_many_parts_are_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)

    def keep(name, data):
        return data

    keep.extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(xlsx_safety.MAX_ZIP_MEMBERS)}
    response = upload(reporter_client, unit, _rezip(to_bytes(wb), keep))

    refused(response, "文件包含的部件过多(")


def test_document_type_declarations_are_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-01", 本月数值=50)

    def with_doctype(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        return b'<!DOCTYPE worksheet [<!ENTITY x "1">]>' + data

    response = upload(reporter_client, unit, _rezip(to_bytes(wb), with_doctype))

    refused(response, "文件不是有效的 .xlsx 文件")


# --- rows and columns ----------------------------------------------------------------------


def _with_blank_rows(content: bytes, first: int, count: int) -> bytes:
    """The workbook with `count` rows of empty cells bordered like the data, as Excel leaves them."""
    columns = [get_column_letter(col).encode() for col in range(1, len(sheetcells.COLUMNS) + 1)]

    def change(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        style = re.findall(rb'<c r="L\d+" s="(\d+)"', data)[-1]
        rows = b"".join(
            b'<row r="%d">' % row
            + b"".join(b'<c r="%s%d" s="%s"/>' % (c, row, style) for c in columns)
            + b"</row>"
            for row in range(first, first + count)
        )
        return data.replace(b"</sheetData>", rows + b"</sheetData>")

    return _rezip(content, change)


def test_ten_thousand_blank_formatted_rows_do_not_count(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    fill(ws, "1-01", 本月数值=50)
    content = _with_blank_rows(to_bytes(wb), ws.max_row + 1, 10_000)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<row r="%d">' % (ws.max_row + 10_000) in sheet

    response = upload(reporter_client, unit, content)

    assert response.status_code == 200, text(response)
    assert [(r["code"], r["new"]) for r in response.context["rows"]] == [("1-01", "50 个")]


def test_a_row_far_below_a_blank_gap_is_read(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    row = row_of(ws, "1-01")
    for col in range(1, len(sheetcells.COLUMNS) + 1):
        ws.cell(row=5000, column=col).value = ws.cell(row=row, column=col).value
        ws.cell(row=row, column=col).value = None
    ws.cell(row=5000, column=COL["本月数值"]).value = 50

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 200, text(response)
    assert [(r["row"], r["code"], r["new"]) for r in response.context["rows"]] == [(5000, "1-01", "50 个")]


def test_content_below_the_row_limit_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    fill(ws, "1-01", 本月数值=50)
    ws.cell(row=25_000, column=1).value = "备注"

    response = upload(reporter_client, unit, to_bytes(wb))

    refused(response, "工作表过大:第 25000 行有内容,内容不能超过第 20000 行。请删除多余的行后再上传。")


def test_content_right_of_column_50_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    row = fill(ws, "1-01", 本月数值=50)
    ws.cell(row=row, column=60).value = "备注"

    response = upload(reporter_client, unit, to_bytes(wb))

    refused(response, "工作表过宽:单元格 BH12 有内容,第 50 列以后不能有内容。请删除右侧的内容后再上传。")


def test_blank_formatted_cells_far_right_are_ignored(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    row = fill(ws, "1-01", 本月数值=50)
    ws.cell(row=row, column=200).border = BORDER

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 200, text(response)
    assert [r["code"] for r in response.context["rows"]] == ["1-01"]


def test_a_row_of_more_than_1000_cells_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    row = fill(ws, "1-01", 本月数值=50)
    for col in range(1, 1100):
        ws.cell(row=row, column=col).border = BORDER

    response = upload(reporter_client, unit, to_bytes(wb))

    refused(response, "第 12 行的单元格过多(超过 1000 个),请删除表格右侧多余的内容或格式后再上传。")


def test_renamed_data_sheet_after_another_sheet_is_found(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    fill(ws, "1-01", 本月数值=50)
    ws.title = "我的数据"
    wb.create_sheet("说明", 0)["A1"] = "本表由办公室汇总"

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 200, text(response)
    assert [(r["code"], r["new"]) for r in response.context["rows"]] == [("1-01", "50 个")]


# --- text that looks like a formula ----------------------------------------------------------


def test_text_starting_with_equals_is_text_not_a_formula(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    row = fill(ws, "1-01", 本月数值=50)
    cell = ws.cell(row=row, column=COL["进展情况"], value='=HYPERLINK("x")')
    cell.data_type = "s"  # typed as text ('=HYPERLINK…), not a formula

    preview = upload(reporter_client, unit, to_bytes(wb))

    assert preview.status_code == 200, text(preview)
    confirmed = reporter_client.post(reverse(IMPORT_URL), {"confirm": preview.context["token"]})
    assert confirmed.status_code == 302
    stored = Figure.objects.get(target=targets["cumulative"], month=JUNE)
    assert (stored.value, stored.progress_note) == (Decimal("50.00"), '=HYPERLINK("x")')


def _cells(workbook, wanted: set[str]) -> dict[str, list]:
    """Every cell whose value is one of `wanted`, by value."""
    found: dict[str, list] = {}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in wanted:
                    found.setdefault(cell.value, []).append(cell)
    return found


def test_template_with_formula_like_names_stores_text_and_uploads_back(client, task):
    own_unit = make_unit("=SUM(1)局")
    user = make_user("formula-reporter")
    assign_role(user, REPORTER)
    own_unit.members.add(user)
    client.force_login(user)
    first, *_others = [
        make_target(task, f"1-0{number}", name=name, units=[own_unit])
        for number, name in enumerate(FORMULA_LIKE, start=1)
    ]
    make_figure(first, JUNE, 1, status=Figure.Status.DRAFT, entered_by=user, progress_note="-已开工")

    response = client.get(reverse(TEMPLATE_URL), {"unit": own_unit.pk, "month": "2020-06"})

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    found = _cells(wb, {*FORMULA_LIKE, "=SUM(1)局", "-已开工"})
    assert sorted(found) == sorted({*FORMULA_LIKE, "=SUM(1)局", "-已开工"})
    for value, cells in found.items():
        for cell in cells:
            assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True), cell.coordinate
    formulas = [c.coordinate for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []

    ws = wb[sheetcells.SHEET_TITLE]
    fill(ws, "1-01", 本月数值=2)
    preview = upload(client, own_unit, to_bytes(wb))

    assert preview.status_code == 200, text(preview)
    assert [(r["code"], r["old"], r["new"]) for r in preview.context["rows"]] == [("1-01", "1 个", "2 个")]
    confirmed = client.post(reverse(IMPORT_URL), {"confirm": preview.context["token"]})
    assert confirmed.status_code == 302
    stored = Figure.objects.get(target=first, month=JUNE)
    assert (stored.value, stored.progress_note) == (Decimal("2.00"), "-已开工")


def test_put_stores_each_formula_like_text_exactly():
    workbook = Workbook()
    ws = workbook.active
    for row, value in enumerate([*FORMULA_LIKE, "a\rb", "普通文字", 12], start=1):
        xlsx_safety.put(ws.cell(row=row, column=1), value)

    book = load_workbook(io.BytesIO(xlsx_safety.workbook_bytes(workbook)))
    cells = [book.active.cell(row=row, column=1) for row in range(1, 10)]

    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        *((value, "s", True) for value in FORMULA_LIKE),
        ("a\rb", "s", False),
        ("普通文字", "s", False),
        (12, "n", False),
    ]
