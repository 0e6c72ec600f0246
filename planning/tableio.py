"""The 任务分解表 (task breakdown table): read an .xlsx or .csv, check every row, apply all or nothing.

Reading an .xlsx goes through the monthly upload's safe path (`entry.xlsx.validation.open_workbook`:
the zip and XML checks of `entry.xlsx.safety` before openpyxl sees the file, then streaming): formulas and
merged cells in the table are refused, sizes and rows are limited. A CSV is read as UTF-8 or, as
Chinese Excel saves it, GBK (GB18030).

Headers are recognised in their usual variants (序号, 重点工作, 具体任务/举措/工作任务, 量化指标/指标,
目标值, 计量单位/单位, 完成时限/时限, 牵头单位, 责任单位/配合单位, 分包领导/责任领导). A row is matched
to a target by its 序号 (the target's code, e.g. 6-02, or a number within its task): a re-imported,
edited table changes targets in place and never duplicates them.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from entry.xlsx import safety as xlsx_safety
from entry.xlsx import sheetcells, validation
from targets.models import Figure, KeyTask, Plan, Target, Unit

from . import textdraft

MAX_UPLOAD_BYTES = sheetcells.MAX_UPLOAD_BYTES
MAX_ROWS = 2000
MAX_COLUMNS = xlsx_safety.MAX_COLUMNS
MAX_CELL = 1000
HEADER_SEARCH_ROWS = 10

# Column key → its headers as tables write them (the first is the template's).
HEADERS = {
    "code": ("序号", "编号"),
    "task": ("重点工作", "重点任务", "工作类别"),
    "name": ("具体任务", "举措", "工作任务", "目标任务", "任务名称"),
    "indicator": ("量化指标", "指标", "目标要求"),
    "goal": ("目标值",),
    "unit": ("计量单位", "单位"),
    "deadline": ("完成时限", "时限", "完成时间"),
    "lead_unit": ("牵头单位",),
    "units": ("责任单位", "配合单位"),
    "leader": ("分包领导", "责任领导"),
}
REQUIRED = ("code", "task", "name", "deadline")
COLUMN_LABELS = {
    "code": gettext_lazy("序号"),
    "task": gettext_lazy("重点工作"),
    "name": gettext_lazy("具体任务"),
    "indicator": gettext_lazy("量化指标"),
    "goal": gettext_lazy("目标值"),
    "unit": gettext_lazy("计量单位"),
    "deadline": gettext_lazy("完成时限"),
    "lead_unit": gettext_lazy("牵头单位"),
    "units": gettext_lazy("责任单位"),
    "leader": gettext_lazy("分包领导"),
}
TEMPLATE_COLUMNS = list(HEADERS)
_HEADER_KEYS = {h: key for key, names in HEADERS.items() for h in names}


class TableRejected(Exception):
    def __init__(self, message: str, *, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


# --- reading ---------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def check_name(name: str, size: int) -> str:
    """'xlsx' or 'csv', or refused by name and size before a byte is read."""
    if size > MAX_UPLOAD_BYTES:
        raise TableRejected(
            _("文件过大(%(size)s MB),上传的文件不能超过 %(limit)s MB。")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            status=413,
        )
    if size == 0:
        raise TableRejected(_("上传的文件是空的。"))
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    raise TableRejected(_("只能上传 .xlsx 或 .csv 格式的任务分解表。"))


def read_table(data: bytes, kind: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header's keys (None for a column we do not know) and the data rows (row number, values)."""
    grid = _read_xlsx(data) if kind == "xlsx" else _read_csv(data)
    header_index = None
    for index, (_number, values) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for v in values if _text(v) in _HEADER_KEYS) >= 3:
            header_index = index
            break
    if header_index is None:
        raise TableRejected(
            _("未找到表头行。表头须含:%(cols)s。")
            % {"cols": "、".join(str(COLUMN_LABELS[k]) for k in REQUIRED)}
        )
    keys = [_HEADER_KEYS.get(_text(v)) for v in grid[header_index][1]]
    found = [k for k in keys if k]
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise TableRejected(
            _("缺少列:%(cols)s。请使用下载的模板。")
            % {"cols": "、".join(f"“{COLUMN_LABELS[k]}”" for k in missing)}
        )
    repeated = sorted({k for k in found if found.count(k) > 1 and k != "units"})
    if repeated:
        raise TableRejected(
            _("重复的列:%(cols)s。") % {"cols": "、".join(f"“{COLUMN_LABELS[k]}”" for k in repeated)}
        )
    rows = [(n, v) for n, v in grid[header_index + 1 :] if any(_text(x) for x in v)]
    if len(rows) > MAX_ROWS:
        raise TableRejected(_("数据行超过 %(n)s 行。") % {"n": MAX_ROWS})
    return keys, rows


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableRejected(_("无法识别 CSV 文件的编码,请另存为 UTF-8 或 GBK 编码的 CSV。"))
    if "\x00" in text:
        raise TableRejected(_("文件不是 CSV 文本文件。"))
    grid = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if len(values) > MAX_COLUMNS and any(v.strip() for v in values[MAX_COLUMNS:]):
                raise TableRejected(_("第 %(row)s 行超过 %(n)s 列。") % {"row": number, "n": MAX_COLUMNS})
            grid.append((number, values[:MAX_COLUMNS]))
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS + 1 and any(v.strip() for v in values):
                raise TableRejected(_("数据行超过 %(n)s 行。") % {"n": MAX_ROWS})
    except csv.Error:
        raise TableRejected(_("CSV 文件格式有误(如引号不成对),请在 Excel 中重新另存为 CSV。")) from None
    return grid


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    try:
        workbook, sheets = validation.open_workbook(data)
    except sheetcells.WorkbookRejected as exc:
        raise TableRejected(" ".join(exc.messages), status=exc.status) from None
    try:
        ws = workbook.worksheets[0] if workbook.worksheets else None
        facts = sheets.get(getattr(ws, "_worksheet_path", "").lstrip("/")) if ws is not None else None
        if facts is None:
            raise TableRejected(_("文件中没有工作表。"))
        if facts.wide_cell:
            raise TableRejected(
                _("工作表过宽:单元格 %(cell)s 有内容,第 %(limit)s 列以后不能有内容。")
                % {"cell": facts.wide_cell, "limit": MAX_COLUMNS}
            )
        if facts.merges:
            raise TableRejected(
                _("表中不能有合并单元格:%(ranges)s。请取消合并,并在每一行填写完整后再上传。")
                % {"ranges": "、".join(facts.merges[:10])}
            )
        grid, formulas = [], []
        for number, cells in sheetcells.sheet_rows(ws, facts.last_content_row):
            formulas.extend(c.coordinate for c in cells if c.value is not None and sheetcells.is_formula(c))
            grid.append((number, [c.value for c in cells]))
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
                raise TableRejected(_("数据行超过 %(n)s 行。") % {"n": MAX_ROWS})
        if formulas:
            raise TableRejected(
                _("以下单元格含有公式:%(cells)s。请改为直接填写的内容后再上传。")
                % {"cells": "、".join(formulas[:10])}
            )
        return grid
    finally:
        workbook.close()


# --- checking --------------------------------------------------------------------------------------


@dataclasses.dataclass
class RowPlan:
    """What one row of the table will do: a target created or changed, and the messages."""

    row: int
    code: str = ""
    task_number: int | None = None
    task_title: str = ""
    values: dict = dataclasses.field(default_factory=dict)
    units: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    action: str = ""  # create / change / same
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict:
        values = {k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in self.values.items()}
        return {
            "row": self.row,
            "code": self.code,
            "task_number": self.task_number,
            "task_title": self.task_title,
            "values": values,
            "units": self.units,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RowPlan:
        values = dict(data["values"])
        if values.get("goal") is not None:
            values["goal"] = Decimal(values["goal"])
        if values.get("deadline"):
            values["deadline"] = dt.date.fromisoformat(values["deadline"])
        return cls(
            row=data["row"],
            code=data["code"],
            task_number=data["task_number"],
            task_title=data["task_title"],
            values=values,
            units=list(data["units"]),
        )


def _task_number(text: str) -> tuple[int | None, str]:
    m = re.match(r"\s*(?:重点工作\s*)?(\d+|[一二三四五六七八九十]+)\s*[、.．:：\s]?\s*(.*)", text)
    if not m:
        return None, text.strip()
    number = textdraft.parse_number(m.group(1))
    return (int(number) if number is not None else None), m.group(2).strip()


def _deadline(raw, year: int) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:底|末)?(?:前)?", text)
    if m and 1 <= int(m[2]) <= 12:
        return textdraft.month_end(int(m[1]), int(m[2]))
    found, _words = textdraft.find_deadline(text, year)
    return found


def _split_units(*texts: str) -> list[str]:
    names = []
    for text in texts:
        for name in re.split(r"[、,，;；/\s]+", text or ""):
            name = name.strip()
            if name and name not in names:
                names.append(name[:100])
    return names


def check_rows(keys: list, rows: list[tuple[int, list]], plan: Plan) -> list[RowPlan]:
    """Every row checked and turned into what it will do (errors per row)."""
    out, seen = [], {}
    for number, values in rows:
        cells = {}
        for key, value in zip(keys, values, strict=False):
            if key and key not in cells:
                cells[key] = value
            elif key == "units" and _text(value):
                cells["units"] = f"{_text(cells.get('units'))}、{_text(value)}"
        r = RowPlan(row=number)
        text = {k: _text(v) for k, v in cells.items()}
        too_long = [str(COLUMN_LABELS[k]) for k, v in text.items() if len(v) > MAX_CELL]
        if too_long:
            r.errors.append(
                _("内容过长(超过 %(n)s 字):%(cols)s") % {"n": MAX_CELL, "cols": "、".join(too_long)}
            )
            out.append(r)
            continue
        task_number, task_title = _task_number(text.get("task", ""))
        code = text.get("code", "")
        if re.fullmatch(r"\d+-\d+", code):
            code_task = int(code.split("-")[0])
            if task_number is None:
                task_number = code_task
            elif task_number != code_task:
                r.errors.append(
                    _("序号 %(code)s 与重点工作 %(n)s 不一致。") % {"code": code, "n": task_number}
                )
        elif re.fullmatch(r"\d+", code) and task_number is not None:
            code = f"{task_number}-{int(code):02d}"
        elif code:
            r.errors.append(_("序号“%(code)s”无法识别,应为如 6-02 的编号或任务内的数字。") % {"code": code})
        else:
            r.errors.append(_("缺少序号。"))
        if task_number is None or not 1 <= task_number <= 99:
            r.errors.append(
                _("重点工作“%(task)s”无法识别,应以序号开头,如“6 高标准做好双改工作”。")
                % {"task": text.get("task", "")}
            )
        r.code, r.task_number, r.task_title = code[:20], task_number, task_title[:200]
        name = text.get("name", "")
        if not name:
            r.errors.append(_("缺少具体任务。"))
        deadline = _deadline(cells.get("deadline"), plan.year)
        if deadline is None:
            r.errors.append(
                _("完成时限“%(value)s”无法识别(如 2020-09-30 或 9月底前)。")
                % {"value": text.get("deadline", "")}
            )
        elif not plan.period_start <= deadline <= dt.date(plan.year + 1, 12, 31):
            r.errors.append(_("完成时限 %(date)s 不在计划年度内。") % {"date": deadline.isoformat()})
        kind, direction, standard, goal, unit = "milestone", "gte", False, None, ""
        indicator = text.get("indicator", "")
        parsed = (
            textdraft.draft_plan(f"重点工作 1\n\n-\n\n完成{indicator}。\n", plan.year).proposals
            if indicator
            else []
        )
        if parsed and parsed[0].goal is not None:
            p = parsed[0]
            kind, direction, standard, goal, unit = p.kind, p.direction, p.standard, p.goal, p.unit
        if text.get("goal"):
            try:
                goal = Decimal(text["goal"].replace(",", ""))
                if not goal.is_finite() or abs(goal) >= Decimal(10) ** 12:
                    raise InvalidOperation
                goal = goal.quantize(Decimal("0.01"))
                if kind == "milestone":
                    kind = "cumulative"
            except InvalidOperation:
                r.errors.append(_("目标值“%(value)s”不是数字。") % {"value": text["goal"]})
        if text.get("unit"):
            unit = text["unit"][:20]
        if kind != "milestone" and unit in ("%", "％") and not standard:
            kind = "level"
        r.values = {
            "name": name[:200],
            "kind": kind,
            "direction": direction,
            "standard": standard,
            "goal": goal,
            "unit_of_measure": unit if kind != "milestone" else "",
            "deadline": deadline,
            "lead_official": text.get("leader", "")[:100],
            "indicator": indicator[:200],
        }
        r.units = _split_units(text.get("lead_unit", ""), text.get("units", ""))
        if code and code in seen:
            r.errors.append(_("序号 %(code)s 与第 %(row)s 行重复。") % {"code": code, "row": seen[code]})
        seen.setdefault(code, number)
        out.append(r)
    return out


FIELD_LABELS = {
    "name": gettext_lazy("名称"),
    "kind": gettext_lazy("类型"),
    "direction": gettext_lazy("方向"),
    "standard": gettext_lazy("保持类标准"),
    "goal": gettext_lazy("目标值"),
    "unit_of_measure": gettext_lazy("计量单位"),
    "deadline": gettext_lazy("完成期限"),
    "lead_official": gettext_lazy("分包领导"),
    "units": gettext_lazy("责任单位"),
    "task": gettext_lazy("重点工作"),
}
COMPARED = ("name", "kind", "direction", "standard", "goal", "unit_of_measure", "deadline", "lead_official")


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return textdraft_number(value)
    return str(value)


def textdraft_number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def compare(rows: list[RowPlan], plan: Plan) -> None:
    """Set each row's action and changes against the plan as stored now."""
    targets = {
        t.code: t
        for t in Target.objects.filter(key_task__plan=plan)
        .select_related("key_task")
        .prefetch_related("responsible_units")
    }
    tasks = {t.number: t for t in plan.key_tasks.all()}
    with_figures = set(
        Figure.objects.filter(target__key_task__plan=plan).values_list("target__code", flat=True)
    )
    for r in rows:
        if r.errors:
            continue
        target = targets.get(r.code)
        r.changes = []
        task = tasks.get(r.task_number)
        if task is None:
            r.changes.append((str(FIELD_LABELS["task"]), "—", f"{r.task_number} {r.task_title}"))
        elif r.task_title and task.title != r.task_title:
            r.changes.append((str(FIELD_LABELS["task"]), task.title, r.task_title))
        if target is None:
            r.action = "create"
            continue
        if target.key_task.number != r.task_number:
            r.errors.append(
                _("序号 %(code)s 已属于重点工作 %(n)s,不能移到其他重点工作。")
                % {"code": r.code, "n": target.key_task.number}
            )
            continue
        for name in COMPARED:
            old, new = getattr(target, name), r.values[name]
            if isinstance(old, Decimal) and isinstance(new, Decimal):
                same = old == new
            else:
                same = (old or None) == (new or None)
            if not same:
                r.changes.append((str(FIELD_LABELS[name]), _shown(old), _shown(new)))
        old_units = sorted(u.name for u in target.responsible_units.all())
        if sorted(r.units) != old_units:
            r.changes.append(
                (str(FIELD_LABELS["units"]), "、".join(old_units) or "—", "、".join(r.units) or "—")
            )
        if r.values["kind"] != target.kind and r.code in with_figures:
            r.errors.append(_("目标 %(code)s 已有月度数据,不能改变类型。") % {"code": r.code})
        r.action = "change" if r.changes else "same"


def apply(rows: list[RowPlan], plan: Plan) -> dict[str, int]:
    """Create and change what the rows say (call inside a transaction, after `compare`)."""
    counts = {"created": 0, "changed": 0, "same": 0, "units": 0}
    tasks = {t.number: t for t in plan.key_tasks.all()}
    targets = {t.code: t for t in Target.objects.filter(key_task__plan=plan)}
    for order, r in enumerate(rows, start=1):
        task = tasks.get(r.task_number)
        if task is None:
            task = tasks[r.task_number] = KeyTask.objects.create(
                plan=plan,
                number=r.task_number,
                title=r.task_title or _("重点工作 %(n)s") % {"n": r.task_number},
            )
        elif r.task_title and task.title != r.task_title:
            task.title = r.task_title
            task.save(update_fields=["title"])
        units = []
        for name in r.units:
            unit, created = Unit.objects.get_or_create(name=name, defaults={"district": plan.district})
            counts["units"] += created
            units.append(unit)
        values = {k: v for k, v in r.values.items() if k != "indicator"}
        target = targets.get(r.code)
        if target is None:
            source = _("任务分解表:%(name)s") % {"name": r.values["name"]}
            if r.values["indicator"]:
                source += f"({r.values['indicator']})"
            target = Target.objects.create(
                key_task=task,
                code=r.code,
                start=plan.period_start,
                baseline=Decimal(0) if values["kind"] == "cumulative" else None,
                deadline_stated=True,
                source_text=source,
                sort_order=order,
                **values,
            )
            counts["created"] += 1
        elif r.action == "change":
            for k, v in values.items():
                setattr(target, k, v)
            target.save()
            counts["changed"] += 1
        else:
            counts["same"] += 1
        if sorted(u.name for u in target.responsible_units.all()) != sorted(r.units):
            target.responsible_units.set(units)
    return counts


# --- writing ---------------------------------------------------------------------------------------


def build_table(plan: Plan | None) -> bytes:
    """The blank template (no plan) or the plan's table filled in, every text written as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("任务分解表"))
    for col, key in enumerate(TEMPLATE_COLUMNS, start=1):
        xlsx_safety.put(ws.cell(row=1, column=col), HEADERS[key][0]).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 14 if key != "name" else 40
    if plan is not None:
        row = 2
        for target in (
            Target.objects.filter(key_task__plan=plan)
            .exclude(kind=Target.Kind.MONITORED)
            .select_related("key_task")
            .prefetch_related("responsible_units")
            .order_by("key_task__number", "sort_order", "code")
        ):
            units = [u.name for u in target.responsible_units.all()]
            values = {
                "code": target.code,
                "task": f"{target.key_task.number} {target.key_task.title}",
                "name": target.name,
                "indicator": "",
                "goal": float(target.goal) if target.goal is not None else None,
                "unit": target.unit_of_measure,
                "deadline": target.deadline,
                "lead_unit": units[0] if units else "",
                "units": "、".join(units[1:]),
                "leader": target.lead_official,
            }
            if target.standard and target.goal is not None:
                word = "不低于" if target.direction == "gte" else "不超过"
                values["indicator"] = f"{word}{textdraft_number(target.goal)}{target.unit_of_measure}"
            for col, key in enumerate(TEMPLATE_COLUMNS, start=1):
                cell = xlsx_safety.put(ws.cell(row=row, column=col), values[key])
                if key == "deadline" and values[key] is not None:
                    cell.number_format = "yyyy-mm-dd"
            row += 1
    return xlsx_safety.workbook_bytes(wb)
