"""The bulletin as an Excel workbook: the same tables as the printed page, one sheet each.

Sheet names, headers and labels follow the active language (the request's, as on the HTML
bulletin); the data (names, units, sentences from the plan) keeps its own language. Counts,
values and percentages are stored as numbers (percentages as points, e.g. 56.9 for 56.9%, as
printed), so a reader can sort and sum them. A target without an approved figure says 暂无数据
(Not reported) in its value cell.

Every cell is written through `entry.xlsx.safety.put`, so a name or problem text starting with
= + - @ stays text and is never a formula, and the file is saved by `xlsx_safety.workbook_bytes`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from entry.xlsx import safety as xlsx_safety
from entry.xlsx.safety import put
from projects import summary as project_summary

from .bulletin import Bulletin, TargetLine

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEET_HEADLINE = "概况"
SHEET_NARRATIVE = "通报文字"
SHEET_TARGETS = "分项目标"
SHEET_ATTENTION = "滞后逾期"
SHEET_RANKING = "单位排名"
SHEET_PROBLEMS = "问题清单"
SHEET_GROUPS = "项目分组"
SHEET_INDICATORS = "监测指标"

# The sheet names as shown, in the active language. Excel allows at most 31 characters and none
# of : \ / ? * [ ].
SHEET_TITLES = {
    SHEET_HEADLINE: pgettext_lazy("bulletin sheet", "概况"),
    SHEET_NARRATIVE: pgettext_lazy("bulletin sheet", "通报文字"),
    SHEET_TARGETS: pgettext_lazy("bulletin sheet", "分项目标"),
    SHEET_ATTENTION: pgettext_lazy("bulletin sheet", "滞后逾期"),
    SHEET_RANKING: pgettext_lazy("bulletin sheet", "单位排名"),
    SHEET_PROBLEMS: pgettext_lazy("bulletin sheet", "问题清单"),
    SHEET_GROUPS: pgettext_lazy("bulletin sheet", "项目分组"),
    SHEET_INDICATORS: pgettext_lazy("bulletin sheet", "监测指标"),
}

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
POINTS_FORMAT = "0.0"


def _title(ws: Worksheet, bulletin: Bulletin, heading: str) -> int:
    """Two lines naming the plan, month and as-of date; returns the next free row."""
    put(ws.cell(row=1, column=1), f"{bulletin.title} · {heading}").font = Font(bold=True, size=13)
    put(
        ws.cell(row=2, column=1),
        _("计划:%(plan)s;通报月份:%(month)s;数据截至 %(as_of)s")
        % {
            "plan": bulletin.plan.title,
            "month": bulletin.month_text,
            "as_of": f"{bulletin.as_of:%Y-%m-%d}",
        },
    )
    return 3


def _table(ws: Worksheet, headers: list[str], rows, *, start: int, widths=None, points=()) -> int:
    """Header row at `start`, then `rows`; `points` are the 1-based columns shown as 0.0."""
    for col, header in enumerate(headers, 1):
        cell = put(ws.cell(row=start, column=col), header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    row_number = start
    for row_number, values in enumerate(rows, start + 1):
        for col, value in enumerate(values, 1):
            cell = put(ws.cell(row=row_number, column=col), value)
            if col in points and value is not None:
                cell.number_format = POINTS_FORMAT
    for col, width in enumerate(widths or [], 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    return row_number + 1


def _value_cell(line: TargetLine):
    """A number when there is an approved value; else its text (暂无数据, 已完成, 未完成)."""
    if line.value is not None:
        return line.value
    return line.value_text


def headline_rows(bulletin: Bulletin) -> list[tuple[str, int]]:
    head = bulletin.headline
    rows = [(label, n) for label, n, _lights in head.shown_parts]
    return [
        (_("量化目标"), head.total),
        *rows,
        (_("其中严重滞后"), head.seriously_behind),
        (_("未明确责任单位的目标"), bulletin.unassigned_count),
        (_("未解决问题"), bulletin.open_problems),
        (_("其中逾期问题"), bulletin.overdue_problems),
        (_("监测指标"), bulletin.indicator_count),
    ]


def _headline(ws: Worksheet, bulletin: Bulletin) -> None:
    row = _title(ws, bulletin, _("总体情况"))
    put(ws.cell(row=row, column=1), bulletin.headline.sentence)
    _table(
        ws,
        [pgettext("headline table", "项目"), _("项数")],
        headline_rows(bulletin),
        start=row + 2,
        widths=[28, 12],
    )


TARGET_HEADERS = [
    gettext_noop("重点工作"),
    gettext_noop("编号"),
    gettext_noop("目标名称"),
    gettext_noop("目标值"),
    gettext_noop("计量单位"),
    gettext_noop("最新值(已审核)"),
    gettext_noop("数据月份"),
    gettext_noop("完成率(%)"),
    gettext_noop("序时进度(%)"),
    gettext_noop("差距(百分点)"),
    gettext_noop("状态"),
    gettext_noop("期限"),
    gettext_noop("责任单位"),
    gettext_noop("分包领导"),
    gettext_noop("说明"),
]


def _verdict_text(line: TargetLine) -> str:
    """The verdict with the plan's own word (确保/力争) and the 预计难以完成 warning, as one cell."""
    parts = [f"{line.light.symbol} {line.light.label}"]
    if line.target.commitment:
        parts.append(str(line.target.get_commitment_display()))
    if line.row.at_risk:
        parts.append("⚠ " + _("预计难以完成"))
    return " · ".join(parts)


def _target_row(line: TargetLine) -> list:
    target = line.target
    return [
        target.key_task.number,
        target.code,
        target.display_name,
        target.goal,
        target.unit_of_measure,
        _value_cell(line),
        f"{line.value_month:%Y-%m}" if line.value_month else None,
        line.row.completion,
        line.row.expected_share,
        line.row.gap,
        _verdict_text(line),
        target.deadline,
        line.units_text,
        line.lead_official_text,
        " ".join(filter(None, [line.source_note, target.get_kind_display() if line.is_milestone else ""])),
    ]


TARGET_WIDTHS = [8, 8, 36, 10, 10, 14, 10, 10, 11, 11, 12, 12, 20, 12, 12]


def _targets(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("各项重点工作目标进展"))
    rows = [_target_row(line) for line in bulletin.lines]
    end = _table(
        ws, [_(h) for h in TARGET_HEADERS], rows, start=start, widths=TARGET_WIDTHS, points=(8, 9, 10)
    )
    for row in range(start + 1, end):
        ws.cell(row=row, column=12).number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=start + 1, column=4)


def _attention(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("需要关注的目标(最严重的在前)"))
    rows = [_target_row(line) for line in bulletin.attention]
    if not rows:
        put(ws.cell(row=start, column=1), _("截至该日期,没有滞后、逾期或预计难以完成的目标。"))
        return
    end = _table(
        ws, [_(h) for h in TARGET_HEADERS], rows, start=start, widths=TARGET_WIDTHS, points=(8, 9, 10)
    )
    for row in range(start + 1, end):
        ws.cell(row=row, column=12).number_format = "yyyy-mm-dd"


RANKING_HEADERS = [
    gettext_noop("名次"),
    gettext_noop("责任单位"),
    gettext_noop("负责量化目标数"),
    gettext_noop("已完成或正常推进"),
    gettext_noop("占比(%)"),
    gettext_noop("本月应报目标数"),
    gettext_noop("按时报送"),
    gettext_noop("按时报送率(%)"),
]


def _ranking(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("责任单位排名"))
    put(ws.cell(row=start, column=1), bulletin.ranking_rule)
    rows = [
        [r.rank, r.unit_name, r.targets, r.good, r.good_share, r.reported_targets, r.on_time, r.on_time_rate]
        for r in bulletin.ranking
    ]
    if rows:
        end = _table(
            ws,
            [_(h) for h in RANKING_HEADERS],
            rows,
            start=start + 2,
            widths=[8, 24, 14, 16, 10, 14, 10, 14],
            points=(5, 8),
        )
    else:
        put(ws.cell(row=start + 2, column=1), _("尚无明确了责任单位的量化目标,暂不能排名。"))
        end = start + 3
    put(ws.cell(row=end + 1, column=1), bulletin.unassigned_text)


PROBLEM_HEADERS = [
    gettext_noop("分包领导"),
    gettext_noop("项目"),
    gettext_noop("问题"),
    gettext_noop("责任单位"),
    gettext_noop("提出日期"),
    gettext_noop("限期解决"),
    gettext_noop("是否逾期"),
]


def _problems(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("项目台账未解决问题(按分包领导)"))
    rows = [
        [
            group.label,
            line.project_name,
            line.description,
            line.unit_text,
            line.raised_on,
            line.due_by,
            _("逾期") if line.overdue else "",
        ]
        for group in bulletin.problem_groups
        for line in group.lines
    ]
    if not rows:
        put(ws.cell(row=start, column=1), _("截至该日期,项目台账中没有未解决的问题。"))
        return
    end = _table(ws, [_(h) for h in PROBLEM_HEADERS], rows, start=start, widths=[12, 28, 40, 18, 12, 12, 10])
    for row in range(start + 1, end):
        for col in (5, 6):
            ws.cell(row=row, column=col).number_format = "yyyy-mm-dd"


# Per stage rate, in 四比四看 order: how many reached it, over how many, the rate, and what the
# rate rests on (台账 / 台账未录入 / 文件所述 … as on the page); empty numbers where it has none.
STAGE_RATE_HEADERS = [
    [
        gettext_noop("开工数"),
        gettext_noop("开工率分母"),
        gettext_noop("开工率(%)"),
        gettext_noop("开工率说明"),
    ],
    [
        gettext_noop("入库数"),
        gettext_noop("入库率分母"),
        gettext_noop("入库率(%)"),
        gettext_noop("入库率说明"),
    ],
    [
        gettext_noop("竣工数"),
        gettext_noop("竣工率分母"),
        gettext_noop("竣工率(%)"),
        gettext_noop("竣工率说明"),
    ],
    [
        gettext_noop("达产数"),
        gettext_noop("达产率分母"),
        gettext_noop("达产率(%)"),
        gettext_noop("达产率说明"),
    ],
]
GROUP_HEADERS = [
    gettext_noop("分组"),
    gettext_noop("重点工作"),
    gettext_noop("台账项目数"),
    gettext_noop("文件所述数量"),
    *[header for stage in STAGE_RATE_HEADERS for header in stage],
    gettext_noop("已完成投资(亿元)"),
    gettext_noop("年度计划投资(亿元)"),
    gettext_noop("投资完成率(%)"),
]


def _groups(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("项目分组推进情况"))
    rows = []
    for s in bulletin.project_groups:
        rates = []
        for _label, rate in s.rate_cells:
            has_count = rate is not None and rate.count is not None
            rates += [
                rate.count if has_count else None,
                rate.of if has_count else None,
                rate.percent if has_count else None,
                project_summary.rate_note(rate) or _("台账"),
            ]
        has_plan = s.investment.items_with_plan > 0
        rows.append(
            [
                s.group.name,
                s.group.key_task.number if s.group.key_task else None,
                s.item_count,
                s.stated_count,
                *rates,
                s.investment.completed if has_plan else None,
                s.investment.planned if has_plan else None,
                s.investment.percent,
            ]
        )
    end = _table(
        ws,
        [_(h) for h in GROUP_HEADERS],
        rows,
        start=start,
        widths=[26, 8, 10, 12] + [8, 8, 10, 30] * 4 + [14, 16, 14],
        points=(7, 11, 15, 19, 23),
    )
    if bulletin.omitted_group_count:
        put(
            ws.cell(row=end + 1, column=1),
            ngettext(
                "另有 %(n)s 个分组台账中尚无项目、文件也未说明数量,未列出。",
                "另有 %(n)s 个分组台账中尚无项目、文件也未说明数量,未列出。",
                bulletin.omitted_group_count,
            )
            % {"n": bulletin.omitted_group_count},
        )


INDICATOR_HEADERS = [
    gettext_noop("重点工作"),
    gettext_noop("编号"),
    gettext_noop("指标"),
    gettext_noop("最新值(已审核)"),
    gettext_noop("计量单位"),
    gettext_noop("数据月份"),
    gettext_noop("原文写法"),
]


def _indicators(ws: Worksheet, bulletin: Bulletin) -> None:
    start = _title(ws, bulletin, _("经济运行监测指标"))
    rows = [
        [
            task.number,
            line.target.code,
            line.target.display_name,
            line.value if line.value is not None else line.value_text,
            line.target.unit_of_measure,
            f"{line.figure.month:%Y-%m}" if line.figure else None,
            # "100余", "近100": the number above is the figure, the words say how the source put it.
            line.value_text if line.figure and line.figure.value_qualifier else None,
        ]
        for task, lines in bulletin.indicators
        for line in lines
    ]
    _table(ws, [_(h) for h in INDICATOR_HEADERS], rows, start=start, widths=[8, 8, 40, 14, 10, 10, 12])


def _narrative(ws: Worksheet, bulletin: Bulletin) -> None:
    """工作亮点, 存在问题, 下步工作 as the bulletin prints them, one line a row, numbered as there."""
    from . import narrative

    text = narrative.for_bulletin(bulletin)
    headings = narrative.outline(bulletin, text)
    row = _title(ws, bulletin, _("通报文字"))
    for key, body in text.sections:
        put(ws.cell(row=row, column=1), headings[key]).font = HEADER_FONT
        row += 1
        for line in body.splitlines():
            put(ws.cell(row=row, column=1), line)
            row += 1
        row += 1
    if not text.approved and text.sections:
        put(ws.cell(row=row, column=1), _("以上亮点、问题和下步工作据数据生成,尚未经督查室审定。"))
    ws.column_dimensions["A"].width = 110


def build_workbook(bulletin: Bulletin) -> Workbook:
    workbook = Workbook()
    sheets = [
        (SHEET_HEADLINE, _headline),
        (SHEET_NARRATIVE, _narrative),
        (SHEET_TARGETS, _targets),
        (SHEET_ATTENTION, _attention),
        (SHEET_RANKING, _ranking),
        (SHEET_PROBLEMS, _problems),
        (SHEET_GROUPS, _groups),
        (SHEET_INDICATORS, _indicators),
    ]
    for index, (title, write) in enumerate(sheets):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = str(SHEET_TITLES[title])
        write(ws, bulletin)
    return workbook


def workbook_bytes(bulletin: Bulletin) -> bytes:
    return xlsx_safety.workbook_bytes(build_workbook(bulletin))
