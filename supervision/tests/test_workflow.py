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
