"""Entering monthly figures: the checks and the all-or-nothing save behind every entry path.

The admin form, the unit's monthly page and the Excel import all build `Entry` objects and call
`check_entries` / `save_entries`, so a figure is held to the same rules whichever way it comes.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import fmt_number
from targets.models import NOTE_FIELDS, DataVersion, Figure, FigureEvent, KeyTask, Plan, Target
from targets.signals import figures_moved

from . import access
from .values import figure_errors

# A value over this multiple of the goal is held as a warning.
GOAL_MULTIPLE_WARNING = Decimal(3)
# A month's change over this multiple of the usual monthly change is held as a warning.
JUMP_MULTIPLE_WARNING = Decimal(5)


@dataclass
class Entry:
    """What a user typed for one target and month."""

    target: Target
    month: dt.date
    value: Decimal | None = None
    reached: bool | None = None
    reached_on: dt.date | None = None
    progress_note: str = ""
    problems: str = ""
    correction_reason: str = ""
    anomaly_note: str = ""
    # The version of the stored figure the user started from; None for a new figure.
    base_version: int | None = None

    def __post_init__(self):
        self.month = self.month.replace(day=1)


@dataclass
class Check:
    """Errors block the save; warnings block it until the reporter explains them (anomaly_note)."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


class EntriesRejected(Exception):
    """Nothing was saved; `checks[i]` says what is wrong with entry i."""

    def __init__(self, checks: list[Check]):
        super().__init__("entries rejected")
        self.checks = checks


def _history(entries: Sequence[Entry]) -> dict[int, list[Figure]]:
    """Stored figures of the entries' targets, oldest first, in one query."""
    by_target: dict[int, list[Figure]] = {}
    figures = (
        Figure.objects.filter(target__in={e.target.pk for e in entries})
        .select_related("updated_by", "entered_by")
        .order_by("month")
    )
    for figure in figures:
        by_target.setdefault(figure.target_id, []).append(figure)
    return by_target


def _warnings(entry: Entry, earlier: list[Figure]) -> dict[str, str]:
    target = entry.target
    if entry.value is None or target.kind == Target.Kind.MILESTONE:
        return {}
    warnings = {}
    if target.goal and target.goal > 0 and entry.value > target.goal * GOAL_MULTIPLE_WARNING:
        warnings["value"] = _(
            "数值 %(value)s 超过目标值 %(goal)s 的 %(n)s 倍,请确认无误并在“异常说明”中说明。"
        ) % {
            "value": fmt_number(entry.value),
            "goal": fmt_number(target.goal),
            "n": GOAL_MULTIPLE_WARNING,
        }
    values = [f.value for f in earlier if f.value is not None]
    if len(values) >= 3:
        changes = [abs(b - a) for a, b in pairwise(values)]
        usual = sum(changes) / len(changes)
        jump = abs(entry.value - values[-1])
        if usual > 0 and jump > usual * JUMP_MULTIPLE_WARNING:
            warnings["value"] = _(
                "本月变化 %(jump)s 是以往月均变化 %(usual)s 的 %(n)s 倍以上,请确认无误并在“异常说明”中说明。"
            ) % {
                "jump": fmt_number(jump),
                "usual": usual.quantize(Decimal("0.01")),
                "n": JUMP_MULTIPLE_WARNING,
            }
    return warnings


def check_entry(
    entry: Entry, *, user, stored: list[Figure], today: dt.date, allowed_ids: set[int] | None = ...
) -> Check:
    """All checks of one entry against the target's stored figures (oldest first)."""
    check = Check()
    current = next((f for f in stored if f.month == entry.month), None)
    refusal = access.edit_refusal(user, entry.target, current, allowed_ids=allowed_ids)
    if refusal:
        check.errors["__all__"] = refusal
        return check
    if current is not None and entry.base_version != current.version:
        who = current.updated_by or current.entered_by
        check.errors["__all__"] = _(
            "该数据已于 %(when)s 被 %(who)s 修改,您的修改未保存。请刷新页面,在最新数据的基础上重新填写。"
        ) % {
            "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
            "who": who.get_username() if who else _("系统"),
        }
        return check
    if current is None and entry.base_version is not None:
        check.errors["__all__"] = _("该数据已被删除,请刷新页面后重新填写。")
        return check
    check.errors.update(
        figure_errors(
            target=entry.target,
            month=entry.month,
            value=entry.value,
            reached=entry.reached,
            reached_on=entry.reached_on,
            today=today,
            notes={name: getattr(entry, name) for name in NOTE_FIELDS},
        )
    )
    if check.errors:
        return check
    earlier = [f for f in stored if f.month < entry.month]
    previous = earlier[-1] if earlier else None
    if (
        entry.target.kind == Target.Kind.CUMULATIVE
        and previous is not None
        and previous.value is not None
        and entry.value is not None
        and entry.value < previous.value
        and not entry.correction_reason.strip()
    ):
        check.errors["correction_reason"] = _(
            "累计值 %(value)s 低于 %(month)s 的 %(previous)s,请填写更正原因。"
        ) % {
            "value": fmt_number(entry.value),
            "month": previous.month.strftime("%Y-%m"),
            "previous": fmt_number(previous.value),
        }
    if not entry.anomaly_note.strip():
        check.warnings.update(_warnings(entry, earlier))
    return check


def check_entries(entries: Sequence[Entry], *, user, today: dt.date | None = None) -> list[Check]:
    return _checked(entries, user=user, today=today)[0]


def _checked(
    entries: Sequence[Entry], *, user, today: dt.date | None = None
) -> tuple[list[Check], dict[int, list[Figure]]]:
    """The checks of every entry, and the stored figures they were checked against."""
    today = today or timezone.localdate()
    history = _history(entries)
    allowed_ids = access.reportable_target_ids(user)
    # An archived plan (状态 已归档) is read-only: no figure of it is entered or changed.
    archived = _archived_target_ids(entries)
    seen = set()
    checks = []
    for entry in entries:
        check = check_entry(
            entry, user=user, stored=history.get(entry.target.pk, []), today=today, allowed_ids=allowed_ids
        )
        if entry.target.pk in archived:
            check.errors["__all__"] = _("该计划已归档,不能再填报或修改数据。")
        key = (entry.target.pk, entry.month)
        if key in seen:
            check.errors["__all__"] = _("同一目标同一月份出现了两次。")
        seen.add(key)
        checks.append(check)
    return checks, history


_FIELDS = Figure.ENTRY_FIELDS
# Figures in these states show on the progress pages (approved figures, and submitted ones in the
# reporting state); a draft or a returned figure shows nowhere but on the unit's own entry pages.
_SEEN = (Figure.Status.SUBMITTED, Figure.Status.APPROVED)


def save_entries(entries: Sequence[Entry], *, user, submit: bool = False) -> list[Figure]:
    """Check every entry, then save all of them or none.

    A figure changed by someone else since the user loaded it is refused (optimistic locking:
    the update only matches the version the user started from). With `submit`, the saved
    figures go to the reviewers. Raises EntriesRejected with the per-entry checks.

    A fixed number of queries whatever the number of entries: one compare-and-swap UPDATE for
    the changed figures, then bulk writes of the figures, their history and their review events.
    The plans' data versions move once, at the commit, and only when a page shows the change
    (a draft saved over a draft shows nowhere).
    """
    checks, history = _checked(entries, user=user)
    if not all(c.ok for c in checks):
        raise EntriesRejected(checks)
    now = timezone.now()
    status = Figure.Status.SUBMITTED if submit else Figure.Status.DRAFT
    stored = {(f.target_id, f.month): f for figures in history.values() for f in figures}
    created, changed, saved = [], [], []
    seen_before = False
    for entry in entries:
        if entry.base_version is None:
            figure = Figure(target=entry.target, month=entry.month, entered_by=user)
            created.append(figure)
        else:
            # The stored figure the check saw, at the version the user started from.
            figure = stored[(entry.target.pk, entry.month)]
            figure.target = entry.target
            seen_before = seen_before or figure.status in _SEEN
            figure.version = entry.base_version + 1
            figure.updated_at = now
            changed.append(figure)
        for name in _FIELDS:
            setattr(figure, name, getattr(entry, name))
        figure.status = status
        figure.updated_by = user
        if submit:
            figure.submitted_at = now
            figure.return_reason = ""
        saved.append(figure)
    try:
        with transaction.atomic():
            if changed:
                # Compare-and-swap on the versions: only one of two concurrent saves matches.
                claim = Q()
                for entry in entries:
                    if entry.base_version is not None:
                        claim |= Q(target=entry.target, month=entry.month, version=entry.base_version)
                claimed = Figure.objects.filter(claim).update(version=F("version") + 1)
                if claimed != len(changed):
                    raise _Conflict(next(i for i, e in enumerate(entries) if e.base_version is not None))
                Figure.objects.bulk_update(
                    changed, [*_FIELDS, "status", "updated_by", "updated_at", "submitted_at", "return_reason"]
                )
                Figure.history.bulk_history_create(changed, update=True, default_user=user, default_date=now)
            if created:
                Figure.objects.bulk_create(created)
                Figure.history.bulk_history_create(created, default_user=user, default_date=now)
            if submit:
                FigureEvent.objects.bulk_create(
                    FigureEvent(figure=figure, action=FigureEvent.Action.SUBMITTED, actor=user)
                    for figure in saved
                )
                figures_moved.send(
                    Figure, action=FigureEvent.Action.SUBMITTED, figures=saved, user=user, reason=""
                )
            if submit or seen_before:
                DataVersion.bump(_plan_ids(entries))
    except (_Conflict, IntegrityError) as exc:
        # Someone saved the same figure between our check and our write: nothing was kept.
        checks = check_entries(entries, user=user)
        if all(c.ok for c in checks):
            index = exc.index if isinstance(exc, _Conflict) else 0
            checks[index].errors["__all__"] = _(
                "该数据刚刚被他人修改或新建,您的修改未保存。请刷新后重新填写。"
            )
        raise EntriesRejected(checks) from exc
    return saved


def _plans_loaded(entries: Sequence[Entry]) -> bool:
    """Whether every entry's target came with its key task and plan (the monthly page loads them)."""
    key_task = Target._meta.get_field("key_task")
    plan = KeyTask._meta.get_field("plan")
    return all(key_task.is_cached(e.target) and plan.is_cached(e.target.key_task) for e in entries)


def _archived_target_ids(entries: Sequence[Entry]) -> set[int]:
    """The entries' targets whose plan is archived: read from the plans loaded with them, else queried."""
    if _plans_loaded(entries):
        return {e.target.pk for e in entries if e.target.key_task.plan.status == Plan.Status.ARCHIVED}
    return set(
        Target.objects.filter(
            pk__in={e.target.pk for e in entries}, key_task__plan__status=Plan.Status.ARCHIVED
        ).values_list("pk", flat=True)
    )


def _plan_ids(entries: Sequence[Entry]) -> set[int]:
    """The plans of the entries' targets, without a query when the targets came with their task."""
    key_task = Target._meta.get_field("key_task")
    if all(key_task.is_cached(e.target) for e in entries):  # the plan's id is on the task
        return {e.target.key_task.plan_id for e in entries}
    targets = {e.target.pk for e in entries}
    return set(Target.objects.filter(pk__in=targets).values_list("key_task__plan_id", flat=True))


class _Conflict(Exception):
    def __init__(self, index: int):
        super().__init__(index)
        self.index = index
