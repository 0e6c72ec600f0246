"""What makes the spreadsheets we read and write safe.

Reading an upload (`check_package`): an .xlsx is a zip of XML parts, and a sheet of identical
rows packs about 250:1, so a few hundred KB can unpack to a hundred MB that openpyxl would turn
into a gigabyte of objects. Before openpyxl sees the file, its zip directory is checked (number
of parts, each part's and the total unpacked size, the compression ratio of the larger parts),
then every XML part is streamed through expat, which builds nothing: the counts of elements,
cells and cells in a row stop the scan at the first limit passed, and a document type
declaration (never used by Excel, the door to entity expansion) is refused. The sizes are
binding: Python's zipfile, which openpyxl reads through, never unpacks more than a part's
declared size and checks its CRC. The scan also notes, per worksheet, the last row with content,
the first cell with content right of `MAX_COLUMNS` and the merged ranges, which openpyxl's
streaming (read-only) mode does not give; the reader uses them to stop early and to refuse.

Writing (`put`, `workbook_bytes`): a text cell starting with = + - @ or a tab or CR may be taken
for a formula by a spreadsheet program (formula injection), so every text is stored as an
explicit string cell with the "quote prefix" style Excel gives text typed after an apostrophe:
shown unchanged and still text when edited. Every workbook the product writes goes through them.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

# --- writing ---------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def put(cell, value):
    """Set `cell` to `value`; text is always stored as text, never as a formula, and returns it.

    openpyxl would make "=…" a formula; Excel and LibreOffice may evaluate text starting with
    + - @ tab or CR once it is edited or exported. An explicit string cell with quotePrefix is
    displayed exactly as written and stays text.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    return cell


def workbook_bytes(workbook) -> bytes:
    """The saved workbook, with every carriage return kept.

    openpyxl writes a CR in a cell's text as a raw byte, which every XML reader turns into a line
    feed, so "\\r=1" would read back as "\\n=1". Outside text, openpyxl escapes CRs, so in its XML
    output a raw CR byte (0x0D is never part of a longer UTF-8 sequence) can only be cell text:
    it is rewritten as the character reference &#13;, which XML readers keep.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    if not any(b"\r" in content for info, content in members if _is_xml_name(info.filename)):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            if _is_xml_name(info.filename):
                content = content.replace(b"\r", b"&#13;")
            archive.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


# --- reading ---------------------------------------------------------------------------------

MAX_ZIP_MEMBERS = 500
# A unit's template of a few hundred rows has a sheet of well under 1 MB; 10 000 blank rows
# with borders, which Excel leaves behind, are about 4 MB. The 95 MB bomb is far above.
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 24 * 1024 * 1024
# Real sheets pack 2:1 to 20:1 (blank styled rows about 15:1); identical rows 200:1 and more.
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# Elements of one worksheet or shared-strings part (10 000 styled blank rows of 14 cells are
# 150 000), cells in one row, elements of any other part or outside a sheet's cell data, and
# elements of the whole file.
MAX_SHEET_ELEMENTS = 400_000
MAX_ROW_CELLS = 1_000
MAX_PART_ELEMENTS = 20_000
MAX_TOTAL_ELEMENTS = 600_000
# Content is looked for up to this column; right of it, a cell with content is recorded.
MAX_COLUMNS = 50
CHUNK = 64 * 1024

_COORDINATE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class Refused(Exception):
    """The file is not opened; `message` says why, in the active language."""

    def __init__(self, message: str, *, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


@dataclass
class SheetFacts:
    """What the scan saw in one worksheet part."""

    last_content_row: int = 0
    wide_cell: str | None = None  # the first cell with content right of MAX_COLUMNS
    merges: list[str] = field(default_factory=list)


def _broken() -> str:
    return _(
        "文件不是有效的 .xlsx 文件:可能已损坏、未完整上传,或只是把其他文件改了扩展名。请重新下载模板填写。"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def _too_big(size: int, limit: int) -> Refused:
    return Refused(
        _("文件解压后过大(%(size)s MB,上限 %(limit)s MB),不像是填报模板,请使用下载的模板。")
        % {"size": _megabytes(size), "limit": limit // 1024 // 1024},
        status=413,
    )


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse by the zip directory alone: parts, declared unpacked sizes, compression ratio."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(
            _("文件包含的部件过多(%(n)s 个,上限 %(limit)s 个),不像是填报模板,请使用下载的模板。")
            % {"n": len(members), "limit": MAX_ZIP_MEMBERS}
        )
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise _too_big(info.file_size, MAX_MEMBER_BYTES)
    total = sum(info.file_size for info in members)
    if total > MAX_UNPACKED_BYTES:
        raise _too_big(total, MAX_UNPACKED_BYTES)
    for info in members:
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise _too_repetitive(-(-info.file_size // max(info.compress_size, 1)))


def _too_repetitive(ratio: int) -> Refused:
    return Refused(
        _("文件压缩比异常(%(ratio)s 倍,上限 %(limit)s 倍),内容大量重复,不像是填报模板,请使用下载的模板。")
        % {"ratio": ratio, "limit": MAX_RATIO},
        status=413,
    )


def _too_many(limit: int) -> Refused:
    return Refused(
        _("文件内容过多(超过 %(n)s 个 XML 元素),不像是填报模板,请使用下载的模板。") % {"n": limit},
        status=413,
    )


def _local(name: str) -> str:
    return name.rpartition("}")[2]


class _Scan:
    """expat handlers for one part; counts against the part's and the file's budgets."""

    def __init__(self, budget: list[int]):
        self.budget = budget  # [elements left in the whole file]
        self.depth = 0
        self.kind = None  # the root's local name: "worksheet", "sst", …
        self.elements = 0
        self.outside = 0  # elements of a worksheet outside <sheetData>
        self.in_data = False
        self.row = 0
        self.column = 0
        self.cell_column = 0
        self.row_cells = 0
        self.cells = 0
        self.facts = SheetFacts()

    def _limit(self) -> int:
        return MAX_SHEET_ELEMENTS if self.kind in {"worksheet", "sst"} else MAX_PART_ELEMENTS

    def start(self, name, attrs):
        local = _local(name)
        if self.depth == 0:
            self.kind = local
        self.depth += 1
        self.elements += 1
        self.budget[0] -= 1
        if self.elements > self._limit():
            raise _too_many(self._limit())
        if self.budget[0] < 0:
            raise _too_many(MAX_TOTAL_ELEMENTS)
        if self.kind != "worksheet":
            return
        if not self.in_data:
            if local == "sheetData" and self.depth == 2:
                self.in_data = True
                return
            self.outside += 1
            if self.outside > MAX_PART_ELEMENTS:
                raise _too_many(MAX_PART_ELEMENTS)
            if local == "mergeCell" and attrs.get("ref"):
                self.facts.merges.append(attrs["ref"])
            return
        if local == "row" and self.depth == 3:
            self.row = _number(attrs.get("r"), self.row + 1)
            self.column = 0
            self.row_cells = 0
        elif local == "c" and self.depth == 4:
            self.row_cells += 1
            self.cells += 1
            if self.row_cells > MAX_ROW_CELLS:
                raise Refused(
                    _("第 %(row)s 行的单元格过多(超过 %(n)s 个),请删除表格右侧多余的内容或格式后再上传。")
                    % {"row": self.row, "n": MAX_ROW_CELLS}
                )
            match = _COORDINATE.match(attrs.get("r") or "")
            self.column = column_index_from_string(match[1].upper()) if match else self.column + 1
            self.cell_column = self.column
        elif local in {"v", "f", "is"} and self.depth == 5:
            facts = self.facts
            facts.last_content_row = max(facts.last_content_row, self.row)
            if self.cell_column > MAX_COLUMNS and facts.wide_cell is None:
                facts.wide_cell = f"{get_column_letter(min(self.cell_column, 16384))}{self.row}"

    def end(self, name):
        self.depth -= 1
        if self.in_data and self.depth == 1:
            self.in_data = False


def _number(raw, default: int) -> int:
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            raise Refused(_broken()) from None
        if not value.is_integer():
            raise Refused(_broken()) from None
        return int(value)


def _doctype(*_args):
    raise Refused(_broken())


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> _Scan | None:
    """Stream one part through expat; None when it is not XML. Stops at the first limit passed."""
    with archive.open(info) as stream:
        chunk = stream.read(CHUNK)
        if not _looks_like_xml(chunk):
            return None
        scan = _Scan(budget)
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _doctype
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        try:
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(CHUNK)
            parser.Parse(b"", True)
        except expat.ExpatError:
            # Not well-formed: openpyxl will refuse it if it needs it (Excel's VML drawings for
            # comments are often not XML at all). What came before the error was within limits.
            pass
    return scan


def check_package(data: bytes) -> dict[str, SheetFacts]:
    """Refuse a file that would cost too much to open; the facts of each worksheet part by name.

    Raises Refused. `data` must already be known to be a zip.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
            budget = [MAX_TOTAL_ELEMENTS]
            sheets = {}
            for info in archive.infolist():
                if info.is_dir():
                    continue
                scan = _scan_part(archive, info, budget)
                if scan is not None and scan.kind == "worksheet":
                    sheets[info.filename] = scan.facts
            return sheets
    except Refused:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        raise Refused(_broken()) from None
