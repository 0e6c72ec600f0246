"""The 任务分解表 import: the seed plan's table, an edited copy, a GBK CSV, and bad tables."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from planning import tableio
from targets.models import Plan, Target
from targets.tests.world import db_fingerprint

URL = reverse("planning:table-import")
FIELDS = ("name", "kind", "direction", "standard", "goal", "unit_of_measure", "deadline", "lead_official")


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())
    return Plan.objects.get(district="中原区", year=2020)


@pytest.fixture
def empty_plan(db):
    return Plan.objects.create(
        district="样例区",
        year=2020,
        title="空计划",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
    )


def _snapshot(plan):
    return {
        t.code: (
            t.key_task.number,
            t.key_task.title,
            *(getattr(t, f) for f in FIELDS),
            tuple(sorted(u.name for u in t.responsible_units.all())),
        )
        for t in Target.objects.filter(key_task__plan=plan)
        .exclude(kind="monitored")
        .select_related("key_task")
    }


def _example(client, plan) -> bytes:
    response = client.get(reverse("planning:table-export", args=[plan.pk]))
    assert response.status_code == 200
    return response.content


def _upload(client, plan, name, data):
    return client.post(URL, {"plan": str(plan.pk), "file": SimpleUploadedFile(name, data)})


def _import(client, plan, name, data):
    preview = _upload(client, plan, name, data)
    assert preview.status_code == 200, [r.errors for r in preview.context["rows"]] or preview.context[
        "errors"
    ]
    done = client.post(URL, {"confirm": preview.context["token"]})
    assert done.status_code == 200
    return preview, done


def _sheet_rows(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def _workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_seed_table_then_an_edited_copy(chief_client, seed, empty_plan):
    example = _example(chief_client, seed)
    rows = _sheet_rows(example)
    assert rows[0] == [
        "序号",
        "重点工作",
        "具体任务",
        "量化指标",
        "目标值",
        "计量单位",
        "完成时限",
        "牵头单位",
        "责任单位",
        "分包领导",
    ]
    assert len(rows) == 1 + 25  # the seed's 25 targets (its monitored indicators are not tasks)
    before = db_fingerprint()
    preview = _upload(chief_client, empty_plan, "seed.xlsx", example)
    assert db_fingerprint() == before  # the preview writes nothing
    assert [r.action for r in preview.context["rows"]] == ["create"] * 25
    preview, done = _import(chief_client, empty_plan, "seed.xlsx", example)
    assert done.context["counts"] == {"created": 25, "changed": 0, "same": 0, "units": 0}
    # Every created row: the same task, name, kind, goal, unit, deadline, units and leader as the seed.
    assert _snapshot(empty_plan) == _snapshot(seed)
    assert empty_plan.key_tasks.count() == 4  # tasks 3, 5, 6, 7 hold the seed's targets

    # The same table again: nothing changes, nothing is duplicated.
    _preview, done = _import(chief_client, empty_plan, "seed.xlsx", example)
    assert done.context["counts"] == {"created": 0, "changed": 0, "same": 25, "units": 0}
    assert Target.objects.filter(key_task__plan=empty_plan).count() == 25

    # An edited copy: a goal, a deadline, a leader and units changed, one row added.
    header, *body = rows
    by_code = {row[0]: row for row in body}
    by_code["6-10"][4] = 40
    by_code["6-01"][6] = dt.datetime(2020, 10, 31)
    by_code["7-01"][9] = "张三"
    by_code["7-01"][7], by_code["7-01"][8] = "区教育局", "须水街道、林山寨街道"
    body.append(["6-12", "6 高标准做好“双改”工作", "新建口袋公园", "", 12, "个", "2020-11-30", "", "", ""])
    before_snapshot = _snapshot(empty_plan)
    preview, done = _import(chief_client, empty_plan, "edited.xlsx", _workbook([header, *body]))
    changes = {r.code: (r.action, r.changes) for r in preview.context["rows"] if r.action != "same"}
    assert changes == {
        "6-01": ("change", [("完成期限", "2020-09-30", "2020-10-31")]),
        "6-10": ("change", [("目标值", "37", "40")]),
        "7-01": ("change", [("分包领导", "—", "张三"), ("责任单位", "—", "区教育局、须水街道、林山寨街道")]),
        "6-12": ("create", []),
    }
    assert done.context["counts"] == {"created": 1, "changed": 3, "same": 22, "units": 3}
    after = _snapshot(empty_plan)
    assert {c for c in after if after.get(c) != before_snapshot.get(c)} == {"6-01", "6-10", "7-01", "6-12"}
    assert after["6-10"][6] == Decimal("40.00")
    assert after["6-01"][8] == dt.date(2020, 10, 31)
    assert after["7-01"][9:] == ("张三", ("区教育局", "林山寨街道", "须水街道"))
    assert after["6-12"] == (
        6,
        "高标准做好“双改”工作",
        "新建口袋公园",
        "cumulative",
        "gte",
        False,
        Decimal("12.00"),
        "个",
        dt.date(2020, 11, 30),
        "",
        (),
    )
    assert Target.objects.filter(key_task__plan=empty_plan).count() == 26


def test_a_gbk_csv_from_chinese_excel(chief_client, seed, empty_plan):
    rows = _sheet_rows(_example(chief_client, seed))
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else v) for v in row]
        )
    data = text.getvalue().encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    _preview, done = _import(chief_client, empty_plan, "分解表.csv", data)
    assert done.context["counts"]["created"] == 25
    assert _snapshot(empty_plan) == _snapshot(seed)


def test_header_variants_and_chinese_deadlines(chief_client, empty_plan):
    data = (
        "编号,重点任务,工作任务,指标,单位,时限,牵头单位,配合单位,责任领导\n"
        "1,1 稳增长,新增规上企业,不少于30家,,三季度,区发改委,区统计局,李四\n"
        "2,1 稳增长,首店经济落地,,,年底前,,,\n"
    ).encode()
    _import(chief_client, empty_plan, "t.csv", data)
    got = {
        t.code: (
            t.name,
            t.kind,
            t.direction,
            t.standard,
            t.goal,
            t.unit_of_measure,
            t.deadline,
            t.lead_official,
        )
        for t in Target.objects.filter(key_task__plan=empty_plan)
    }
    assert got == {
        "1-01": ("新增规上企业", "level", "gte", True, Decimal("30.00"), "家", dt.date(2020, 9, 30), "李四"),
        "1-02": ("首店经济落地", "milestone", "gte", False, None, "", dt.date(2020, 12, 31), ""),
    }


def _refused(client, plan, name, data, status=400):
    before = db_fingerprint()
    response = _upload(client, plan, name, data)
    assert response.status_code == status
    assert db_fingerprint() == before
    return response.context["errors"]


def test_bad_tables_get_clear_messages_and_change_nothing(chief_client, seed):
    assert _refused(chief_client, seed, "t.csv", "序号,重点工作,具体任务\n1-01,1 x,y\n".encode()) == [
        "缺少列:“完成时限”。请使用下载的模板。"
    ]
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点工作", "具体任务", "完成时限"])
    ws.append(["6-02", "6 双改", "道路改造", "2020-12-31"])
    ws.append(["6-20", None, "新任务", "2020-12-31"])
    ws.merge_cells("B2:B3")
    buffer = io.BytesIO()
    wb.save(buffer)
    assert _refused(chief_client, seed, "merged.xlsx", buffer.getvalue()) == [
        "表中不能有合并单元格:B2:B3。请取消合并,并在每一行填写完整后再上传。"
    ]
    big = b"x" * (50 * 1024 * 1024)
    assert _refused(chief_client, seed, "big.xlsx", big, status=413) == [
        "文件过大(50.0 MB),上传的文件不能超过 5 MB。"
    ]
    wb = Workbook()
    wb.active.append(["序号", "重点工作", "具体任务", "完成时限", "目标值"])
    wb.active.append(["6-02", "6 双改", "道路改造", "2020-12-31", "=2+2"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert _refused(chief_client, seed, "formula.xlsx", buffer.getvalue()) == [
        "以下单元格含有公式:E2。请改为直接填写的内容后再上传。"
    ]
    assert _refused(chief_client, seed, "t.xls", b"\xd0\xcf\x11\xe0") == [
        "只能上传 .xlsx 或 .csv 格式的任务分解表。"
    ]


def test_row_errors_are_listed_per_row_and_nothing_is_imported(chief_client, seed):
    data = (
        "序号,重点工作,具体任务,目标值,完成时限\n"
        "6-10,6 双改,道路建成通车,abc,2020-12-31\n"
        "6-13,6 双改,新任务,5,下个月\n"
        "3-01,6 双改,错任务,5,2020-12-31\n"
        "6-13,6 双改,重复,5,2020-12-31\n"
    ).encode()
    before = db_fingerprint()
    response = _upload(chief_client, seed, "t.csv", data)
    assert response.status_code == 400
    assert db_fingerprint() == before
    assert [(r.row, r.errors) for r in response.context["rows"]] == [
        (2, ["目标值“abc”不是数字。"]),
        (3, ["完成时限“下个月”无法识别(如 2020-09-30 或 9月底前)。"]),
        (4, ["序号 3-01 与重点工作 6 不一致。"]),
        (5, ["序号 6-13 与第 3 行重复。"]),
    ]


def test_the_blank_template(chief_client):
    response = chief_client.get(reverse("planning:table-template"))
    assert response.status_code == 200
    assert _sheet_rows(response.content) == [list(h[0] for h in tableio.HEADERS.values())]


def test_an_expired_confirmation_changes_nothing(chief_client, seed):
    before = db_fingerprint()
    response = chief_client.post(URL, {"confirm": "no-such-token"})
    assert response.status_code == 400
    assert response.context["errors"] == ["导入已失效(保留一小时)或已完成,请重新上传。"]
    assert db_fingerprint() == before
