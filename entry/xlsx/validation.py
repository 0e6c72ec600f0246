"""Checking an uploaded workbook before its rows are read: name, size, the package scan
(`safety.check_package`) before openpyxl opens it, and the header row.
"""

import io
import logging
import warnings
import zipfile

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from common.formatting import join_list

from . import safety
from .sheetcells import (
    COLUMNS,
    HEADER_SEARCH_ROWS,
    LANGUAGES,
    MAX_UPLOAD_BYTES,
    WorkbookRejected,
    headers_by_language,
    label_text,
    semicolon,
)

logger = logging.getLogger(__name__)


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


def open_workbook(data: bytes):
    """The workbook opened in read-only (streaming) mode and the scan's facts of its sheets.

    Nothing reaches openpyxl before `safety.check_package` has passed the file.
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
        sheets = safety.check_package(data)
    except safety.Refused as refused:
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


def _header_keys() -> dict[str, str]:
    """Every header in every language (case folded) → its column's key."""
    return {
        title.casefold(): key
        for titles in headers_by_language().values()
        for key, title in zip(COLUMNS, titles, strict=True)
    }


def find_header(grid: list[list]) -> int | None:
    """Index in `grid` of the row that looks most like the header (at least three labels)."""
    keys = _header_keys()
    best, best_hits = None, 2
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in values if label_text(v).casefold() in keys)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def check_header(values: list) -> None:
    """Refuse a header that is not the template's, in either language, naming what differs.

    The expected headers are named in the language most of the file's headers are in.
    """
    actual = [label_text(v) for v in values]
    while actual and not actual[-1]:
        actual.pop()
    keys = _header_keys()
    found = [keys.get(label.casefold()) for label in actual]
    if found == COLUMNS:
        return
    by_language = headers_by_language()
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
        problems.append(_("疑似改名:%(cols)s") % {"cols": semicolon().join(renamed)})
    if repeated:
        problems.append(_("重复的列:%(cols)s") % {"cols": join_list(f"“{shown[key]}”" for key in repeated)})
    if not problems:
        problems.append(
            _("列的顺序与模板不一致,应为:%(cols)s") % {"cols": " | ".join(shown[key] for key in COLUMNS)}
        )
    raise WorkbookRejected(
        _("表头与模板不一致(%(problems)s)。请使用下载的模板,不要增删、重命名或移动列。")
        % {"problems": semicolon().join(problems)}
    )
