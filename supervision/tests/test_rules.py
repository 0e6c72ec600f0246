"""The overdue rules, with hand-worked dates (see supervision/rules.py)."""

import datetime as dt

from supervision import rules

D = dt.date


def test_ack_due_counts_calendar_days_after_the_assignment():
    # Assigned on Monday 1 June with 3 days: in time through Thursday 4 June.
    assert rules.ack_due(assigned_on=D(2020, 6, 1), ack_days=3) == D(2020, 6, 4)


def test_ack_overdue_while_missing():
    kwargs = {"assigned_on": D(2020, 6, 1), "ack_days": 3, "acknowledged_on": None}
    assert rules.ack_overdue_days(**kwargs, today=D(2020, 6, 4)) == 0
    assert rules.ack_overdue_days(**kwargs, today=D(2020, 6, 5)) == 1
    # 1 June + 3 = 4 June; 1 July is 27 days after it.
    assert rules.ack_overdue_days(**kwargs, today=D(2020, 7, 1)) == 27


def test_ack_given_late_stays_late_by_the_days_it_took():
    kwargs = {"assigned_on": D(2020, 6, 29), "ack_days": 3, "today": D(2020, 8, 1)}
    # Due 2 July (29 June + 3 across the month end); acknowledged 6 July: 4 days late.
    assert rules.ack_overdue_days(**kwargs, acknowledged_on=D(2020, 7, 6)) == 4
    assert rules.ack_overdue_days(**kwargs, acknowledged_on=D(2020, 7, 2)) == 0


def test_ack_not_assigned_is_never_late():
    assert (
        rules.ack_overdue_days(assigned_on=None, ack_days=3, acknowledged_on=None, today=D(2020, 12, 31)) == 0
    )


def test_feedback_month_due_turns_the_day_after_the_report_day():
    # Report day 5: May's feedback is due by 5 June.
    assert rules.feedback_month_due(today=D(2020, 6, 5), report_due_day=5) == D(2020, 4, 1)
    assert rules.feedback_month_due(today=D(2020, 6, 6), report_due_day=5) == D(2020, 5, 1)
    # Across the year: on 10 January 2021, December 2020 is due.
    assert rules.feedback_month_due(today=D(2021, 1, 10), report_due_day=5) == D(2020, 12, 1)
    assert rules.feedback_month_due(today=D(2021, 1, 3), report_due_day=5) == D(2020, 11, 1)


MAY_20 = D(2020, 5, 20)


def _missing(today, *, assigned_on=MAY_20, months=frozenset(), open_=True, due_day=5):
    return rules.missing_feedback_month(
        today=today,
        report_due_day=due_day,
        assigned_on=assigned_on,
        feedback_months=set(months),
        open_for_feedback=open_,
    )


def test_feedback_missing_after_the_report_day():
    # Assigned 20 May: May's feedback is due by 5 June, late from 6 June.
    assert _missing(D(2020, 6, 5)) is None
    assert _missing(D(2020, 6, 6)) == D(2020, 5, 1)
    assert _missing(D(2020, 6, 6), months={D(2020, 5, 1)}) is None
    # In July (after the 5th) it is June's that counts; May's being in does not help.
    assert _missing(D(2020, 7, 6), months={D(2020, 5, 1)}) == D(2020, 6, 1)
    # Another report day (10): still in time on 10 June.
    assert _missing(D(2020, 6, 10), due_day=10) is None
    assert _missing(D(2020, 6, 11), due_day=10) == D(2020, 5, 1)


def test_feedback_not_due_for_a_month_ended_before_the_assignment():
    # Assigned 2 June: May's feedback is not asked for on 6 June; June's is on 6 July.
    assert _missing(D(2020, 6, 6), assigned_on=D(2020, 6, 2)) is None
    assert _missing(D(2020, 7, 6), assigned_on=D(2020, 6, 2)) == D(2020, 6, 1)
    # Assigned on the last day of May: May counts.
    assert _missing(D(2020, 6, 6), assigned_on=D(2020, 5, 31)) == D(2020, 5, 1)


def test_feedback_not_asked_of_items_not_open_for_it():
    assert _missing(D(2020, 7, 6), open_=False) is None
    assert _missing(D(2020, 7, 6), assigned_on=None) is None


def test_review_overdue_after_five_days():
    assert rules.review_overdue_days(submitted_on=D(2020, 6, 1), today=D(2020, 6, 6)) == 0
    assert rules.review_overdue_days(submitted_on=D(2020, 6, 1), today=D(2020, 6, 7)) == 1
    assert rules.review_overdue_days(submitted_on=None, today=D(2020, 6, 7)) == 0


def test_past_due_until_closed():
    assert rules.past_due_days(due_date=D(2020, 9, 30), closed=False, today=D(2020, 9, 30)) == 0
    assert rules.past_due_days(due_date=D(2020, 9, 30), closed=False, today=D(2020, 10, 1)) == 1
    # 30 September to 31 December: 92 days.
    assert rules.past_due_days(due_date=D(2020, 9, 30), closed=False, today=D(2020, 12, 31)) == 92
    assert rules.past_due_days(due_date=D(2020, 9, 30), closed=True, today=D(2020, 12, 31)) == 0


def test_escalation_after_three_days_without_an_answer():
    assert rules.should_escalate(last_reminder_on=None, answered_since=False, today=D(2020, 6, 10)) is False
    assert (
        rules.should_escalate(last_reminder_on=D(2020, 6, 1), answered_since=False, today=D(2020, 6, 3))
        is False
    )
    assert (
        rules.should_escalate(last_reminder_on=D(2020, 6, 1), answered_since=False, today=D(2020, 6, 4))
        is True
    )
    assert (
        rules.should_escalate(last_reminder_on=D(2020, 6, 1), answered_since=True, today=D(2020, 6, 9))
        is False
    )


def test_flags_any():
    assert rules.Flags().any is False
    assert rules.Flags(due_days_late=1).any is True
    assert rules.Flags(feedback_missing=D(2020, 5, 1)).any is True


def test_feedback_due_is_the_report_day_of_the_month_after():
    assert rules.feedback_due(month=D(2020, 6, 1), report_due_day=5) == D(2020, 7, 5)
    assert rules.feedback_due(month=D(2020, 12, 1), report_due_day=10) == D(2021, 1, 10)
    # June's feedback sent 7 July with report day 5: 2 days late; on 5 July: in time.
    assert rules.feedback_late_days(month=D(2020, 6, 1), report_due_day=5, sent_on=D(2020, 7, 7)) == 2
    assert rules.feedback_late_days(month=D(2020, 6, 1), report_due_day=5, sent_on=D(2020, 7, 5)) == 0
    # Sent early (in June itself): never negative.
    assert rules.feedback_late_days(month=D(2020, 6, 1), report_due_day=5, sent_on=D(2020, 6, 30)) == 0
