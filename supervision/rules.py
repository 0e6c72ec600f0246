"""When a supervised item is late, at each step of its loop. Pure functions over dates.

1. 签收: an assigned item must be acknowledged within `ack_days` calendar days of its 交办 (the day
   of assignment not counted): assigned 6-1 with 3 days, it is due by 6-4 and late from 6-5.
2. 反馈: the feedback for month M is due by the plan's report day of month M+1 (报送截止日, as for
   the figures). From the day after it, the latest such month without a feedback is late, as long
   as the item was assigned before that month ended and is neither closed nor waiting to close.
3. 审核: a feedback or close request waiting for the 督查室 more than `REVIEW_DAYS` days.
4. 完成时限: past the due date and not closed.
5. 督办: a 催办 left unanswered by the unit for `ESCALATE_AFTER_DAYS` days makes the next 催办 an
   escalation to the lead official.

`today` is the day the page is read as of (its as-of date, today by default on the item pages);
`workflow.flags` passes only the steps taken by then, with the state they left the item in.
"""

import datetime as dt
from dataclasses import dataclass

REVIEW_DAYS = 5
ESCALATE_AFTER_DAYS = 3


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def ack_due(*, assigned_on: dt.date, ack_days: int) -> dt.date:
    """The last day on which an acknowledgement is in time (rule 1)."""
    return assigned_on + dt.timedelta(days=ack_days)


def ack_overdue_days(
    *, assigned_on: dt.date | None, ack_days: int, acknowledged_on: dt.date | None, today: dt.date
) -> int:
    """Days the acknowledgement is late (still missing, or given late); 0 when in time."""
    if assigned_on is None:
        return 0
    due = ack_due(assigned_on=assigned_on, ack_days=ack_days)
    answered = acknowledged_on if acknowledged_on is not None else today
    return max((answered - due).days, 0)


def feedback_month_due(*, today: dt.date, report_due_day: int) -> dt.date:
    """The latest month whose feedback's report day has passed by `today` (rule 2)."""
    last_month = _previous_month(today)
    return last_month if today.day > report_due_day else _previous_month(last_month)


def feedback_due(*, month: dt.date, report_due_day: int) -> dt.date:
    """The last day the feedback for `month` is in time: the report day of the month after (rule 2)."""
    return (_month_end(month) + dt.timedelta(days=1)).replace(day=report_due_day)


def feedback_late_days(*, month: dt.date, report_due_day: int, sent_on: dt.date) -> int:
    """Days a feedback was sent after its report day; 0 when in time."""
    return max((sent_on - feedback_due(month=month, report_due_day=report_due_day)).days, 0)


def missing_feedback_month(
    *,
    today: dt.date,
    report_due_day: int,
    assigned_on: dt.date | None,
    feedback_months: set[dt.date],
    open_for_feedback: bool,
) -> dt.date | None:
    """The month whose feedback is late (first day of it), or None (rule 2).

    `feedback_months`: first days of the months a feedback was sent for (returned ones count as
    sent: the return itself asks for a new one). `open_for_feedback`: acknowledged or in progress.
    """
    if assigned_on is None or not open_for_feedback:
        return None
    month = feedback_month_due(today=today, report_due_day=report_due_day)
    if assigned_on > _month_end(month) or month in feedback_months:
        return None
    return month


def review_overdue_days(*, submitted_on: dt.date | None, today: dt.date) -> int:
    """Days a waiting feedback or close request is past the review time (rule 3)."""
    if submitted_on is None:
        return 0
    return max((today - submitted_on).days - REVIEW_DAYS, 0)


def past_due_days(*, due_date: dt.date, closed: bool, today: dt.date) -> int:
    """Days past the item's due date while not closed (rule 4)."""
    if closed:
        return 0
    return max((today - due_date).days, 0)


def should_escalate(*, last_reminder_on: dt.date | None, answered_since: bool, today: dt.date) -> bool:
    """Whether a 催办 today goes up to the lead official (rule 5)."""
    if last_reminder_on is None or answered_since:
        return False
    return (today - last_reminder_on).days >= ESCALATE_AFTER_DAYS


@dataclass(frozen=True)
class InstructionStatus:
    """Where a leader's instruction (领导批示) stands: answered on time or late, waiting, or overdue."""

    key: str  # "on_time", "late", "waiting", "overdue"
    days: int  # days late (late, overdue), or days left (waiting)

    @property
    def is_late(self) -> bool:
        return self.key in ("late", "overdue")


def instruction_status(
    *, answer_by: dt.date, answered_on: dt.date | None, today: dt.date
) -> InstructionStatus:
    """An answer on the answer-by day is on time; a day after it is late, answered or not."""
    if answered_on is not None:
        late = (answered_on - answer_by).days
        return InstructionStatus("late", late) if late > 0 else InstructionStatus("on_time", 0)
    late = (today - answer_by).days
    return InstructionStatus("overdue", late) if late > 0 else InstructionStatus("waiting", -late)


@dataclass(frozen=True)
class Flags:
    """An item's overdue flags as of a day; each is a number of days late, or a month."""

    ack_days_late: int = 0
    feedback_missing: dt.date | None = None
    review_days_late: int = 0
    due_days_late: int = 0

    @property
    def any(self) -> bool:
        return bool(
            self.ack_days_late or self.feedback_missing or self.review_days_late or self.due_days_late
        )
