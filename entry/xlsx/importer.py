"""Importing the rows read from a workbook: `prepare` matches them with targets and stored
figures and turns the changed ones into `write.Entry` objects, which the caller checks and saves
through `write.check_entries` / `write.save_entries` like every other entry path; between the
preview and the confirmation the entries travel serialised (`serialize` / `deserialize`), and
`preview_rows` shows them. Nothing here touches the request or stores anything.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils.translation import gettext as _

from common.months import month_end
from targets.models import Figure, Target, Unit

from .. import access
from ..write import Check, Entry
from .reader import Row, Upload
from .sheetcells import (
    ANOMALY,
    CORRECTION,
    MONTH_LABEL,
    PROBLEMS,
    PROGRESS,
    REACHED,
    REACHED_ON,
    VALUE,
    WorkbookRejected,
    column_title,
)
from .writer import stored_figures, unit_targets


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
    figures = stored_figures([t for ts in own.values() for t in ts], month)
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
