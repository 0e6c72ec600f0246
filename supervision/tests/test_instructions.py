"""领导批示: the 督查室 records a leader's instruction; the unit answers; lateness is shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from entry.roles import REPORTER, REVIEWER, assign_role
from supervision import rules, workflow
from supervision.models import ItemEvent, State, SupervisedItem
from targets.tests.factories import make_plan, make_task, make_unit, make_user

pytestmark = pytest.mark.django_db
A = ItemEvent.Action


def test_instruction_status_on_hand_worked_dates():
    due = dt.date(2020, 7, 10)
    assert rules.instruction_status(answer_by=due, answered_on=due, today=dt.date(2020, 8, 1)) == (
        rules.InstructionStatus("on_time", 0)
    )
    assert rules.instruction_status(
        answer_by=due, answered_on=dt.date(2020, 7, 13), today=dt.date(2020, 8, 1)
    ) == (rules.InstructionStatus("late", 3))
    assert rules.instruction_status(answer_by=due, answered_on=None, today=dt.date(2020, 7, 4)) == (
        rules.InstructionStatus("waiting", 6)
    )
    assert rules.instruction_status(answer_by=due, answered_on=None, today=dt.date(2020, 7, 20)) == (
        rules.InstructionStatus("overdue", 10)
    )


@pytest.fixture
def item(db):
    plan = make_plan()
    task = make_task(plan)
    unit = make_unit("区城建局")
    item = SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="6.1",
        title="双改",
        source_text="原文。",
        lead_unit=unit,
        due_date=dt.date(2020, 12, 31),
        state=State.IN_PROGRESS,
    )
    office, reporter = make_user("office", is_staff=True), make_user("rep", is_staff=True)
    assign_role(office, REVIEWER)
    assign_role(reporter, REPORTER)
    unit.members.add(reporter)
    return item, office, reporter


def test_an_instruction_answered_late_is_shown_as_late(client, item):
    item, office, reporter = item
    workflow.perform(
        item.pk,
        A.INSTRUCT,
        office,
        version=item.version,
        data={"leader": "张副区长", "text": "7月10日前拿出方案", "answer_by": dt.date(2020, 7, 10)},
    )
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS  # beside the loop: the state is unchanged
    events = list(item.events.order_by("at", "id"))
    assert A.ANSWER in workflow.allowed_actions(item, events)
    assert A.INSTRUCT in workflow.allowed_actions(item, events)
    workflow.perform(item.pk, A.ANSWER, reporter, version=item.version, data={"answer": "方案已报区政府"})
    events = list(item.events.order_by("at", "id"))
    answered_on = timezone.localtime(events[-1].at).date()
    (instruction, answer, status) = workflow.instructions(events, today=answered_on)[0]
    assert (instruction.reason, answer.progress, answer.answers_id) == (
        "张副区长",
        "方案已报区政府",
        instruction.pk,
    )
    # Answered today (after 7-10): late by the days since the answer-by day.
    assert status == rules.instruction_status(
        answer_by=dt.date(2020, 7, 10), answered_on=answered_on, today=answered_on
    )
    assert status.key == "late"
    item.refresh_from_db()
    assert A.ANSWER not in workflow.allowed_actions(item, events)
    client.force_login(office)
    html = client.get(reverse("supervision:item-detail", args=[item.pk])).content.decode()
    assert "领导批示及落实" in html and "7月10日前拿出方案" in html and "方案已报区政府" in html
    assert f"逾期 {status.days} 天" in html


def test_a_reporter_cannot_record_an_instruction(client, item):
    item, _office, reporter = item
    client.force_login(reporter)
    response = client.post(
        reverse("supervision:item-step", args=[item.pk, "instruct"]),
        {
            "version": item.version,
            "instruct-leader": "某",
            "instruct-text": "x",
            "instruct-answer_by": "2020-07-31",
        },
    )
    assert response.status_code == 403
    assert not item.events.exists()
