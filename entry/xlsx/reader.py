"""Reading a filled-in template back: `read_upload` checks an uploaded file and its layout
(`validation`) and returns the typed rows with each row's errors; `unit_and_month` finds the
unit and the month its header block names.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from common.formatting import join_list
from targets.models import Unit

from . import safety
from .sheetcells import (
    CODE,
    COLUMNS,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_LISTED,
    MAX_ROW_INDEX,
    MAX_ROWS,
    MAX_SHEETS_SEARCHED,
    MONTH_LABEL,
    REACHED,
    REACHED_ON,
    SHEET_TITLE,
    TARGET_ID,
    TEXT_FIELDS,
    UNIT_LABEL,
    VALUE,
    VERSION,
    VISIBLE_COLUMNS,
    WorkbookRejected,
    cell_name,
    column_title,
    is_blank,
    is_blank_row,
    is_formula,
    known_titles,
    label_text,
    last_row_of,
    parse_month,
    sheet_rows,
    shorten,
    to_bool,
    to_date,
    to_decimal,
    to_int,
    to_text,
)
from .validation import check_header, find_header, open_workbook

logger = logging.getLogger(__name__)


@dataclass
class Row:
    """One data row of an uploaded sheet, typed but not yet matched with a target."""

    row: int
    code: str = ""
    target_id: int | None = None
    version: int | None = None
    value: Decimal | None = None
    reached: bool | None = None
    reached_on: dt.date | None = None
    progress_note: str = ""
    problems: str = ""
    correction_reason: str = ""
    anomaly_note: str = ""

    @property
    def filled(self) -> bool:
        return any(
            [
                self.value is not None,
                self.reached is not None,
                self.reached_on is not None,
                self.progress_note,
                self.problems,
                self.correction_reason,
                self.anomaly_note,
            ]
        )


@dataclass
class Upload:
    """What a readable upload holds: the header block's unit and month, rows, row errors."""

    unit_name: str | None
    month: dt.date | None
    month_text: str | None
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _parse_row(row_number: int, values: list) -> tuple[Row | None, list[str]]:
    """A typed row (None when the row is entirely empty) and the messages for its bad cells."""
    cells = dict(zip(COLUMNS, values, strict=True))
    if all(is_blank(v) for v in values):
        return None, []
    row = Row(row=row_number)
    errors = []

    def convert(title, converter):
        raw = cells[title]
        if is_blank(raw):
            return None
        try:
            return converter(raw, cell_name(row_number, title))
        except ValueError as exc:
            errors.append(str(exc))
            return None

    code = cells[CODE]
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    row.code = "" if is_blank(code) else str(code).replace("\x00", "").strip()
    row.target_id = convert(TARGET_ID, to_int)
    row.version = convert(VERSION, to_int)
    row.value = convert(VALUE, to_decimal)
    row.reached = convert(REACHED, to_bool)
    row.reached_on = convert(REACHED_ON, to_date)
    for title, attribute in TEXT_FIELDS.items():
        setattr(row, attribute, convert(title, to_text) or "")
    if errors:
        # Like a web form with a bad field: the row is not judged further until its cells read.
        return None, errors
    return row, errors


def read_upload(data: bytes) -> Upload:
    """Check the file and the sheet's layout and read its rows.

    Raises WorkbookRejected for anything that makes the whole file unusable (not an .xlsx,
    too big once unpacked, damaged, no or wrong header, content beyond the row or column limits,
    merged cells or formulas in the sheet); problems in single cells come back in
    `Upload.errors`, one message per cell, naming the row and column.
    """
    workbook, sheets = open_workbook(data)
    try:
        return _read_sheet(workbook, sheets)
    except WorkbookRejected:
        raise
    except Exception:  # a file openpyxl could open but that breaks our reading of it
        logger.exception("unexpected xlsx upload content")
        raise WorkbookRejected(_("无法读取文件内容,请使用下载的模板填写后再上传。")) from None
    finally:
        workbook.close()


def _header_sheet(workbook, sheets: dict[str, safety.SheetFacts]):
    """The sheet with the header row, its facts and the header's index; the template's first.

    Only the first HEADER_SEARCH_ROWS rows of at most MAX_SHEETS_SEARCHED sheets are read.
    """
    titles = known_titles(SHEET_TITLE)
    candidates = sorted(workbook.worksheets, key=lambda s: s.title.casefold() not in titles)
    for ws in candidates[:MAX_SHEETS_SEARCHED]:
        facts = sheets.get(getattr(ws, "_worksheet_path", "").lstrip("/"))
        if facts is None:
            continue
        grid = [
            [cell.value for cell in cells]
            for cell_number, cells in sheet_rows(ws, min(facts.last_content_row, HEADER_SEARCH_ROWS))
        ]
        header_index = find_header(grid)
        if header_index is not None:
            return ws, facts, header_index
    return None


def _read_sheet(workbook, sheets: dict[str, safety.SheetFacts]) -> Upload:
    if not workbook.worksheets:
        raise WorkbookRejected(_("文件中没有工作表,请使用下载的模板。"))
    found = _header_sheet(workbook, sheets)
    if found is None:
        raise WorkbookRejected(
            _("未找到表头行(%(cols)s)。请使用下载的模板,不要删除表头。")
            % {"cols": " | ".join(column_title(key) for key in VISIBLE_COLUMNS)}
        )
    ws, facts, header_index = found
    header_row = header_index + 1
    if facts.wide_cell:
        raise WorkbookRejected(
            _("工作表过宽:单元格 %(cell)s 有内容,第 %(limit)s 列以后不能有内容。请删除右侧的内容后再上传。")
            % {"cell": facts.wide_cell, "limit": MAX_COLUMNS}
        )
    if facts.last_content_row > MAX_ROW_INDEX:
        raise WorkbookRejected(
            _("工作表过大:第 %(row)s 行有内容,内容不能超过第 %(limit)s 行。请删除多余的行后再上传。")
            % {"row": facts.last_content_row, "limit": MAX_ROW_INDEX}
        )

    # Read the sheet once, streaming: the header block, then the rows with content (blank rows,
    # e.g. thousands of formatted but empty ones, are skipped and not counted).
    grid: list[list] = []
    data_rows: list[tuple[int, list]] = []
    formulas: list[str] = []
    for number, cells in sheet_rows(ws, facts.last_content_row):
        formulas.extend(cell.coordinate for cell in cells if cell.value is not None and is_formula(cell))
        values = [cell.value for cell in cells]
        if number <= header_row:
            grid.append(values)
        elif not is_blank_row(values):
            data_rows.append((number, values))
            if len(data_rows) > MAX_ROWS:
                raise WorkbookRejected(_("数据行超过 %(n)s 行,请使用下载的模板。") % {"n": MAX_ROWS})
    if formulas:
        listed = join_list(formulas[:MAX_LISTED]) + ("…" if len(formulas) > MAX_LISTED else "")
        raise WorkbookRejected(
            _("以下单元格含有公式:%(cells)s。请把公式改为直接填写的数值(复制后“选择性粘贴 → 数值”)再上传。")
            % {"cells": listed}
        )
    check_header(grid[header_index])
    merged = [ref for ref in facts.merges if last_row_of(ref) >= header_row]
    if merged:
        raise WorkbookRejected(
            _("数据区不能有合并单元格:%(ranges)s。请取消合并后再上传。")
            % {"ranges": join_list(merged[:MAX_LISTED]) + ("…" if len(merged) > MAX_LISTED else "")}
        )

    unit_name = month_text = None
    unit_labels, month_labels = known_titles(UNIT_LABEL), known_titles(MONTH_LABEL)
    for values in grid[:header_index]:
        label = label_text(values[0]).casefold() if values else ""
        if label in unit_labels and len(values) > 1:
            unit_name = label_text(values[1]) or None
        elif label in month_labels and len(values) > 1:
            month_text = values[1]
    upload = Upload(
        unit_name=unit_name,
        month=parse_month(month_text) if month_text is not None else None,
        month_text=label_text(month_text) if month_text is not None else None,
    )
    for row_number, values in data_rows:
        beyond = [
            f"{get_column_letter(col + 1)}{row_number}"
            for col in range(len(COLUMNS), len(values))
            if not is_blank(values[col])
        ]
        if beyond:
            upload.errors.append(
                _("第 %(row)s 行在表头以外的单元格(%(cells)s)有内容,请删除。")
                % {"row": row_number, "cells": join_list(beyond)}
            )
        row, errors = _parse_row(row_number, list(values[: len(COLUMNS)]))
        upload.errors.extend(errors)
        if row is not None:
            upload.rows.append(row)
    return upload


def unit_and_month(upload: Upload) -> tuple[Unit, dt.date]:
    """The unit and month the file names in its header block (rows 2 and 3 of the template).

    Raises WorkbookRejected when either is missing, the unit does not exist or the month is not
    a YYYY-MM month: the upload does not ask for them again.
    """
    problems = []
    unit = None
    if upload.unit_name is None:
        problems.append(
            _("文件中没有写明责任单位(模板第 2 行“%(label)s”),请使用下载的模板。")
            % {"label": column_title(UNIT_LABEL)}
        )
    else:
        unit = Unit.objects.filter(name=upload.unit_name).first()
        if unit is None:
            problems.append(
                _("文件中的责任单位“%(file)s”不存在,请下载本单位的模板填写。")
                % {"file": shorten(upload.unit_name)}
            )
    if upload.month_text is None:
        problems.append(
            _("文件中没有写明月份(模板第 3 行“%(label)s”),请使用下载的模板。")
            % {"label": column_title(MONTH_LABEL)}
        )
    elif upload.month is None:
        problems.append(
            _("文件中的月份“%(file)s”无效,应为“年-月”,如 2020-06。") % {"file": shorten(upload.month_text)}
        )
    if problems:
        raise WorkbookRejected(problems)
    return unit, upload.month
