"""The monthly workbook's layout and its cells: columns, headers in every language, limits, and
reading one cell as a number, date, yes/no or text.

The workbook is written in the active language (sheet name, labels, headers, instructions, the
yes/no choices) and so are the messages; the data (unit and target names, notes) keeps its own.
A file is read whichever language it was downloaded in: the header, the labels and the yes/no
cells are recognised in Chinese and in English. Columns are known by their Chinese header, the
keys below (`CODE` …); `column_title` gives a column's header in the active language.
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext, pgettext_lazy
from openpyxl.utils import get_column_letter, range_boundaries

from ..values import clean_note, parse_date, parse_value
from . import safety

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
MAX_COLUMNS = safety.MAX_COLUMNS  # no content right of this column
MAX_SHEETS_SEARCHED = 20  # sheets looked at for the header row
MAX_TEXT = 5000
MAX_VALUE = Decimal(10) ** 12
HEADER_SEARCH_ROWS = 30
MAX_LISTED = 10
MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
DATE_RE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")


class WorkbookRejected(Exception):
    """The file cannot be read as a filled-in template; `messages` say why, in Chinese."""

    def __init__(self, messages: list[str] | str, *, status: int = 400):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.status = status
        super().__init__("; ".join(self.messages))


def column_title(key: str) -> str:
    """The header of column `key` (or the sheet name or a label) in the active language."""
    return str(_TITLES[key])


def yes_text() -> str:
    return pgettext("excel yes/no", "是")


def no_text() -> str:
    return pgettext("excel yes/no", "否")


def semicolon() -> str:
    return pgettext("between items of a message", ";")


def _in_every_language(function) -> dict[str, object]:
    """`function()` with each language active in turn, by language."""
    results = {}
    for language in LANGUAGES:
        with translation.override(language):
            results[language] = function()
    return results


def headers_by_language() -> dict[str, list[str]]:
    return _in_every_language(lambda: [column_title(key) for key in COLUMNS])


def known_titles(key: str) -> set[str]:
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


def cell_number(value: Decimal | None):
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else value


def label_text(value) -> str:
    return "" if value is None else str(value).strip()


def is_formula(cell) -> bool:
    """A cell holding a formula (<f> in the sheet's XML). Text that starts with "=" is text."""
    return cell.data_type == "f" or type(cell.value).__name__ in {"ArrayFormula", "DataTableFormula"}


def cell_name(row: int, key: str) -> str:
    return _("第 %(row)s 行“%(col)s”列(%(ref)s)") % {
        "row": row,
        "col": column_title(key),
        "ref": f"{get_column_letter(COLUMNS.index(key) + 1)}{row}",
    }


def _refused(where: str, exc: ValidationError) -> ValueError:
    """A cell's value refused by the rules every entry path shares (`forms`), named by its cell."""
    return ValueError(_("%(where)s:%(message)s") % {"where": where, "message": exc.messages[0]})


def to_decimal(raw, where: str) -> Decimal | None:
    """A number cell, or text read as the web forms read it (`forms.parse_value`)."""
    if isinstance(raw, dt.date | dt.time):
        raw = str(raw)
    try:
        return parse_value(raw)
    except ValidationError as exc:
        raise _refused(where, exc) from None


def shorten(raw) -> str:
    text = str(raw)
    return text if len(text) <= 30 else text[:30] + "…"


def to_int(raw, where: str) -> int | None:
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


def to_date(raw, where: str) -> dt.date | None:
    """A date cell, or text read as the web forms read it (`forms.parse_date`)."""
    try:
        return parse_date(raw if isinstance(raw, dt.date | str) else str(raw))
    except ValidationError as exc:
        raise _refused(where, exc) from None


def to_bool(raw, where: str) -> bool | None:
    """True or False from 是/否 or Yes/No (any case), whichever language the file is in."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().casefold()
        words = _in_every_language(lambda: (yes_text().casefold(), no_text().casefold()))
        if text in {yes for yes, _no_word in words.values()}:
            return True
        if text in {no for _yes_word, no in words.values()}:
            return False
    raise ValueError(
        _("%(where)s只能填“%(yes)s”或“%(no)s”,实为“%(raw)s”。")
        % {"where": where, "yes": yes_text(), "no": no_text(), "raw": shorten(raw)}
    )


def to_text(raw, where: str) -> str:
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


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def sheet_rows(ws, last_row: int):
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


def is_blank_row(values) -> bool:
    return all(is_blank(v) for v in values)


def last_row_of(ref: str) -> int:
    """The bottom row of a merged range such as "I12:J12"; a range that cannot be read counts."""
    try:
        return range_boundaries(ref)[3] or 0
    except (TypeError, ValueError):
        return MAX_ROW_INDEX
