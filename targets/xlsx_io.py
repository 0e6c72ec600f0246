"""Monthly figures as an Excel workbook: the unit's fill-in template, and reading it back.

`build_template` writes one row per target a unit answers for in a month; `read_upload` checks
an uploaded file and its layout and returns the typed rows; `prepare` matches the rows with
targets and stored figures and turns the changed ones into `entry.Entry` objects, which the
caller checks and saves through `entry.check_entries` / `entry.save_entries` like every other
entry path. Nothing here touches the request or stores anything.

The workbook is written in the active language (sheet name, labels, headers, instructions, the
yes/no choices) and so are the messages; the data (unit and target names, notes) keeps its own.
A file is read whichever language it was downloaded in: the header, the labels and the yes/no
cells are recognised in Chinese and in English. Columns are known by their Chinese header, the
keys below (`CODE` …); `column_title` gives a column's header in the active language.
"""

import datetime as dt
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from common.formatting import join_list
from common.months import month_end

from . import access, xlsx_safety
from .entry import Check, Entry
from .forms import clean_note, parse_date, parse_value
from .models import Figure, Target, Unit
from .xlsx_safety import put

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "月度数据"
UNIT_LABEL = "责任单位"
MONTH_LABEL = "月份"
# The languages a workbook can be written in, and so read back from: the site's languages.
LANGUAGES = ("zh-hans", "en")

CODE = "编号"
NAME = "目标名称"
MEASURE = "计量单位"
GOAL = "目标值"
PREVIOUS = "上月数值"
VALUE = "本月数值"
REACHED = "是否完成(里程碑)"
REACHED_ON = "完成日期"
PROGRESS = "进展情况"
PROBLEMS = "存在问题"
CORRECTION = "更正原因"
ANOMALY = "异常说明"
TARGET_ID = "目标ID"
VERSION = "数据版本"

# The columns the user sees, then two hidden ones that carry the target and the version of the
# stored figure the file was made from (optimistic locking). The header must match exactly.
VISIBLE_COLUMNS = [
    CODE,
    NAME,
    MEASURE,
    GOAL,
    PREVIOUS,
    VALUE,
    REACHED,
    REACHED_ON,
    PROGRESS,
    PROBLEMS,
    CORRECTION,
    ANOMALY,
]
HIDDEN_COLUMNS = [TARGET_ID, VERSION]
COLUMNS = VISIBLE_COLUMNS + HIDDEN_COLUMNS
READ_ONLY_COLUMNS = {CODE, NAME, MEASURE, GOAL, PREVIOUS}
TEXT_FIELDS = {
    PROGRESS: "progress_note",
    PROBLEMS: "problems",
    CORRECTION: "correction_reason",
    ANOMALY: "anomaly_note",
}

# The headers as written in the active language. The English headers of a downloaded template
# are read back, so changing one of their translations makes older English templates unreadable.
_TITLES = {
    CODE: pgettext_lazy("excel column", "编号"),
    NAME: pgettext_lazy("excel column", "目标名称"),
    MEASURE: pgettext_lazy("excel column", "计量单位"),
    GOAL: pgettext_lazy("excel column", "目标值"),
    PREVIOUS: pgettext_lazy("excel column", "上月数值"),
    VALUE: pgettext_lazy("excel column", "本月数值"),
    REACHED: pgettext_lazy("excel column", "是否完成(里程碑)"),
    REACHED_ON: pgettext_lazy("excel column", "完成日期"),
    PROGRESS: pgettext_lazy("excel column", "进展情况"),
    PROBLEMS: pgettext_lazy("excel column", "存在问题"),
    CORRECTION: pgettext_lazy("excel column", "更正原因"),
    ANOMALY: pgettext_lazy("excel column", "异常说明"),
    TARGET_ID: pgettext_lazy("excel column", "目标ID"),
    VERSION: pgettext_lazy("excel column", "数据版本"),
    SHEET_TITLE: pgettext_lazy("excel sheet", "月度数据"),
    UNIT_LABEL: pgettext_lazy("excel label", "责任单位"),
    MONTH_LABEL: pgettext_lazy("excel label", "月份"),
}

INSTRUCTIONS = [
    gettext_noop("仅填写白色单元格;灰色单元格为只读信息,请勿修改。"),
    gettext_noop("“本月数值”填写截至本月末的累计值或水平值,须为数字(最多两位小数),不要填写公式或文字。"),
    gettext_noop("里程碑目标不填数值,在“是否完成(里程碑)”中选“是”或“否”;已完成的填写“完成日期”。"),
    gettext_noop("累计值低于上月时须填写“更正原因”;数值明显异常时须在“异常说明”中说明。"),
    gettext_noop("请勿增删、重命名或移动列,不要合并单元格;本月无需填报的目标整行留空即可。"),
    gettext_noop("上传后系统先显示预览,确认后保存为草稿,仍需在系统中报送审核。"),
]
HEADER_ROW = 4 + len(INSTRUCTIONS) + 1

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Unpacked sizes, parts and XML elements are limited in `xlsx_safety` before openpyxl opens a file.
MAX_ROWS = 2000  # rows with content below the header; blank rows do not count
MAX_ROW_INDEX = 20_000  # no content below this row (blank, formatted rows may follow)
MAX_COLUMNS = xlsx_safety.MAX_COLUMNS  # no content right of this column
MAX_SHEETS_SEARCHED = 20  # sheets looked at for the header row
MAX_TEXT = 5000
MAX_VALUE = Decimal(10) ** 12
HEADER_SEARCH_ROWS = 30
MAX_LISTED = 10

MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
DATE_RE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")

_GREY = PatternFill("solid", fgColor="E7E6E6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)
_WIDTHS = {
    CODE: 9,
    NAME: 36,
    MEASURE: 9,
    GOAL: 11,
    PREVIOUS: 11,
    VALUE: 11,
    REACHED: 12,
    REACHED_ON: 12,
    PROGRESS: 36,
    PROBLEMS: 28,
    CORRECTION: 20,
    ANOMALY: 20,
    TARGET_ID: 8,
    VERSION: 8,
}


class WorkbookRejected(Exception):
    """The file cannot be read as a filled-in template; `messages` say why, in Chinese."""

    def __init__(self, messages: list[str] | str, *, status: int = 400):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.status = status
        super().__init__("; ".join(self.messages))


def column_title(key: str) -> str:
    """The header of column `key` (or the sheet name or a label) in the active language."""
    return str(_TITLES[key])


def _yes() -> str:
    return pgettext("excel yes/no", "是")


def _no() -> str:
    return pgettext("excel yes/no", "否")


def _semicolon() -> str:
    return pgettext("between items of a message", ";")


def _in_every_language(function) -> dict[str, object]:
    """`function()` with each language active in turn, by language."""
    results = {}
    for language in LANGUAGES:
        with translation.override(language):
            results[language] = function()
    return results


def _headers_by_language() -> dict[str, list[str]]:
    return _in_every_language(lambda: [column_title(key) for key in COLUMNS])


def _known(key: str) -> set[str]:
    """What `key`'s header or label may say in a file, in any language, case folded."""
    return {text.casefold() for text in _in_every_language(lambda: column_title(key)).values()}


def parse_month(raw) -> dt.date | None:
    """First day of the month written as YYYY-MM, or None when it is not one."""
    if isinstance(raw, dt.datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    match = MONTH_RE.match(str(raw or ""))
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def units_for(user):
    """Units whose template this user may download and upload (admins: all)."""
    if access.is_admin(user):
        return Unit.objects.all()
    if not user.is_active:
        return Unit.objects.none()
    return user.report_units.all()


def unit_targets(unit: Unit, month: dt.date):
    """Targets the unit answers for whose plan year covers the month, in the plan's order."""
    return (
        Target.objects.filter(
            responsible_units=unit,
            key_task__plan__period_start__lte=month_end(month),
            key_task__plan__period_end__gte=month,
        )
        .select_related("key_task__plan")
        .order_by(
            "key_task__plan__year", "key_task__plan__district", "key_task__number", "sort_order", "code"
        )
        .distinct()
    )


def _figures(targets, month: dt.date) -> dict[tuple[int, dt.date], Figure]:
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    figures = Figure.objects.filter(target__in=[t.pk for t in targets], month__in=[previous, month])
    return {(f.target_id, f.month): f for f in figures}


# --- writing ---------------------------------------------------------------------------------


def _number(value: Decimal | None):
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else value


def build_template(unit: Unit, month: dt.date, *, user) -> tuple[bytes, int]:
    """The unit's fill-in workbook for the month, and how many target rows it has."""
    targets = list(unit_targets(unit, month))
    figures = _figures(targets, month)
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    allowed_ids = access.reportable_target_ids(user)

    wb = Workbook()
    ws = wb.active
    ws.title = column_title(SHEET_TITLE)
    put(ws["A1"], _("月度数据填报表")).font = Font(bold=True, size=14)
    put(ws["A2"], column_title(UNIT_LABEL)).font = Font(bold=True)
    put(ws["B2"], unit.name)
    put(ws["A3"], column_title(MONTH_LABEL)).font = Font(bold=True)
    put(ws["B3"], month.strftime("%Y-%m"))
    put(ws["A4"], _("填报说明")).font = Font(bold=True)
    for offset, line in enumerate(INSTRUCTIONS):
        put(ws.cell(row=4 + offset, column=2), f"{offset + 1}. {_(line)}")

    for col, title in enumerate(COLUMNS, start=1):
        cell = put(ws.cell(row=HEADER_ROW, column=col), column_title(title))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[title]
    for title in HIDDEN_COLUMNS:
        ws.column_dimensions[get_column_letter(COLUMNS.index(title) + 1)].hidden = True

    first = HEADER_ROW + 1
    for row, target in enumerate(targets, start=first):
        current = figures.get((target.pk, month))
        previous = figures.get((target.pk, previous_month))
        milestone = target.kind == Target.Kind.MILESTONE
        editable = access.edit_refusal(user, target, current, allowed_ids=allowed_ids) is None
        values = {
            CODE: target.code,
            NAME: target.name,
            MEASURE: target.unit_of_measure,
            GOAL: _number(target.goal),
            PREVIOUS: _number(previous.value) if previous else None,
            TARGET_ID: target.pk,
            VERSION: current.version if current else None,
        }
        if current is not None:
            values |= {
                VALUE: _number(current.value),
                REACHED: None if current.reached is None else (_yes() if current.reached else _no()),
                REACHED_ON: current.reached_on,
                PROGRESS: current.progress_note,
                PROBLEMS: current.problems,
                CORRECTION: current.correction_reason,
                ANOMALY: current.anomaly_note,
            }
        for col, title in enumerate(COLUMNS, start=1):
            value = values.get(title)
            cell = put(ws.cell(row=row, column=col), None if value == "" else value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=title in {NAME, *TEXT_FIELDS})
            not_applicable = (milestone and title == VALUE) or (
                not milestone and title in {REACHED, REACHED_ON}
            )
            if title in READ_ONLY_COLUMNS or not editable or not_applicable:
                cell.fill = _GREY
            elif title not in HIDDEN_COLUMNS:
                cell.protection = _UNLOCKED
            if title == REACHED_ON:
                cell.number_format = "yyyy-mm-dd"
            elif title in {GOAL, PREVIOUS, VALUE}:
                cell.number_format = "General"
    last = first + len(targets) - 1

    if targets:
        col = get_column_letter
        yes_no = DataValidation(
            type="list",
            formula1=f'"{_yes()},{_no()}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("是否完成"),
            error=_("请选择“%(yes)s”或“%(no)s”。") % {"yes": _yes(), "no": _no()},
        )
        yes_no.add(f"{col(COLUMNS.index(REACHED) + 1)}{first}:{col(COLUMNS.index(REACHED) + 1)}{last}")
        number = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column_title(VALUE),
            error=_("请填写不小于 0 的数字。"),
        )
        number.add(f"{col(COLUMNS.index(VALUE) + 1)}{first}:{col(COLUMNS.index(VALUE) + 1)}{last}")
        ws.add_data_validation(yes_no)
        ws.add_data_validation(number)

    ws.freeze_panes = f"C{first}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False
    return xlsx_safety.workbook_bytes(wb), len(targets)


def template_filename(unit: Unit, month: dt.date) -> str:
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", unit.name).strip("_") or "unit"
    prefix = pgettext("excel file name", "月度数据")
    return f"{prefix}_{name}_{month:%Y-%m}.xlsx"


# --- reading ---------------------------------------------------------------------------------


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


def check_upload_name(name: str, size: int) -> None:
    """Refuse by name and size before reading a byte."""
    if size > MAX_UPLOAD_BYTES:
        raise WorkbookRejected(
            _("文件过大(%(size)s MB),上传的文件不能超过 %(limit)s MB。")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            status=413,
        )
    lowered = (name or "").lower()
    if lowered.endswith(".xls"):
        raise WorkbookRejected(
            _("不支持旧版 .xls 文件,请在 Excel 中“另存为” .xlsx 格式后再上传,或直接使用下载的模板。")
        )
    if not lowered.endswith(".xlsx"):
        raise WorkbookRejected(_("只能上传 .xlsx 格式的 Excel 文件(请使用下载的模板)。"))
    if size == 0:
        raise WorkbookRejected(_("上传的文件是空的,请选择填好的模板文件。"))


def _open(data: bytes):
    """The workbook opened in read-only (streaming) mode and the scan's facts of its sheets.

    Nothing reaches openpyxl before `xlsx_safety.check_package` has passed the file.
    """
    if not data:
        raise WorkbookRejected(_("上传的文件是空的,请选择填好的模板文件。"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise WorkbookRejected(
            _("该文件是旧版 .xls 格式(或已加密),只是扩展名为 .xlsx。请在 Excel 中“另存为” .xlsx 后再上传。")
        )
    broken = _(
        "文件不是有效的 .xlsx 文件:可能已损坏、未完整上传,或只是把其他文件改了扩展名。请重新下载模板填写。"
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookRejected(broken)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookRejected(broken) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRejected(broken)
    try:
        sheets = xlsx_safety.check_package(data)
    except xlsx_safety.Refused as refused:
        raise WorkbookRejected(refused.message, status=refused.status) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Streaming: sheets are parsed only while their rows are read.
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
            )
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        logger.info("unreadable xlsx upload", exc_info=True)
        raise WorkbookRejected(broken) from None
    return workbook, sheets


def _label(value) -> str:
    return "" if value is None else str(value).strip()


def _header_keys() -> dict[str, str]:
    """Every header in every language (case folded) → its column's key."""
    return {
        title.casefold(): key
        for titles in _headers_by_language().values()
        for key, title in zip(COLUMNS, titles, strict=True)
    }


def _find_header(grid: list[list]) -> int | None:
    """Index in `grid` of the row that looks most like the header (at least three labels)."""
    keys = _header_keys()
    best, best_hits = None, 2
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in values if _label(v).casefold() in keys)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _check_header(values: list) -> None:
    """Refuse a header that is not the template's, in either language, naming what differs.

    The expected headers are named in the language most of the file's headers are in.
    """
    actual = [_label(v) for v in values]
    while actual and not actual[-1]:
        actual.pop()
    keys = _header_keys()
    found = [keys.get(label.casefold()) for label in actual]
    if found == COLUMNS:
        return
    by_language = _headers_by_language()
    folded = {label.casefold() for label in actual}
    language = max(
        LANGUAGES,
        key=lambda lang: (
            sum(t.casefold() in folded for t in by_language[lang]),
            lang == translation.get_language(),
        ),
    )
    shown = dict(zip(COLUMNS, by_language[language], strict=True))
    problems = []
    missing = [key for key in COLUMNS if key not in found]
    extra = [
        label or _("(第 %(col)s 列表头为空)") % {"col": get_column_letter(i + 1)}
        for i, (label, key) in enumerate(zip(actual, found, strict=True))
        if key is None
    ]
    repeated = sorted({key for key in found if key is not None and found.count(key) > 1}, key=COLUMNS.index)
    renamed = [
        _("%(col)s 列“%(was)s”应为“%(want)s”")
        % {"col": get_column_letter(i + 1), "was": actual[i] or _("空白"), "want": shown[COLUMNS[i]]}
        for i in range(min(len(actual), len(COLUMNS)))
        if COLUMNS[i] in missing and found[i] is None
    ]
    if missing:
        problems.append(_("缺少列:%(cols)s") % {"cols": join_list(f"“{shown[key]}”" for key in missing)})
    if extra:
        problems.append(_("多出列:%(cols)s") % {"cols": join_list(f"“{c}”" for c in extra)})
    if renamed:
        problems.append(_("疑似改名:%(cols)s") % {"cols": _semicolon().join(renamed)})
    if repeated:
        problems.append(_("重复的列:%(cols)s") % {"cols": join_list(f"“{shown[key]}”" for key in repeated)})
    if not problems:
        problems.append(
            _("列的顺序与模板不一致,应为:%(cols)s") % {"cols": " | ".join(shown[key] for key in COLUMNS)}
        )
    raise WorkbookRejected(
        _("表头与模板不一致(%(problems)s)。请使用下载的模板,不要增删、重命名或移动列。")
        % {"problems": _semicolon().join(problems)}
    )


def _is_formula(cell) -> bool:
    """A cell holding a formula (<f> in the sheet's XML). Text that starts with "=" is text."""
    return cell.data_type == "f" or type(cell.value).__name__ in {"ArrayFormula", "DataTableFormula"}


def _cell_name(row: int, key: str) -> str:
    return _("第 %(row)s 行“%(col)s”列(%(ref)s)") % {
        "row": row,
        "col": column_title(key),
        "ref": f"{get_column_letter(COLUMNS.index(key) + 1)}{row}",
    }


def _refused(where: str, exc: ValidationError) -> ValueError:
    """A cell's value refused by the rules every entry path shares (`forms`), named by its cell."""
    return ValueError(_("%(where)s:%(message)s") % {"where": where, "message": exc.messages[0]})


def _to_decimal(raw, where: str) -> Decimal | None:
    """A number cell, or text read as the web forms read it (`forms.parse_value`)."""
    if isinstance(raw, dt.date | dt.time):
        raw = str(raw)
    try:
        return parse_value(raw)
    except ValidationError as exc:
        raise _refused(where, exc) from None


def _shorten(raw) -> str:
    text = str(raw)
    return text if len(text) <= 30 else text[:30] + "…"


def _to_int(raw, where: str) -> int | None:
    """A hidden id or version: a whole number from 1 (as the web forms' hidden fields)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and re.fullmatch(r"[0-9]+", raw.strip()):
        raw = int(raw.strip())
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
        return raw
    raise ValueError(_("%(where)s(隐藏列)被改动,请重新下载模板填写。") % {"where": where})


def _to_date(raw, where: str) -> dt.date | None:
    """A date cell, or text read as the web forms read it (`forms.parse_date`)."""
    try:
        return parse_date(raw if isinstance(raw, dt.date | str) else str(raw))
    except ValidationError as exc:
        raise _refused(where, exc) from None


def _to_bool(raw, where: str) -> bool | None:
    """True or False from 是/否 or Yes/No (any case), whichever language the file is in."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().casefold()
        words = _in_every_language(lambda: (_yes().casefold(), _no().casefold()))
        if text in {yes for yes, _no_word in words.values()}:
            return True
        if text in {no for _yes_word, no in words.values()}:
            return False
    raise ValueError(
        _("%(where)s只能填“%(yes)s”或“%(no)s”,实为“%(raw)s”。")
        % {"where": where, "yes": _yes(), "no": _no(), "raw": _shorten(raw)}
    )


def _to_text(raw, where: str) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        raw = raw.isoformat()
    try:
        return clean_note(raw)
    except ValidationError as exc:
        raise _refused(where, exc) from None


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _parse_row(row_number: int, values: list) -> tuple[Row | None, list[str]]:
    """A typed row (None when the row is entirely empty) and the messages for its bad cells."""
    cells = dict(zip(COLUMNS, values, strict=True))
    if all(_blank(v) for v in values):
        return None, []
    row = Row(row=row_number)
    errors = []

    def convert(title, converter):
        raw = cells[title]
        if _blank(raw):
            return None
        try:
            return converter(raw, _cell_name(row_number, title))
        except ValueError as exc:
            errors.append(str(exc))
            return None

    code = cells[CODE]
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    row.code = "" if _blank(code) else str(code).replace("\x00", "").strip()
    row.target_id = convert(TARGET_ID, _to_int)
    row.version = convert(VERSION, _to_int)
    row.value = convert(VALUE, _to_decimal)
    row.reached = convert(REACHED, _to_bool)
    row.reached_on = convert(REACHED_ON, _to_date)
    for title, attribute in TEXT_FIELDS.items():
        setattr(row, attribute, convert(title, _to_text) or "")
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
    workbook, sheets = _open(data)
    try:
        return _read_sheet(workbook, sheets)
    except WorkbookRejected:
        raise
    except Exception:  # a file openpyxl could open but that breaks our reading of it
        logger.exception("unexpected xlsx upload content")
        raise WorkbookRejected(_("无法读取文件内容,请使用下载的模板填写后再上传。")) from None
    finally:
        workbook.close()


def _rows(ws, last_row: int):
    """(row number, cells up to MAX_COLUMNS) from row 1 to `last_row`, blank rows included.

    openpyxl's streaming parser goes no further than the row asked for: the caller stops there.
    """
    if last_row < 1:
        return
    cells_by_row = ws.iter_rows(min_row=1, max_row=last_row, max_col=MAX_COLUMNS)
    try:
        for number, cells in enumerate(cells_by_row, start=1):
            yield number, cells
            if number >= last_row:
                return
    finally:
        cells_by_row.close()


def _blank_row(values) -> bool:
    return all(_blank(v) for v in values)


def _header_sheet(workbook, sheets: dict[str, xlsx_safety.SheetFacts]):
    """The sheet with the header row, its facts and the header's index; the template's first.

    Only the first HEADER_SEARCH_ROWS rows of at most MAX_SHEETS_SEARCHED sheets are read.
    """
    titles = _known(SHEET_TITLE)
    candidates = sorted(workbook.worksheets, key=lambda s: s.title.casefold() not in titles)
    for ws in candidates[:MAX_SHEETS_SEARCHED]:
        facts = sheets.get(getattr(ws, "_worksheet_path", "").lstrip("/"))
        if facts is None:
            continue
        grid = [
            [cell.value for cell in cells]
            for _number, cells in _rows(ws, min(facts.last_content_row, HEADER_SEARCH_ROWS))
        ]
        header_index = _find_header(grid)
        if header_index is not None:
            return ws, facts, header_index
    return None


def _read_sheet(workbook, sheets: dict[str, xlsx_safety.SheetFacts]) -> Upload:
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
    for number, cells in _rows(ws, facts.last_content_row):
        formulas.extend(cell.coordinate for cell in cells if cell.value is not None and _is_formula(cell))
        values = [cell.value for cell in cells]
        if number <= header_row:
            grid.append(values)
        elif not _blank_row(values):
            data_rows.append((number, values))
            if len(data_rows) > MAX_ROWS:
                raise WorkbookRejected(_("数据行超过 %(n)s 行,请使用下载的模板。") % {"n": MAX_ROWS})
    if formulas:
        listed = join_list(formulas[:MAX_LISTED]) + ("…" if len(formulas) > MAX_LISTED else "")
        raise WorkbookRejected(
            _("以下单元格含有公式:%(cells)s。请把公式改为直接填写的数值(复制后“选择性粘贴 → 数值”)再上传。")
            % {"cells": listed}
        )
    _check_header(grid[header_index])
    merged = [ref for ref in facts.merges if _last_row(ref) >= header_row]
    if merged:
        raise WorkbookRejected(
            _("数据区不能有合并单元格:%(ranges)s。请取消合并后再上传。")
            % {"ranges": join_list(merged[:MAX_LISTED]) + ("…" if len(merged) > MAX_LISTED else "")}
        )

    unit_name = month_text = None
    unit_labels, month_labels = _known(UNIT_LABEL), _known(MONTH_LABEL)
    for values in grid[:header_index]:
        label = _label(values[0]).casefold() if values else ""
        if label in unit_labels and len(values) > 1:
            unit_name = _label(values[1]) or None
        elif label in month_labels and len(values) > 1:
            month_text = values[1]
    upload = Upload(
        unit_name=unit_name,
        month=parse_month(month_text) if month_text is not None else None,
        month_text=_label(month_text) if month_text is not None else None,
    )
    for row_number, values in data_rows:
        beyond = [
            f"{get_column_letter(col + 1)}{row_number}"
            for col in range(len(COLUMNS), len(values))
            if not _blank(values[col])
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
                % {"file": _shorten(upload.unit_name)}
            )
    if upload.month_text is None:
        problems.append(
            _("文件中没有写明月份(模板第 3 行“%(label)s”),请使用下载的模板。")
            % {"label": column_title(MONTH_LABEL)}
        )
    elif upload.month is None:
        problems.append(
            _("文件中的月份“%(file)s”无效,应为“年-月”,如 2020-06。") % {"file": _shorten(upload.month_text)}
        )
    if problems:
        raise WorkbookRejected(problems)
    return unit, upload.month


def _last_row(ref: str) -> int:
    """The bottom row of a merged range such as "I12:J12"; a range that cannot be read counts."""
    try:
        return range_boundaries(ref)[3] or 0
    except (TypeError, ValueError):
        return MAX_ROW_INDEX


# --- matching --------------------------------------------------------------------------------


@dataclass
class Prepared:
    """The rows that change something, as entries, plus what was left out and why."""

    items: list[tuple[int, Entry]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0
    empty: int = 0


def _same_as_stored(row: Row, figure: Figure) -> bool:
    return (
        row.value == figure.value
        and row.reached == figure.reached
        and row.reached_on == figure.reached_on
        and row.progress_note == figure.progress_note.replace("\r\n", "\n").strip()
        and row.problems == figure.problems.replace("\r\n", "\n").strip()
        and row.correction_reason == figure.correction_reason.replace("\r\n", "\n").strip()
        and row.anomaly_note == figure.anomaly_note.replace("\r\n", "\n").strip()
    )


def prepare(upload: Upload, *, unit: Unit, month: dt.date, user) -> Prepared:
    """Match the rows with the unit's targets and make entries of the filled, changed ones."""
    result = Prepared()
    if upload.unit_name is not None and upload.unit_name != unit.name:
        result.errors.append(
            _("文件中的责任单位“%(file)s”与所选单位“%(chosen)s”不一致,请选择正确的单位或下载该单位的模板。")
            % {"file": upload.unit_name, "chosen": unit.name}
        )
    if upload.month_text is not None and upload.month != month:
        result.errors.append(
            _("文件中的月份“%(file)s”与所选月份 %(chosen)s 不一致,请选择正确的月份或下载该月的模板。")
            % {"file": upload.month_text, "chosen": month.strftime("%Y-%m")}
        )
    own: dict[str, list[Target]] = {}
    for target in unit_targets(unit, month):
        own.setdefault(target.code, []).append(target)
    codes = {row.code for row in upload.rows if row.code}
    elsewhere = set(
        Target.objects.filter(code__in=codes)
        .filter(Q(key_task__plan__period_start__lte=month_end(month), key_task__plan__period_end__gte=month))
        .values_list("code", flat=True)
    )
    allowed_ids = access.reportable_target_ids(user)
    figures = _figures([t for ts in own.values() for t in ts], month)
    first_row: dict[int, int] = {}

    for row in upload.rows:
        where = _("第 %(row)s 行") % {"row": row.row}
        if not row.code:
            if row.filled or row.target_id is not None:
                result.errors.append(_("%(where)s:缺少编号。") % {"where": where})
            continue
        candidates = own.get(row.code, [])
        if row.target_id is not None:
            candidates = [t for t in candidates if t.pk == row.target_id]
        if not candidates:
            if row.code in own:
                message = _("%(where)s:编号“%(code)s”与隐藏的目标ID不一致,请不要修改编号,重新下载模板填写。")
            elif row.code in elsewhere:
                message = _("%(where)s:目标“%(code)s”不由%(unit)s负责,不能在本表中填报。")
            else:
                message = _("%(where)s:编号“%(code)s”在 %(month)s 所属年度计划中不存在。")
            result.errors.append(
                message
                % {"where": where, "code": row.code, "unit": unit.name, "month": month.strftime("%Y-%m")}
            )
            continue
        if len(candidates) > 1:
            result.errors.append(
                _("%(where)s:编号“%(code)s”对应多个目标,请使用下载的模板(不要删除隐藏列)。")
                % {"where": where, "code": row.code}
            )
            continue
        (target,) = candidates
        if target.pk in first_row:
            result.errors.append(
                _("%(where)s:编号“%(code)s”与第 %(first)s 行重复,每个目标只能填一行。")
                % {"where": where, "code": row.code, "first": first_row[target.pk]}
            )
            continue
        first_row[target.pk] = row.row
        if allowed_ids is not None and target.pk not in allowed_ids:
            result.errors.append(
                _("%(where)s:您无权填报目标“%(target)s”。") % {"where": where, "target": target}
            )
            continue
        if not row.filled:
            result.empty += 1
            continue
        current = figures.get((target.pk, month))
        if current is not None and _same_as_stored(row, current):
            result.unchanged += 1
            continue
        if target.kind == Target.Kind.MILESTONE and row.value is not None:
            result.errors.append(
                _("%(where)s:“%(code)s”是里程碑目标,不填“%(value)s”,请填写“%(reached)s”。")
                % {
                    "where": where,
                    "code": row.code,
                    "value": column_title(VALUE),
                    "reached": column_title(REACHED),
                }
            )
            continue
        if target.kind != Target.Kind.MILESTONE and (row.reached is not None or row.reached_on is not None):
            result.errors.append(
                _("%(where)s:“%(code)s”不是里程碑目标,“%(reached)s”和“%(reached_on)s”请留空。")
                % {
                    "where": where,
                    "code": row.code,
                    "reached": column_title(REACHED),
                    "reached_on": column_title(REACHED_ON),
                }
            )
            continue
        entry = Entry(
            target=target,
            month=month,
            value=row.value,
            reached=row.reached,
            reached_on=row.reached_on,
            progress_note=row.progress_note,
            problems=row.problems,
            correction_reason=row.correction_reason,
            anomaly_note=row.anomaly_note,
            base_version=row.version,
        )
        result.items.append((row.row, entry))
    return result


# --- between preview and confirmation ----------------------------------------------------------


def serialize(items: list[tuple[int, Entry]]) -> list[dict]:
    """JSON-friendly rows to keep in the session until the user confirms."""
    return [
        {
            "row": row,
            "target": e.target.pk,
            "month": e.month.isoformat(),
            "value": None if e.value is None else str(e.value),
            "reached": e.reached,
            "reached_on": None if e.reached_on is None else e.reached_on.isoformat(),
            "progress_note": e.progress_note,
            "problems": e.problems,
            "correction_reason": e.correction_reason,
            "anomaly_note": e.anomaly_note,
            "base_version": e.base_version,
        }
        for row, e in items
    ]


def deserialize(data: list[dict]) -> list[tuple[int, Entry]]:
    """The entries kept by `serialize`; raises WorkbookRejected when a target has gone."""
    try:
        ids = {int(d["target"]) for d in data}
        targets = Target.objects.select_related("key_task__plan").in_bulk(ids)
        items = []
        for d in data:
            target = targets.get(int(d["target"]))
            if target is None:
                raise WorkbookRejected(_("第 %(row)s 行的目标已被删除,请重新上传。") % {"row": d["row"]})
            items.append(
                (
                    int(d["row"]),
                    Entry(
                        target=target,
                        month=dt.date.fromisoformat(d["month"]),
                        value=None if d["value"] is None else Decimal(d["value"]),
                        reached=d["reached"],
                        reached_on=None
                        if d["reached_on"] is None
                        else dt.date.fromisoformat(d["reached_on"]),
                        progress_note=d["progress_note"],
                        problems=d["problems"],
                        correction_reason=d["correction_reason"],
                        anomaly_note=d["anomaly_note"],
                        base_version=d["base_version"],
                    ),
                )
            )
    except (KeyError, TypeError, ValueError, InvalidOperation):
        raise WorkbookRejected(_("待确认的导入数据已失效,请重新上传文件。")) from None
    return items


# --- preview ---------------------------------------------------------------------------------

FIELD_LABELS = {
    "value": VALUE,
    "reached": REACHED,
    "reached_on": REACHED_ON,
    "progress_note": PROGRESS,
    "problems": PROBLEMS,
    "correction_reason": CORRECTION,
    "anomaly_note": ANOMALY,
    "month": MONTH_LABEL,
}


def _shown(target: Target, value, reached, reached_on) -> str:
    if target.kind == Target.Kind.MILESTONE:
        if reached is None:
            return "—"
        if reached:
            if reached_on:
                return _("已完成(%(date)s)") % {"date": f"{reached_on:%Y-%m-%d}"}
            return _("已完成")
        return _("未完成")
    if value is None:
        return "—"
    return f"{value.normalize():f} {target.unit_of_measure}".strip()


def _messages(messages: dict[str, str]) -> list[str]:
    return [
        _("%(field)s:%(message)s") % {"field": column_title(FIELD_LABELS[name]), "message": text}
        if name in FIELD_LABELS
        else text
        for name, text in messages.items()
    ]


def preview_rows(items: list[tuple[int, Entry]], checks: list[Check]) -> list[dict]:
    """One line per entry: stored → new value, the other changed fields, errors and warnings."""
    stored = {
        (f.target_id, f.month): f
        for f in Figure.objects.filter(
            target__in={e.target.pk for _r, e in items}, month__in={e.month for _r, e in items}
        )
    }
    lines = []
    for (row, entry), check in zip(items, checks, strict=True):
        figure = stored.get((entry.target.pk, entry.month))
        old = _shown(entry.target, figure.value, figure.reached, figure.reached_on) if figure else "—"
        new = _shown(entry.target, entry.value, entry.reached, entry.reached_on)
        others = [
            column_title(FIELD_LABELS[name])
            for name in ("progress_note", "problems", "correction_reason", "anomaly_note")
            if getattr(entry, name) != (getattr(figure, name).replace("\r\n", "\n").strip() if figure else "")
        ]
        lines.append(
            {
                "row": row,
                "code": entry.target.code,
                "name": entry.target.name,
                "old": old,
                "new": new,
                "changed": old != new,
                "status": figure.get_status_display() if figure else _("新增"),
                "others": others,
                "errors": _messages(check.errors),
                "warnings": _messages(check.warnings),
            }
        )
    return lines
