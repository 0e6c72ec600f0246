"""The loop's order and the overdue flags of an item at each step, on hand-worked dates."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision import rules, workflow
from supervision.models import ItemEvent, State

pytestmark = pytest.mark.django_db
A = ItemEvent.Action
D = dt.date


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _event(item, action, day, actor, **fields):
    event = ItemEvent.objects.create(item=item, action=action, actor=actor, **fields)
    ItemEvent.objects.filter(pk=event.pk).update(at=_at(day))
    event.refresh_from_db()
    return event


def _flags(item, today):
    item.refresh_from_db()
    return workflow.flags(item, list(item.events.order_by("at", "id")), today)


def test_allowed_steps_follow_the_state(item, people):
    office, unit = people["reviewer"], people["rep_a"]
    allowed = lambda: workflow.allowed_actions(item, list(item.events.order_by("at", "id")))  # noqa: E731
    assert allowed() == [A.ASSIGN]
    # Once assigned and until closed, a leader's instruction can be recorded beside the loop.
    item.state = State.ASSIGNED
    assert allowed() == [A.ACKNOWLEDGE, A.REMIND, A.INSTRUCT]
    item.state = State.ACKNOWLEDGED
    assert allowed() == [A.FEEDBACK, A.REMIND, A.INSTRUCT]
    item.state = State.IN_PROGRESS
    feedback = _event(item, A.FEEDBACK, D(2020, 6, 3), unit, month=D(2020, 5, 1))
    assert allowed() == [A.ACCEPT, A.RETURN, A.REMIND, A.INSTRUCT]
    _event(item, A.ACCEPT, D(2020, 6, 4), office, answers=feedback)
    assert allowed() == [A.FEEDBACK, A.CLOSE_REQUEST, A.REMIND, A.INSTRUCT]
    # An open instruction lets the unit answer it.
    instruction = _event(item, A.INSTRUCT, D(2020, 6, 5), office, due_date=D(2020, 6, 15))
    assert allowed() == [A.FEEDBACK, A.CLOSE_REQUEST, A.REMIND, A.INSTRUCT, A.ANSWER]
    _event(item, A.ANSWER, D(2020, 6, 9), unit, answers=instruction)
    assert allowed() == [A.FEEDBACK, A.CLOSE_REQUEST, A.REMIND, A.INSTRUCT]
    item.state = State.CLOSE_REQUESTED
    assert allowed() == [A.CLOSE, A.RETURN, A.INSTRUCT]
    item.state = State.CLOSED
    assert allowed() == []


def test_flags_at_each_step(item, people):
    office, unit = people["reviewer"], people["rep_a"]
    item.due_date = D(2020, 9, 30)
    item.save()
    # Not assigned: nothing is late, not even the due date.
    assert _flags(item, D(2020, 12, 1)) == rules.Flags()

    # 交办 on Monday 1 June, 3 days to acknowledge: due 4 June.
    item.state = State.ASSIGNED
    item.save()
    _event(item, A.ASSIGN, D(2020, 6, 1), office)
    assert _flags(item, D(2020, 6, 4)) == rules.Flags()
    assert _flags(item, D(2020, 6, 8)) == rules.Flags(ack_days_late=4)

    # 签收 on 8 June; June's feedback is due by 5 July (report day 5), late from 6 July.
    item.state = State.ACKNOWLEDGED
    item.save()
    _event(item, A.ACKNOWLEDGE, D(2020, 6, 8), unit)
    assert _flags(item, D(2020, 7, 5)) == rules.Flags()
    assert _flags(item, D(2020, 7, 6)) == rules.Flags(feedback_missing=D(2020, 6, 1))

    # June's feedback on 10 July, unanswered: the review is late from 16 July (5 days).
    item.state = State.IN_PROGRESS
    item.save()
    feedback = _event(item, A.FEEDBACK, D(2020, 7, 10), unit, month=D(2020, 6, 1))
    assert _flags(item, D(2020, 7, 15)) == rules.Flags()
    assert _flags(item, D(2020, 7, 17)) == rules.Flags(review_days_late=2)

    # Accepted; July's feedback late from 6 August; past the due date (30 Sept) from 1 October.
    _event(item, A.ACCEPT, D(2020, 7, 20), office, answers=feedback)
    assert _flags(item, D(2020, 8, 6)) == rules.Flags(feedback_missing=D(2020, 7, 1))
    _event(item, A.FEEDBACK, D(2020, 8, 3), unit, month=D(2020, 7, 1))
    assert _flags(item, D(2020, 10, 2)).due_days_late == 2

    # Closed: nothing is late any more.
    item.state = State.CLOSED
    item.save()
    assert _flags(item, D(2020, 12, 31)) == rules.Flags()


def test_a_month_accepted_cannot_be_sent_again_a_returned_one_can(item, people):
    office, unit = people["reviewer"], people["rep_a"]
    item.lead_unit = unit.report_units.first()
    item.state = State.IN_PROGRESS
    item.save()
    _event(item, A.ASSIGN, D(2020, 6, 1), office)
    _event(item, A.ACKNOWLEDGE, D(2020, 6, 2), unit)
    first = _event(item, A.FEEDBACK, D(2020, 6, 3), unit, month=D(2020, 5, 1))
    _event(item, A.RETURN, D(2020, 6, 4), office, answers=first, reason="补充")
    data = {"month": D(2020, 5, 1), "progress": "再报", "self_assessment": "on_track"}
    again = workflow.perform(item.pk, A.FEEDBACK, unit, version=item.version, data=data).event
    item.refresh_from_db()
    workflow.perform(item.pk, A.ACCEPT, office, version=item.version, data={"reason": ""})
    item.refresh_from_db()
    with pytest.raises(workflow.StepRefused, match="2020-05 的反馈已报送"):
        workflow.perform(item.pk, A.FEEDBACK, unit, version=item.version, data=data)
    item.refresh_from_db()
    assert list(item.events.values_list("action", flat=True)) == [
        A.ASSIGN,
        A.ACKNOWLEDGE,
        A.FEEDBACK,
        A.RETURN,
        A.FEEDBACK,
        A.ACCEPT,
    ]
    assert item.events.get(action=A.ACCEPT).answers == again


@pytest.fixture
def closed_item(item, people):
    """An item taken through the whole loop in June–August 2020, now closed; due 20 July."""
    office, unit = people["reviewer"], people["rep_a"]
    item.due_date = D(2020, 7, 20)
    item.state = State.CLOSED
    item.save()
    _event(item, A.ASSIGN, D(2020, 6, 1), office)  # 3 days to acknowledge: due 4 June
    _event(item, A.ACKNOWLEDGE, D(2020, 6, 8), unit)
    feedback = _event(item, A.FEEDBACK, D(2020, 7, 10), unit, month=D(2020, 6, 1))
    _event(item, A.ACCEPT, D(2020, 7, 14), office, answers=feedback)
    request = _event(item, A.CLOSE_REQUEST, D(2020, 7, 28), unit)
    _event(item, A.CLOSE, D(2020, 8, 3), office, answers=request)
    return item


def test_flags_as_of_a_past_day_count_only_the_steps_taken_by_then(closed_item):
    item = closed_item
    # Closed now, so nothing is late today; but each earlier day shows what was late then.
    assert _flags(item, D(2020, 12, 31)) == rules.Flags()
    assert _flags(item, D(2020, 5, 31)) == rules.Flags()  # not yet assigned
    # 6 June: acknowledged only on 8 June, due 4 June: 2 days late.
    assert _flags(item, D(2020, 6, 6)) == rules.Flags(ack_days_late=2)
    assert _flags(item, D(2020, 6, 8)) == rules.Flags()
    # 8 July: June's feedback was due by 5 July (report day 5) and came on 10 July.
    assert _flags(item, D(2020, 7, 8)) == rules.Flags(feedback_missing=D(2020, 6, 1))
    # 12 July: the feedback of 10 July waits 2 days, within the 5 days of review.
    assert _flags(item, D(2020, 7, 12)) == rules.Flags()
    # 25 July: accepted on 14 July, 5 days past the 20 July due date.
    assert _flags(item, D(2020, 7, 25)) == rules.Flags(due_days_late=5)
    # 2 August: the close request of 28 July waits 5 days (not yet late); 13 days past due.
    assert _flags(item, D(2020, 8, 2)) == rules.Flags(due_days_late=13)
    # 3 August: closed that day.
    assert _flags(item, D(2020, 8, 3)) == rules.Flags()


def test_state_on_a_day_replays_the_steps_up_to_it(closed_item):
    item = closed_item
    events = list(item.events.order_by("at", "id"))
    states = [
        workflow.state_on(item, events, day)
        for day in (
            D(2020, 5, 31),
            D(2020, 6, 1),
            D(2020, 6, 8),
            D(2020, 7, 14),
            D(2020, 7, 28),
            D(2020, 8, 3),
        )
    ]
    assert states == [
        State.DRAFT,
        State.ASSIGNED,
        State.ACKNOWLEDGED,
        State.IN_PROGRESS,
        State.CLOSE_REQUESTED,
        State.CLOSED,
    ]


def test_instructions_as_of_a_day_leave_out_what_came_after_it(item, people):
    office, unit = people["reviewer"], people["rep_a"]
    item.state = State.IN_PROGRESS
    item.save()
    _event(item, A.ASSIGN, D(2020, 6, 1), office)
    instruction = _event(item, A.INSTRUCT, D(2020, 7, 1), office, reason="张副区长", due_date=D(2020, 7, 10))
    _event(item, A.ANSWER, D(2020, 7, 13), unit, answers=instruction, progress="方案已报区政府")
    events = list(item.events.order_by("at", "id"))
    assert workflow.instructions(events, D(2020, 6, 30)) == []
    [(_i, answer, status)] = workflow.instructions(events, D(2020, 7, 12))
    assert (answer, status) == (None, rules.InstructionStatus("overdue", 2))
    [(_i, answer, status)] = workflow.instructions(events, D(2020, 7, 13))
    assert (answer.progress, status) == ("方案已报区政府", rules.InstructionStatus("late", 3))


def test_the_timeline_marks_the_steps_that_came_late(closed_item):
    item = closed_item
    events = list(item.events.order_by("at", "id"))
    by_action = {e.action: e.pk for e in events}
    # 签收 on 8 June, due 4 June: 4 days; June's 反馈 on 10 July, due 5 July: 5 days.
    assert workflow.late_steps(item, events) == {by_action[A.ACKNOWLEDGE]: 4, by_action[A.FEEDBACK]: 5}


def test_a_feedback_sent_again_after_a_return_is_not_marked_late(item, people):
    office, unit = people["reviewer"], people["rep_a"]
    item.state = State.IN_PROGRESS
    item.save()
    _event(item, A.ASSIGN, D(2020, 6, 1), office)
    _event(item, A.ACKNOWLEDGE, D(2020, 6, 2), unit)
    first = _event(item, A.FEEDBACK, D(2020, 7, 7), unit, month=D(2020, 6, 1))  # due 5 July
    _event(item, A.RETURN, D(2020, 7, 8), office, answers=first, reason="补充")
    _event(item, A.FEEDBACK, D(2020, 7, 9), unit, month=D(2020, 6, 1))
    july = _event(item, A.FEEDBACK, D(2020, 8, 5), unit, month=D(2020, 7, 1))  # on its day
    events = list(item.events.order_by("at", "id"))
    assert workflow.late_steps(item, events) == {first.pk: 2}
    assert july.pk not in workflow.late_steps(item, events)
