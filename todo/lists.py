"""What each person must do now, as lists (the to-do page), in a fixed number of queries.

- A reporter (a member of units): items to acknowledge (待签收), feedback due (待反馈), returned
  feedback (被退回), reminders not yet answered (被催办), leaders' instructions to answer; the
  month's figures its units still owe, and returned figures.
- A reviewer (督查室): submitted figures and feedback waiting for review (待审核), overdue items.
- A leader (the account named as an item's 分包领导): instructions awaiting answers, items behind.

Who sees which items is `supervision.access`'s and `targets.access`'s decision; the overdue rules
are `supervision.rules`; the month due and the units' reporting are `targets.compliance`.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.months import month_end
from entry import compliance
from supervision import access as item_access
from supervision import queries, rules, workflow
from supervision.models import ItemEvent, State, SupervisedItem
from targets.access import can_report, can_review, visible_plans
from targets.models import Figure

Action = ItemEvent.Action
# How many rows a list shows; its count and a link to the full list say how many there are.
SHOWN = 20


@dataclass
class Entry:
    label: str
    url: str
    detail: str = ""
    late: bool = False
    flags: rules.Flags | None = None


@dataclass
class Section:
    key: str
    title: str
    empty: str
    entries: list[Entry] = field(default_factory=list)
    more_url: str = ""

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def shown(self) -> list[Entry]:
        return self.entries[:SHOWN]


@dataclass
class Todo:
    reporter: list[Section] = field(default_factory=list)
    reviewer: list[Section] = field(default_factory=list)
    leader: list[Section] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.reporter + self.reviewer + self.leader)

    @property
    def has_role(self) -> bool:
        return bool(self.reporter or self.reviewer or self.leader)


def month_page(unit_id: int, month: dt.date) -> str:
    """The unit's monthly entry page on `month`."""
    query = urlencode({"unit": unit_id, "month": f"{month:%Y-%m}"})
    return f"{reverse('admin:targets_figure_month')}?{query}"


def feedback_month_due(*, today: dt.date, period_start: dt.date, period_end: dt.date) -> dt.date | None:
    """The month whose feedback is due this month: last month, within the plan's period.

    None before the plan's first month has ended. A plan that ended long ago owes its last month.
    """
    month = compliance.last_closed_month(today)
    if month < period_start.replace(day=1):
        return None
    return min(month, period_end.replace(day=1))


def _day(moment) -> dt.date:
    return timezone.localtime(moment).date()


def _feedback_due(item: SupervisedItem, events: list[ItemEvent], flags: rules.Flags, today: dt.date):
    """The months whose feedback the unit still owes for the item (late ones first), or []."""
    if item.state not in (State.ACKNOWLEDGED, State.IN_PROGRESS):
        return []
    sent = {e.month for e in events if e.action == Action.FEEDBACK and e.month}
    assigned = next((e for e in events if e.action == Action.ASSIGN), None)
    months = []
    if flags.feedback_missing:
        months.append(flags.feedback_missing)
    due = feedback_month_due(
        today=today, period_start=item.plan.period_start, period_end=item.plan.period_end
    )
    if (
        due is not None
        and due not in sent
        and due not in months
        and assigned is not None
        and _day(assigned.at) <= month_end(due)
    ):
        months.append(due)
    return months


def _after(events: list[ItemEvent], event: ItemEvent, actions) -> bool:
    return any((e.at, e.pk) > (event.at, event.pk) and e.action in actions for e in events)


def _last(events: list[ItemEvent], action: str) -> ItemEvent | None:
    found = [e for e in events if e.action == action]
    return found[-1] if found else None


def _reporter_items(user, units, today: dt.date) -> list[Section]:
    # The items of the user's own units (an admin who is also a unit's member sees every item, but
    # answers only for its units').
    own = SupervisedItem.objects.filter(Q(lead_unit__in=units) | Q(co_units__in=units)).values("pk")
    items = item_access.visible_items(user).filter(pk__in=own).exclude(state__in=[State.DRAFT, State.CLOSED])
    rows = queries.rows(items, today)
    ack = Section("ack", _("待签收"), _("没有待签收的事项。"))
    feedback = Section("feedback", _("待反馈"), _("本月没有待报送的反馈。"))
    returned = Section("returned", _("被退回"), _("没有被退回的反馈或办结申请。"))
    reminded = Section("reminded", _("被催办"), _("没有被催办的事项。"))
    answer = Section("answer", _("待答复的领导批示"), _("没有待答复的领导批示。"))
    for row in rows:
        item, events, flags = row.item, row.item.event_list, row.flags
        url = item.get_absolute_url()
        if item.state == State.ASSIGNED:
            assign = _last(events, Action.ASSIGN)
            by = rules.ack_due(assigned_on=_day(assign.at), ack_days=item.ack_days) if assign else None
            ack.entries.append(
                Entry(
                    str(item),
                    url,
                    _("签收期限 %(day)s") % {"day": by.isoformat()} if by else "",
                    late=bool(flags.ack_days_late),
                    flags=flags,
                )
            )
        months = _feedback_due(item, events, flags, today)
        if months:
            feedback.entries.append(
                Entry(
                    str(item),
                    url,
                    _("反馈月份:%(months)s;每月 %(day)s 日前报送上月反馈")
                    % {"months": "、".join(f"{m:%Y-%m}" for m in months), "day": item.plan.report_due_day},
                    late=bool(flags.feedback_missing),
                )
            )
        back = _last(events, Action.RETURN)
        if back is not None and not _after(events, back, (Action.FEEDBACK, Action.CLOSE_REQUEST)):
            returned.entries.append(Entry(str(item), url, _("退回理由:%(reason)s") % {"reason": back.reason}))
        reminder = _last(events, Action.REMIND)
        if reminder is not None and not _after(events, reminder, item_access.UNIT_ACTIONS):
            detail = _("催办于 %(day)s") % {"day": _day(reminder.at).isoformat()}
            if reminder.escalated:
                detail += _(",已升级督办")
            reminded.entries.append(Entry(str(item), url, detail, late=True, flags=flags))
        instruction = workflow.open_instruction(events)
        if instruction is not None:
            status = rules.instruction_status(answer_by=instruction.due_date, answered_on=None, today=today)
            answer.entries.append(
                Entry(
                    str(item),
                    url,
                    _("%(leader)s:%(text)s(答复期限 %(day)s)")
                    % {
                        "leader": instruction.reason,
                        "text": instruction.requirement,
                        "day": instruction.due_date.isoformat(),
                    },
                    late=status.is_late,
                )
            )
    return [ack, feedback, returned, reminded, answer]


def _reporter_figures(user, units, today: dt.date) -> list[Section]:
    due = Section("figures_due", _("本月待报月度数据"), _("本月没有待报的月度数据。"))
    returned = Section("figures_returned", _("被退回的月度数据"), _("没有被退回的月度数据。"))
    unit_ids = {u.pk for u in units}
    plans = visible_plans(user).filter(key_tasks__targets__responsible_units__in=unit_ids).distinct()
    now = timezone.now()
    for plan in plans.order_by("period_start"):
        month = compliance.default_month(plan, today)
        if month_end(month) >= today:
            continue  # the plan's first month has not ended: nothing is due yet
        report = compliance.unit_compliance(plan=plan, month=month, now=now)
        for status in report.units:
            if status.unit.pk not in unit_ids:
                continue
            for line in status.missing:
                detail = _("%(unit)s · %(month)s,报送截止 %(day)s") % {
                    "unit": status.unit.name,
                    "month": f"{month:%Y-%m}",
                    "day": report.due_date.isoformat(),
                }
                if line.is_draft:
                    detail += _("(草稿未报送)")
                due.entries.append(
                    Entry(
                        f"{line.target.code} {line.target.name}",
                        month_page(status.unit.pk, month),
                        detail,
                        late=report.overdue,
                    )
                )
    rows = (
        Figure.objects.filter(
            status=Figure.Status.RETURNED,
            target__responsible_units__in=unit_ids,
            target__key_task__plan__in=visible_plans(user),
        )
        .order_by("month", "target__code", "target__responsible_units__name")
        .values("month", "return_reason", "target__code", "target__name", "target__responsible_units")
    )
    for row in rows:
        if row["target__responsible_units"] not in unit_ids:
            continue
        returned.entries.append(
            Entry(
                f"{row['target__code']} {row['target__name']}({row['month']:%Y-%m})",
                month_page(row["target__responsible_units"], row["month"]),
                _("退回原因:%(reason)s") % {"reason": row["return_reason"]},
            )
        )
    return [due, returned]


def _reviewer(user, today: dt.date) -> list[Section]:
    figures = Section("review_figures", _("待审核的月度数据"), _("没有待审核的月度数据。"))
    feedback = Section("review_items", _("待审核的反馈和办结申请"), _("没有待审核的反馈或办结申请。"))
    overdue = Section("overdue_items", _("逾期事项"), _("没有逾期的督办事项。"))
    figures.more_url = reverse("admin:targets_figure_changelist") + "?status__exact=submitted"
    submitted = (
        Figure.objects.filter(status=Figure.Status.SUBMITTED, target__key_task__plan__in=visible_plans(user))
        .select_related("target", "updated_by")
        .order_by("month", "target__code")
    )
    for figure in submitted:
        who = (
            figure.updated_by.get_full_name() or figure.updated_by.get_username() if figure.updated_by else ""
        )
        figures.entries.append(
            Entry(
                f"{figure.target.code} {figure.target.name}({figure.month:%Y-%m})",
                reverse("admin:targets_figure_change", args=[figure.pk]),
                _("%(who)s 报送于 %(day)s") % {"who": who, "day": _day(figure.submitted_at).isoformat()}
                if figure.submitted_at
                else who,
            )
        )
    rows = queries.rows(item_access.visible_items(user).exclude(state__in=[State.DRAFT, State.CLOSED]), today)
    for row in rows:
        item, events, flags = row.item, row.item.event_list, row.flags
        waiting = workflow.waiting_event(events)
        if waiting is not None:
            if waiting.action == Action.FEEDBACK:
                what = _("%(month)s 反馈") % {"month": f"{waiting.month:%Y-%m}"}
            else:
                what = _("办结申请")
            feedback.entries.append(
                Entry(
                    str(item),
                    item.get_absolute_url(),
                    _("%(what)s,报送于 %(day)s") % {"what": what, "day": _day(waiting.at).isoformat()},
                    late=bool(flags.review_days_late),
                )
            )
        if flags.any:
            overdue.entries.append(Entry(str(item), item.get_absolute_url(), _unit_names(item), flags=flags))
    return [figures, feedback, overdue]


def _unit_names(item: SupervisedItem) -> str:
    names = [u.name for u in ([item.lead_unit] if item.lead_unit_id else []) + list(item.co_units.all())]
    return "、".join(dict.fromkeys(names)) or _("未明确")


def _leader(items, today: dt.date) -> list[Section]:
    answers = Section("instructions", _("待答复的批示"), _("没有待答复的批示。"))
    behind = Section("behind", _("滞后事项"), _("分包的事项都在按时推进。"))
    for row in queries.rows(items, today):
        item, events, flags = row.item, row.item.event_list, row.flags
        for instruction, answer, status in workflow.instructions(events, today):
            if answer is None:
                answers.entries.append(
                    Entry(
                        str(item),
                        item.get_absolute_url(),
                        _("%(leader)s:%(text)s(答复期限 %(day)s,%(unit)s)")
                        % {
                            "leader": instruction.reason,
                            "text": instruction.requirement,
                            "day": instruction.due_date.isoformat(),
                            "unit": _unit_names(item),
                        },
                        late=status.is_late,
                    )
                )
        if flags.any:
            behind.entries.append(Entry(str(item), item.get_absolute_url(), _unit_names(item), flags=flags))
    return [answers, behind]


def led_items(user):
    """The open items this user is the responsible leader (分包领导) of, in its plans."""
    if not user.is_active:
        return SupervisedItem.objects.none()
    return SupervisedItem.objects.filter(Q(lead_official_account=user), plan__in=visible_plans(user)).exclude(
        state__in=[State.DRAFT, State.CLOSED]
    )


def has_work(user) -> bool:
    """Whether the user lands on the to-do page: a reporter of a unit, a reviewer, or a leader."""
    if not user.is_active or not visible_plans(user).exists():
        return False  # no plan of theirs: the list of plans tells them whom to ask
    if can_review(user):
        return True
    if can_report(user) and user.report_units.exists():
        return True
    return SupervisedItem.objects.filter(lead_official_account=user).exists()


def todo_for(user, today: dt.date | None = None) -> Todo:
    today = today or timezone.localdate()
    todo = Todo()
    units = list(user.report_units.all()) if can_report(user) else []
    if units:
        todo.reporter = _reporter_items(user, units, today) + _reporter_figures(user, units, today)
    if can_review(user):
        todo.reviewer = _reviewer(user, today)
    items = led_items(user)
    if items.exists():
        todo.leader = _leader(items, today)
    return todo


ROLE_TITLES = {
    "reporter": gettext_lazy("填报单位"),
    "reviewer": gettext_lazy("督查室审核"),
    "leader": gettext_lazy("分包领导"),
}
