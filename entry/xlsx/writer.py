"""Writing the unit's fill-in template: one row per target a unit answers for in a month.

`build_template` writes the workbook (`sheetcells` holds its layout); nothing here touches the
request or stores anything.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.months import month_end
from targets.access import is_admin
from targets.models import Figure, Target, Unit

from .. import access
from . import safety
from .safety import put
from .sheetcells import (
    ANOMALY,
    CODE,
    COLUMNS,
    CORRECTION,
    GOAL,
    HEADER_ROW,
    HIDDEN_COLUMNS,
    INSTRUCTIONS,
    MEASURE,
    MONTH_LABEL,
    NAME,
    PREVIOUS,
    PROBLEMS,
    PROGRESS,
    REACHED,
    REACHED_ON,
    READ_ONLY_COLUMNS,
    SHEET_TITLE,
    TARGET_ID,
    TEXT_FIELDS,
    UNIT_LABEL,
    VALUE,
    VERSION,
    cell_number,
    column_title,
    no_text,
    yes_text,
)

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


def units_for(user):
    """Units whose template this user may download and upload (admins: all)."""
    if is_admin(user):
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


def stored_figures(targets, month: dt.date) -> dict[tuple[int, dt.date], Figure]:
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    figures = Figure.objects.filter(target__in=[t.pk for t in targets], month__in=[previous, month])
    return {(f.target_id, f.month): f for f in figures}


def build_template(unit: Unit, month: dt.date, *, user) -> tuple[bytes, int]:
    """The unit's fill-in workbook for the month, and how many target rows it has."""
    targets = list(unit_targets(unit, month))
    figures = stored_figures(targets, month)
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
            GOAL: cell_number(target.goal),
            PREVIOUS: cell_number(previous.value) if previous else None,
            TARGET_ID: target.pk,
            VERSION: current.version if current else None,
        }
        if current is not None:
            values |= {
                VALUE: cell_number(current.value),
                REACHED: None if current.reached is None else (yes_text() if current.reached else no_text()),
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
            formula1=f'"{yes_text()},{no_text()}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("是否完成"),
            error=_("请选择“%(yes)s”或“%(no)s”。") % {"yes": yes_text(), "no": no_text()},
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
    return safety.workbook_bytes(wb), len(targets)


def template_filename(unit: Unit, month: dt.date) -> str:
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", unit.name).strip("_") or "unit"
    prefix = pgettext("excel file name", "月度数据")
    return f"{prefix}_{name}_{month:%Y-%m}.xlsx"
