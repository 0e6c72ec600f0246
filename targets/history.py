"""A target's change log: who changed what on the target and its published figures, old → new."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.formatting import fmt_number

from .models import Figure, Target

# Bookkeeping fields whose change the log need not show (who and when are shown per entry).
_NOT_SHOWN = {
    "version",
    "entered_by",
    "updated_by",
    "reviewed_by",
    "reviewed_at",
    "submitted_at",
    "sort_order",
    "key_task",
}

HISTORY_TYPES = {"+": gettext_lazy("新建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class LogEntry:
    when: dt.datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _display(model, name: str, value) -> object:
    model_field = model._meta.get_field(name)
    if model_field.choices and value is not None:
        return dict(model_field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):
        return fmt_number(value)
    return value


def _entries(records, *, model, subject) -> list[LogEntry]:
    """Records of one object, oldest first → log entries with their field changes."""
    entries = []
    previous = None
    for record in records:
        who = record.history_user.get_username() if record.history_user else _("系统")
        entry = LogEntry(
            when=record.history_date,
            who=who,
            subject=subject(record),
            action=HISTORY_TYPES[record.history_type],
        )
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=_NOT_SHOWN)
            entry.changes = [
                Change(
                    field=str(model._meta.get_field(c.field).verbose_name),
                    old=_display(model, c.field, c.old),
                    new=_display(model, c.field, c.new),
                )
                for c in delta.changes
            ]
            if not entry.changes and record.history_type == "~":
                previous = record
                continue
        entries.append(entry)
        previous = record
    return entries


def _figure_subject(record) -> str:
    return _("%(month)s 数据") % {"month": record.month.strftime("%Y-%m")}


def _published(records) -> list:
    """A figure's records in the states readers may see: approved ones only.

    Drafts and submissions before an approval are the unit's and the reviewers' business (the
    admin's history shows them to those who may see the figure); a reader sees each published
    value, who approved it, and every later correction that was approved again.
    """
    return [r for r in records if r.status == Figure.Status.APPROVED]


def _published_entries(records) -> list[LogEntry]:
    entries = _entries(records, model=Figure, subject=_figure_subject)
    if entries and records:
        first = records[0]
        entries[0].action = _("审核通过并发布")
        entries[0].changes = [
            Change(
                field=str(Figure._meta.get_field("value").verbose_name),
                old="—",
                new=_display(Figure, "value", first.value)
                if first.value is not None
                else (_("已完成") if first.reached else _("未完成")),
            )
        ]
        for entry in entries[1:]:
            entry.action = _("更正后再次审核通过")
    return entries


def change_log(target: Target, *, figure_ids, limit: int = 100) -> list[LogEntry]:
    """Changes to the target and to the given figures (its published ones), newest first.

    Only the published states of figures are listed (see `_published`). Two queries, whatever
    the number of figures or changes.
    """
    log = _entries(
        target.history.select_related("history_user").order_by("history_date", "history_id"),
        model=Target,
        subject=lambda r: _("目标设置"),
    )
    records = (
        Figure.history.filter(id__in=list(figure_ids))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    by_figure: dict[int, list] = {}
    for record in records:
        by_figure.setdefault(record.id, []).append(record)
    for figure_records in by_figure.values():
        log += _published_entries(_published(figure_records))
    log.sort(key=lambda e: e.when, reverse=True)
    return log[:limit]
