"""The Excel round trip: template download, upload checks, preview and confirmation."""

import datetime as dt
import io
import os
import zipfile
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from entry.roles import ADMIN, REPORTER, REVIEWER, assign_role
from entry.write import Entry, save_entries
from entry.xlsx import sheetcells
from targets.models import Figure, Target
from targets.tests.factories import make_figure, make_target, make_unit, make_user

TEMPLATE_URL = "admin:targets_figure_xlsx_template"
IMPORT_URL = "admin:targets_figure_xlsx_import"
MONTH = "2020-06"
JUNE = dt.date(2020, 6, 1)
COL = {title: index + 1 for index, title in enumerate(sheetcells.COLUMNS)}


@pytest.fixture
def unit(db):
    return make_unit("测试局")


@pytest.fixture
def other_unit(db):
    return make_unit("其他局")


@pytest.fixture
def reporter(unit):
    user = make_user("reporter")
    assign_role(user, REPORTER)
    unit.members.add(user)
    return user


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def targets(task, unit, other_unit, reporter):
    cumulative = make_target(task, "1-01", name="新建项目", goal=Decimal("100"), units=[unit])
    level = make_target(
        task,
        "1-02",
        name="达标率",
        kind=Target.Kind.LEVEL,
        goal=Decimal("50"),
        unit_of_measure="%",
        units=[unit],
    )
    milestone = make_target(
        task, "1-03", name="建成平台", kind=Target.Kind.MILESTONE, goal=None, unit_of_measure="", units=[unit]
    )
    foreign = make_target(task, "1-09", name="别人的目标", units=[other_unit])
    make_figure(cumulative, dt.date(2020, 5, 1), 40)
    make_figure(level, JUNE, 30, status=Figure.Status.DRAFT, entered_by=reporter)
    return {"cumulative": cumulative, "level": level, "milestone": milestone, "foreign": foreign}


def snapshot():
    return list(Figure.objects.order_by("pk").values_list("pk", "value", "version", "status"))


def download(client, unit, month=MONTH):
    response = client.get(reverse(TEMPLATE_URL), {"unit": unit.pk, "month": month})
    assert response.status_code == 200, response.content.decode()[:500]
    return load_workbook(io.BytesIO(response.content))


def row_of(ws, code):
    for row in range(sheetcells.HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=row, column=COL["编号"]).value == code:
            return row
    raise AssertionError(code)


def fill(ws, code, **values):
    row = row_of(ws, code)
    for title, value in values.items():
        ws.cell(row=row, column=COL[title], value=value)
    return row


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, unit, content: bytes, name="填报表.xlsx", month=MONTH):
    return client.post(
        reverse(IMPORT_URL),
        {"unit": unit.pk, "month": month, "file": SimpleUploadedFile(name, content)},
    )


def text(response) -> str:
    return response.content.decode()


# --- template download -------------------------------------------------------------------------


def test_template_lists_the_units_targets_with_locked_info_and_hidden_ids(reporter_client, unit, targets):
    response = reporter_client.get(reverse(TEMPLATE_URL), {"unit": unit.pk, "month": MONTH})

    assert response.status_code == 200
    assert response["Content-Type"] == sheetcells.XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('月度数据_测试局_2020-06.xlsx')}" in disposition
    ws = load_workbook(io.BytesIO(response.content))[sheetcells.SHEET_TITLE]
    assert ws["B2"].value == "测试局"
    assert ws["B3"].value == "2020-06"
    header = [
        ws.cell(row=sheetcells.HEADER_ROW, column=c).value for c in range(1, len(sheetcells.COLUMNS) + 1)
    ]
    assert header == [
        "编号",
        "目标名称",
        "计量单位",
        "目标值",
        "上月数值",
        "本月数值",
        "是否完成(里程碑)",
        "完成日期",
        "进展情况",
        "存在问题",
        "更正原因",
        "异常说明",
        "目标ID",
        "数据版本",
    ]
    codes = [ws.cell(row=r, column=1).value for r in range(sheetcells.HEADER_ROW + 1, ws.max_row + 1)]
    assert codes == ["1-01", "1-02", "1-03"]

    cumulative = row_of(ws, "1-01")
    assert ws.cell(row=cumulative, column=COL["目标值"]).value == 100
    assert ws.cell(row=cumulative, column=COL["目标值"]).data_type == "n"
    assert ws.cell(row=cumulative, column=COL["上月数值"]).value == 40
    assert ws.cell(row=cumulative, column=COL["目标ID"]).value == targets["cumulative"].pk
    assert ws.cell(row=cumulative, column=COL["数据版本"]).value is None
    level = row_of(ws, "1-02")
    assert ws.cell(row=level, column=COL["本月数值"]).value == 30
    assert ws.cell(row=level, column=COL["数据版本"]).value == 1

    assert ws.protection.sheet
    for title in ["编号", "目标名称", "计量单位", "目标值", "上月数值", "目标ID", "数据版本"]:
        assert ws.cell(row=cumulative, column=COL[title]).protection.locked, title
    for title in ["本月数值", "进展情况", "存在问题", "更正原因", "异常说明"]:
        assert not ws.cell(row=cumulative, column=COL[title]).protection.locked, title
    assert ws.column_dimensions[get_column_letter(COL["目标ID"])].hidden
    assert ws.column_dimensions[get_column_letter(COL["数据版本"])].hidden


def test_template_form_offers_only_the_users_units(reporter_client, unit, other_unit):
    response = reporter_client.get(reverse(TEMPLATE_URL))

    assert response.status_code == 200
    assert [u.name for u in response.context["units"]] == ["测试局"]
    assert "其他局" not in text(response)


def test_template_form_offers_admins_every_unit(client, unit, other_unit):
    admin = make_user("boss")
    assign_role(admin, ADMIN)
    client.force_login(admin)

    response = client.get(reverse(TEMPLATE_URL))

    assert {u.name for u in response.context["units"]} == {"测试局", "其他局"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"unit": "abc", "month": MONTH}, "所选责任单位不存在"),
        ({"unit": "99999", "month": MONTH}, "所选责任单位不存在"),
        ({"month": MONTH}, "请选择责任单位"),
        ({"unit": "UNIT", "month": "2020-13"}, "月份格式应为 YYYY-MM"),
        ({"unit": "UNIT", "month": "六月"}, "月份格式应为 YYYY-MM"),
        ({"unit": "UNIT"}, "请选择月份"),
    ],
)
def test_template_bad_params_give_400(reporter_client, unit, params, message):
    params = {k: str(unit.pk) if v == "UNIT" else v for k, v in params.items()}

    response = reporter_client.get(reverse(TEMPLATE_URL), params)

    assert response.status_code == 400
    assert message in text(response)


def test_template_of_another_unit_is_forbidden(reporter_client, other_unit, targets):
    response = reporter_client.get(reverse(TEMPLATE_URL), {"unit": other_unit.pk, "month": MONTH})

    assert response.status_code == 403


# --- round trip ------------------------------------------------------------------------------


def test_round_trip_previews_then_stores_drafts(reporter_client, reporter, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb[sheetcells.SHEET_TITLE]
    fill(ws, "1-01", 本月数值=55.5, 进展情况="已开工 5 个")
    fill(ws, "1-02", 本月数值=35)
    fill(ws, "1-03", **{"是否完成(里程碑)": "是", "完成日期": dt.datetime(2020, 6, 10)})
    before = snapshot()

    preview = upload(reporter_client, unit, to_bytes(wb))

    assert preview.status_code == 200, text(preview)
    assert snapshot() == before
    rows = {r["code"]: r for r in preview.context["rows"]}
    assert (rows["1-01"]["old"], rows["1-01"]["new"]) == ("—", "55.5 个")
    assert (rows["1-02"]["old"], rows["1-02"]["new"]) == ("30 %", "35 %")
    assert (rows["1-03"]["old"], rows["1-03"]["new"]) == ("—", "已完成(2020-06-10)")
    assert rows["1-01"]["others"] == ["进展情况"]
    assert "30 % → 35 %" in text(preview)
    token = preview.context["token"]
    assert token

    confirmed = reporter_client.post(reverse(IMPORT_URL), {"confirm": token})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:targets_figure_changelist")
    stored = {f.target.code: f for f in Figure.objects.filter(month=JUNE).select_related("target")}
    assert stored["1-01"].value == Decimal("55.50")
    assert stored["1-01"].progress_note == "已开工 5 个"
    assert stored["1-02"].value == Decimal("35")
    assert stored["1-02"].version == 2
    assert stored["1-03"].reached is True
    assert stored["1-03"].reached_on == dt.date(2020, 6, 10)
    for figure in stored.values():
        assert figure.status == Figure.Status.DRAFT
        assert figure.entered_by == reporter
        assert figure.updated_by == reporter
    followed = reporter_client.get(confirmed["Location"])
    assert "已导入 3 条月度数据" in text(followed)


def test_unit_and_month_come_from_the_file_and_import_can_submit(reporter_client, reporter, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb[sheetcells.SHEET_TITLE], "1-01", 本月数值=55.5)
    fill(wb[sheetcells.SHEET_TITLE], "1-02", 本月数值=35)

    # Nothing but the file is posted: the unit and month are read from rows 2 and 3.
    preview = reporter_client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("填报表.xlsx", to_bytes(wb))}
    )

    assert preview.status_code == 200, text(preview)
    assert (preview.context["file_unit"], preview.context["file_month"]) == (unit, JUNE)
    assert "从文件中读取:责任单位 测试局,月份 2020-06。" in text(preview)
    assert '<input type="submit" name="_save" value="导入为草稿">' in text(preview)
    assert '<input type="submit" name="_submit" class="default" value="导入并报送">' in text(preview)

    confirmed = reporter_client.post(
        reverse(IMPORT_URL), {"confirm": preview.context["token"], "_submit": "1"}
    )

    assert confirmed.status_code == 302
    stored = {f.target.code: f for f in Figure.objects.filter(month=JUNE).select_related("target")}
    assert {code: (f.value, f.status) for code, f in stored.items()} == {
        "1-01": (Decimal("55.50"), Figure.Status.SUBMITTED),
        "1-02": (Decimal("35.00"), Figure.Status.SUBMITTED),
    }
    assert stored["1-01"].submitted_at is not None
    assert "已导入并报送审核 2 条月度数据。" in text(reporter_client.get(confirmed["Location"]))


def test_token_is_single_use(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-01", 本月数值=50)
    token = upload(reporter_client, unit, to_bytes(wb)).context["token"]
    assert reporter_client.post(reverse(IMPORT_URL), {"confirm": token}).status_code == 302
    before = snapshot()

    again = reporter_client.post(reverse(IMPORT_URL), {"confirm": token})

    assert again.status_code == 400
    assert "导入预览已过期或已经确认过" in text(again)
    assert snapshot() == before


def test_unknown_token_is_refused(reporter_client, unit, targets):
    before = snapshot()

    response = reporter_client.post(reverse(IMPORT_URL), {"confirm": "no-such-token"})

    assert response.status_code == 400
    assert "导入预览已过期或已经确认过" in text(response)
    assert snapshot() == before


def test_empty_and_unchanged_rows_are_skipped(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb.active
    fill(ws, "1-01", 本月数值=45)
    # 1-02 keeps its stored value (unchanged); 1-03 stays empty; two blank rows at the end.
    last = ws.max_row
    ws.cell(row=last + 2, column=COL["进展情况"], value="   ")
    ws.cell(row=last + 3, column=COL["计量单位"]).value = ""

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 200, text(response)
    assert [r["code"] for r in response.context["rows"]] == ["1-01"]
    assert response.context["unchanged"] == 1
    assert response.context["empty"] == 1


def test_file_without_changes_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    assert "文件中没有新填或修改的数据" in text(response)
    assert not response.context["token"]


def test_stale_version_at_confirm_time_is_refused(reporter_client, reporter, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-01", 本月数值=50)
    fill(wb.active, "1-02", 本月数值=36)
    token = upload(reporter_client, unit, to_bytes(wb)).context["token"]
    # Someone else saves 1-02 between the preview and the confirmation.
    colleague = make_user("colleague")
    assign_role(colleague, REPORTER)
    unit.members.add(colleague)
    save_entries(
        [Entry(target=targets["level"], month=JUNE, value=Decimal("38"), base_version=1)], user=colleague
    )
    before = snapshot()

    response = reporter_client.post(reverse(IMPORT_URL), {"confirm": token, "unit": unit.pk, "month": MONTH})

    assert response.status_code == 409
    assert "没有保存任何数据" in text(response)
    assert "colleague" in text(response)
    assert snapshot() == before
    assert not Figure.objects.filter(target=targets["cumulative"], month=JUNE).exists()


def test_stale_version_at_upload_time_is_shown_in_preview(reporter_client, reporter, unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-02", 本月数值=36)
    Figure.objects.filter(target=targets["level"], month=JUNE).update(version=5, value=Decimal("37"))
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    assert "您的修改未保存" in text(response)
    assert not response.context["token"]
    assert snapshot() == before


def test_warning_blocks_until_explained(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    row = fill(wb.active, "1-01", 本月数值=400)

    warned = upload(reporter_client, unit, to_bytes(wb))

    assert warned.status_code == 400
    assert "超过目标值" in text(warned)
    assert not warned.context["token"]

    wb.active.cell(row=row, column=COL["异常说明"], value="含上年结转项目,数值无误")
    explained = upload(reporter_client, unit, to_bytes(wb))

    assert explained.status_code == 200, text(explained)
    assert explained.context["token"]


def test_submitted_figure_cannot_be_changed_by_reporter(reporter_client, unit, targets):
    Figure.objects.filter(target=targets["level"], month=JUNE).update(status=Figure.Status.SUBMITTED)
    wb = download(reporter_client, unit)
    row = row_of(wb.active, "1-02")
    assert wb.active.cell(row=row, column=COL["本月数值"]).protection.locked
    fill(wb.active, "1-02", 本月数值=31)
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    assert "已报送" in text(response)
    assert snapshot() == before


# --- bad files -------------------------------------------------------------------------------


def _template_bytes(client, unit) -> bytes:
    return to_bytes(download(client, unit))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("填报表.xlsx", lambda good: b"", "上传的文件是空的"),
        ("填报表.xlsx", lambda good: "这只是一个文本文件\n".encode() * 20, "不是有效的 .xlsx 文件"),
        ("填报表.txt", lambda good: good, "只能上传 .xlsx 格式"),
        ("填报表.xls", lambda good: good, "不支持旧版 .xls 文件"),
        ("填报表.xlsx", lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 .xls 格式"),
        ("填报表.xlsx", lambda good: good[: len(good) // 2], "不是有效的 .xlsx 文件"),
        ("填报表.xlsx", lambda good: good[:-30], "不是有效的 .xlsx 文件"),
        ("填报表.xlsx", lambda good: _zip({"hello.txt": b"hi"}), "不是有效的 .xlsx 文件"),
        (
            "填报表.xlsx",
            lambda good: _zip({"[Content_Types].xml": b"<broken", "xl/workbook.xml": b"<nope/>"}),
            "不是有效的 .xlsx 文件",
        ),
    ],
    ids=[
        "empty",
        "text-renamed",
        "txt",
        "xls-name",
        "xls-content",
        "truncated",
        "cut-tail",
        "zip",
        "bad-xml",
    ],
)
def test_unreadable_files_are_refused(reporter_client, unit, targets, name, make, message):
    content = make(_template_bytes(reporter_client, unit))
    before = snapshot()

    response = upload(reporter_client, unit, content, name=name)

    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


def test_file_over_5_mb_is_refused(reporter_client, unit, targets):
    before = snapshot()

    response = upload(reporter_client, unit, os.urandom(sheetcells.MAX_UPLOAD_BYTES + 1), name="大文件.xlsx")

    assert response.status_code == 413
    assert "不能超过 5 MB" in text(response)
    assert snapshot() == before


def _header_cell(ws, title):
    return ws.cell(row=sheetcells.HEADER_ROW, column=COL[title])


def _extra_column(ws):
    ws.cell(row=sheetcells.HEADER_ROW, column=len(sheetcells.COLUMNS) + 1, value="备注")


def _missing_column(ws):
    ws.delete_cols(COL["更正原因"])


def _renamed_column(ws):
    _header_cell(ws, "本月数值").value = "本月完成"


def _merged(ws):
    row = row_of(ws, "1-01")
    ws.cell(row=row, column=COL["本月数值"], value=5)
    ws.merge_cells(start_row=row, start_column=COL["进展情况"], end_row=row, end_column=COL["存在问题"])


def _formula(ws):
    ws.cell(row=row_of(ws, "1-01"), column=COL["本月数值"], value="=40+5")


def _text_in_number(ws):
    ws.cell(row=row_of(ws, "1-01"), column=COL["本月数值"], value="约50")


def _bad_reached(ws):
    ws.cell(row=row_of(ws, "1-03"), column=COL["是否完成(里程碑)"], value="差不多")


def _bad_date(ws):
    row = row_of(ws, "1-03")
    ws.cell(row=row, column=COL["是否完成(里程碑)"], value="是")
    ws.cell(row=row, column=COL["完成日期"], value="上周")


def _unknown_code(ws):
    row = ws.max_row + 1
    ws.cell(row=row, column=COL["编号"], value="9-99")
    ws.cell(row=row, column=COL["本月数值"], value=5)


def _duplicate_code(ws):
    fill(ws, "1-01", 本月数值=50)
    row = ws.max_row + 1
    ws.cell(row=row, column=COL["编号"], value="1-01")
    ws.cell(row=row, column=COL["本月数值"], value=60)


def _missing_code(ws):
    ws.cell(row=ws.max_row + 1, column=COL["本月数值"], value=5)


def _milestone_value(ws):
    fill(ws, "1-03", 本月数值=1)


def _too_many_decimals(ws):
    fill(ws, "1-01", 本月数值=50.125)


def _negative(ws):
    fill(ws, "1-01", 本月数值=-3)


def _bad_month(ws):
    fill(ws, "1-01", 本月数值=50)
    ws["B3"].value = "六月"


def _unknown_unit(ws):
    fill(ws, "1-01", 本月数值=50)
    ws["B2"].value = "没有这个局"


def _no_unit_or_month(ws):
    fill(ws, "1-01", 本月数值=50)
    ws["B2"].value = None
    ws["A3"].value = None


def _no_header(ws):
    for col in range(1, len(sheetcells.COLUMNS) + 1):
        ws.cell(row=sheetcells.HEADER_ROW, column=col).value = None


@pytest.mark.parametrize(
    ("mutate", "messages"),
    [
        (_extra_column, ["表头与模板不一致", "多出列:“备注”"]),
        (_missing_column, ["表头与模板不一致", "缺少列:“更正原因”"]),
        (_renamed_column, ["缺少列:“本月数值”", "多出列:“本月完成”", "F 列“本月完成”应为“本月数值”"]),
        (_no_header, ["未找到表头行"]),
        (_merged, ["合并单元格", "I12:J12"]),
        (_formula, ["含有公式", "F12"]),
        (_text_in_number, ["第 12 行“本月数值”列(F12):“约50”不是数字。"]),
        (_bad_reached, ["第 14 行“是否完成(里程碑)”列(G14)只能填“是”或“否”"]),
        (_bad_date, ["第 14 行“完成日期”列(H14):“上周”不是有效日期"]),
        (_unknown_code, ["第 15 行:编号“9-99”在 2020-06 所属年度计划中不存在"]),
        (_duplicate_code, ["第 15 行:编号“1-01”与第 12 行重复"]),
        (_missing_code, ["第 15 行:缺少编号"]),
        (_milestone_value, ["第 14 行:“1-03”是里程碑目标"]),
        (_too_many_decimals, ["数值最多保留 2 位小数,“50.125”的小数位数过多。"]),
        (_negative, ["数值不能为负数"]),
        (_bad_month, ["文件中的月份“六月”无效,应为“年-月”,如 2020-06。"]),
        (_unknown_unit, ["文件中的责任单位“没有这个局”不存在,请下载本单位的模板填写。"]),
        (
            _no_unit_or_month,
            [
                "文件中没有写明责任单位(模板第 2 行“责任单位”),请使用下载的模板。",
                "文件中没有写明月份(模板第 3 行“月份”),请使用下载的模板。",
            ],
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_bad_content_is_refused_with_a_message(reporter_client, unit, targets, mutate, messages):
    assert sheetcells.HEADER_ROW == 11  # the expected cell names below assume data from row 12
    wb = download(reporter_client, unit)
    mutate(wb[sheetcells.SHEET_TITLE])
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    for message in messages:
        assert message in text(response)
    assert not response.context["token"]
    assert snapshot() == before


def test_row_for_another_units_target_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    ws = wb.active
    fill(ws, "1-01", 本月数值=50)
    row = ws.max_row + 1
    ws.cell(row=row, column=COL["编号"], value="1-09")
    ws.cell(row=row, column=COL["本月数值"], value=7)
    ws.cell(row=row, column=COL["目标ID"], value=targets["foreign"].pk)
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    assert f"第 {row} 行:目标“1-09”不由测试局负责" in text(response)
    assert snapshot() == before


def test_hidden_id_of_another_target_is_refused(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    row = fill(wb.active, "1-01", 本月数值=50, 目标ID=targets["foreign"].pk)
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 400
    assert f"第 {row} 行:编号“1-01”与隐藏的目标ID不一致" in text(response)
    assert snapshot() == before


def test_upload_for_another_unit_is_forbidden(reporter_client, unit, other_unit, targets):
    wb = download(reporter_client, unit)
    fill(wb.active, "1-01", 本月数值=50)
    wb.active["B2"].value = other_unit.name  # the file names the unit, whatever the form says
    before = snapshot()

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 403
    assert snapshot() == before


def test_reviewer_may_not_import(client, unit, targets):
    reviewer = make_user("reviewer")
    assign_role(reviewer, REVIEWER)
    client.force_login(reviewer)

    assert client.get(reverse(IMPORT_URL)).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": "x", "month": MONTH}, "请选择要上传的 .xlsx 文件"),
        ({"unit": "UNIT", "month": MONTH}, "请选择要上传的 .xlsx 文件"),
        ({}, "请选择要上传的 .xlsx 文件"),
    ],
)
def test_import_form_errors_give_400(reporter_client, unit, targets, data, message):
    data = {k: str(unit.pk) if v == "UNIT" else v for k, v in data.items()}

    response = reporter_client.post(reverse(IMPORT_URL), data)

    assert response.status_code == 400
    assert message in text(response)


def test_import_form_page(reporter_client, unit):
    response = reporter_client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in text(response)
    # Unit and month come from the file: the form asks for the file alone.
    assert "责任单位和月份从文件表头(第 2、3 行)读取,无需另选。" in text(response)
    assert 'name="unit"' not in text(response)
    assert 'name="month"' not in text(response)


def test_foreign_workbook_with_right_header_is_read(reporter_client, unit, targets):
    """A workbook built from scratch with the exact header and the unit and month above it is accepted."""
    wb = Workbook()
    ws = wb.active
    ws.append(["责任单位", unit.name])
    ws.append(["月份", MONTH])
    ws.append(sheetcells.COLUMNS)
    ws.append(["1-01", None, None, None, None, 50])
    ws.append([])
    ws.append(["1-02", "达标率", "%", 50, None, 33, None, None, None, None, None, None, None, 1])

    response = upload(reporter_client, unit, to_bytes(wb))

    assert response.status_code == 200, text(response)
    assert [r["code"] for r in response.context["rows"]] == ["1-01", "1-02"]


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "99999999999999999999999", "month": MONTH},
        {"unit": "-1", "month": MONTH},
        {"unit": "1.5", "month": MONTH},
        {"unit": "", "month": ""},
        {"unit": "UNIT", "month": "2020-00"},
        {"unit": "UNIT", "month": "99999-01"},
        {"unit": "UNIT", "month": "2020-06\x00"},
    ],
)
def test_odd_parameters_never_crash(reporter_client, unit, targets, params):
    params = {k: str(unit.pk) if v == "UNIT" else v for k, v in params.items()}

    assert reporter_client.get(reverse(TEMPLATE_URL), params).status_code == 400
    assert reporter_client.post(reverse(IMPORT_URL), params).status_code == 400


# --- languages -------------------------------------------------------------------------------

ENGLISH_HEADER = [
    "Code",
    "Target name",
    "Unit of measure",
    "Goal",
    "Previous month",
    "Value this month",
    "Achieved (milestone)",
    "Date achieved",
    "Progress",
    "Problems",
    "Reason for correction",
    "Explanation of unusual value",
    "Target ID",
    "Version",
]


@pytest.fixture
def english(reporter_client, settings):
    reporter_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield reporter_client
    translation.activate(settings.LANGUAGE_CODE)


def header_of(ws) -> list:
    return [ws.cell(row=sheetcells.HEADER_ROW, column=c).value for c in range(1, len(sheetcells.COLUMNS) + 1)]


def fill_at(ws, code, **values):
    """Like `fill`, by column key (the Chinese header), whatever language the sheet is in."""
    row = next(
        r for r in range(sheetcells.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code
    )
    for key, value in values.items():
        ws.cell(row=row, column=COL[key], value=value)
    return row


def test_english_template_has_english_sheet_labels_headers_and_instructions(english, unit, targets):
    response = english.get(reverse(TEMPLATE_URL), {"unit": unit.pk, "month": MONTH})

    assert response.status_code == 200
    assert (
        f"filename*=utf-8''{quote('monthly_figures_测试局_2020-06.xlsx')}" in response["Content-Disposition"]
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Monthly figures"]
    ws = wb["Monthly figures"]
    assert [
        ws["A1"].value,
        ws["A2"].value,
        ws["B2"].value,
        ws["A3"].value,
        ws["B3"].value,
        ws["A4"].value,
    ] == [
        "Monthly figures reporting sheet",
        "Responsible unit",
        "测试局",
        "Month",
        "2020-06",
        "Instructions",
    ]
    assert (
        ws["B4"].value
        == "1. Fill in the white cells only; the grey cells are information and must not be changed."
    )
    assert header_of(ws) == ENGLISH_HEADER
    # The data keeps its language.
    assert ws.cell(row=row_of(ws, "1-01"), column=COL["目标名称"]).value == "新建项目"
    choices = {v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"}
    assert choices == {'"Yes,No"'}


def test_chinese_template_is_unchanged(reporter_client, unit, targets):
    ws = download(reporter_client, unit)["月度数据"]
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value, ws["A4"].value] == [
        "月度数据填报表",
        "责任单位",
        "月份",
        "填报说明",
    ]
    assert ws["B4"].value == "1. 仅填写白色单元格;灰色单元格为只读信息,请勿修改。"
    assert header_of(ws) == sheetcells.COLUMNS
    choices = {v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"}
    assert choices == {'"是,否"'}


def test_english_template_filled_in_uploads_and_saves(english, reporter, unit, targets):
    wb = download(english, unit)
    ws = wb["Monthly figures"]
    fill_at(ws, "1-01", 本月数值=55.5, 进展情况="已开工 5 个", 存在问题="用地")
    fill_at(ws, "1-03", **{"是否完成(里程碑)": "Yes", "完成日期": dt.datetime(2020, 6, 10)})

    preview = upload(english, unit, to_bytes(wb), name="monthly_figures.xlsx")

    assert preview.status_code == 200, text(preview)
    rows = {r["code"]: r for r in preview.context["rows"]}
    assert (rows["1-01"]["old"], rows["1-01"]["new"], rows["1-01"]["others"]) == (
        "—",
        "55.5 个",
        ["Progress", "Problems"],
    )
    assert "<td>Progress, Problems</td>" in text(preview)
    assert (rows["1-03"]["old"], rows["1-03"]["new"]) == ("—", "Achieved (2020-06-10)")
    confirmed = english.post(reverse(IMPORT_URL), {"confirm": preview.context["token"]})
    assert confirmed.status_code == 302
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        "Imported 2 monthly figures as drafts; please check them and submit them for review."
    ]
    stored = {f.target.code: f for f in Figure.objects.filter(month=JUNE, entered_by=reporter)}
    assert stored["1-01"].value == Decimal("55.50")
    assert stored["1-01"].progress_note == "已开工 5 个"
    assert (stored["1-03"].reached, stored["1-03"].reached_on) == (True, dt.date(2020, 6, 10))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_one_imported_figure_is_singular(reporter_client, unit, targets, language, settings):
    reporter_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    wb = download(reporter_client, unit)
    fill_at(wb.active, "1-01", 本月数值=50)
    token = upload(reporter_client, unit, to_bytes(wb)).context["token"]
    confirmed = reporter_client.post(reverse(IMPORT_URL), {"confirm": token})
    expected = {
        "en": "Imported 1 monthly figure as a draft; please check it and submit it for review.",
        "zh-hans": "已导入 1 条月度数据,保存为草稿;请核对后报送审核。",
    }[language]
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [expected]
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(("download_in", "upload_in"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_a_template_uploads_whichever_language_is_active(
    reporter_client, unit, targets, settings, download_in, upload_in
):
    reporter_client.cookies[settings.LANGUAGE_COOKIE_NAME] = download_in
    wb = download(reporter_client, unit)
    fill_at(wb.active, "1-01", 本月数值=50)
    fill_at(
        wb.active,
        "1-03",
        **{"是否完成(里程碑)": "否"} if download_in == "zh-hans" else {"是否完成(里程碑)": "no"},
    )
    reporter_client.cookies[settings.LANGUAGE_COOKIE_NAME] = upload_in

    preview = upload(reporter_client, unit, to_bytes(wb))

    assert preview.status_code == 200, text(preview)
    assert sorted(r["code"] for r in preview.context["rows"]) == ["1-01", "1-03"]
    assert reporter_client.post(reverse(IMPORT_URL), {"confirm": preview.context["token"]}).status_code == 302
    assert Figure.objects.get(target=targets["milestone"], month=JUNE).reached is False
    translation.activate(settings.LANGUAGE_CODE)


def test_upload_errors_are_in_english_when_english_is_active(english, unit, targets):
    wb = download(english, unit)
    ws = wb.active
    text_row = fill_at(ws, "1-01", 本月数值="about 50")
    yes_no_row = fill_at(ws, "1-03", **{"是否完成(里程碑)": "maybe"})

    response = upload(english, unit, to_bytes(wb))

    assert response.status_code == 400
    assert response.context["errors"] == [
        f"Row {text_row}, column “Value this month” (F{text_row}): “about 50” is not a number. Enter digits "
        "only, e.g. 1234.5 or 1,234.5.",
        f"Row {yes_no_row}, column “Achieved (milestone)” (G{yes_no_row}) may only be “Yes” or “No”, "
        "but is “maybe”.",
    ]


def test_upload_errors_stay_chinese_by_default(reporter_client, unit, targets):
    wb = download(reporter_client, unit)
    row = fill_at(wb.active, "1-03", 本月数值=1)
    response = upload(reporter_client, unit, to_bytes(wb))
    assert response.status_code == 400
    assert response.context["errors"] == [
        f"第 {row} 行:“1-03”是里程碑目标,不填“本月数值”,请填写“是否完成(里程碑)”。"
    ]

    wb = download(reporter_client, unit)
    fill_at(wb.active, "1-03", **{"是否完成(里程碑)": "maybe"})
    response = upload(reporter_client, unit, to_bytes(wb))
    assert response.status_code == 400
    assert response.context["errors"] == [
        f"第 {row} 行“是否完成(里程碑)”列(G{row})只能填“是”或“否”,实为“maybe”。"
    ]


def test_milestone_errors_name_the_english_columns(english, unit, targets):
    wb = download(english, unit)
    milestone = fill_at(wb.active, "1-03", 本月数值=1)
    cumulative = fill_at(wb.active, "1-01", 本月数值=50, **{"完成日期": dt.datetime(2020, 6, 1)})

    response = upload(english, unit, to_bytes(wb))

    assert response.status_code == 400
    assert response.context["errors"] == [
        f"Row {cumulative}: “1-01” is not a milestone target; leave “Achieved (milestone)” and "
        "“Date achieved” blank.",
        f"Row {milestone}: “1-03” is a milestone target; leave “Value this month” blank and fill in "
        "“Achieved (milestone)”.",
    ]


def test_renamed_english_header_is_refused_in_english(english, unit, targets):
    wb = download(english, unit)
    wb.active.cell(row=sheetcells.HEADER_ROW, column=COL["本月数值"], value="Amount")

    response = upload(english, unit, to_bytes(wb))

    assert response.status_code == 400
    assert response.context["errors"] == [
        "The header row does not match the template (missing columns: “Value this month”; extra columns: "
        "“Amount”; apparently renamed: column F “Amount” should be “Value this month”). Please use the "
        "downloaded template and do not add, delete, rename or move columns."
    ]


def test_file_without_changes_is_refused_in_english(english, unit, targets):
    response = upload(english, unit, to_bytes(download(english, unit)))

    assert response.status_code == 400
    assert response.context["errors"] == [
        "The file has no new or changed figures (unchanged rows: 1, blank rows: 2)."
    ]
