"""The to-do page: each person's lists, with counts and links, in a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from supervision.models import ItemEvent, State, SupervisedItem
from targets.models import Figure
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit, make_user
from todo import lists

pytestmark = pytest.mark.django_db
A = ItemEvent.Action
TODAY = dt.date(2020, 7, 3)  # June's feedback and figures are due by 7-05 (the plan's report day)
TZ = ZoneInfo("Asia/Shanghai")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


def event(item, action, actor, day, **fields):
    record = ItemEvent.objects.create(item=item, action=action, actor=actor, **fields)
    ItemEvent.objects.filter(pk=record.pk).update(at=at(day))
    record.at = at(day)
    return record


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    plan = make_plan()
    task = make_task(plan, 2, title="全力以赴稳增长")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    people = {}
    for name, role in (("viewer", VIEWER), ("rep_a", REPORTER), ("rep_b", REPORTER), ("reviewer", REVIEWER)):
        people[name] = make_user(name)
        assign_role(people[name], role)
    unit_a.members.add(people["rep_a"])
    unit_b.members.add(people["rep_b"])
    leader = people["viewer"]
    office, rep = people["reviewer"], people["rep_a"]

    def item(code, state, **kwargs):
        return SupervisedItem.objects.create(
            plan=plan,
            key_task=task,
            code=code,
            title=f"举措{code}",
            source_text="原文。",
            lead_unit=kwargs.pop("lead_unit", unit_a),
            due_date=kwargs.pop("due_date", dt.date(2020, 12, 31)),
            state=state,
            **kwargs,
        )

    # 2.1 assigned on 7-01, not yet acknowledged (due by 7-04).
    new = item("2.1", State.ASSIGNED)
    event(new, A.ASSIGN, office, dt.date(2020, 7, 1))
    # 2.2 acknowledged in May: June's feedback due; May's sent and returned; reminded since.
    owing = item("2.2", State.IN_PROGRESS, lead_official_account=leader)
    event(owing, A.ASSIGN, office, dt.date(2020, 5, 2))
    event(owing, A.ACKNOWLEDGE, rep, dt.date(2020, 5, 3))
    may = event(owing, A.FEEDBACK, rep, dt.date(2020, 6, 3), month=dt.date(2020, 5, 1), progress="进展")
    event(owing, A.RETURN, office, dt.date(2020, 6, 4), answers=may, reason="请附清单")
    event(owing, A.REMIND, office, dt.date(2020, 6, 20), reason="请尽快重报")
    # 2.3 June's feedback waiting for review since 7-01; an instruction unanswered, past its day.
    waiting = item("2.3", State.IN_PROGRESS, lead_official_account=leader, due_date=dt.date(2020, 6, 30))
    event(waiting, A.ASSIGN, office, dt.date(2020, 4, 1))
    event(waiting, A.ACKNOWLEDGE, rep, dt.date(2020, 4, 2))
    event(waiting, A.FEEDBACK, rep, dt.date(2020, 5, 3), month=dt.date(2020, 4, 1), progress="四月")
    event(waiting, A.FEEDBACK, rep, dt.date(2020, 6, 3), month=dt.date(2020, 5, 1), progress="五月")
    event(waiting, A.FEEDBACK, rep, dt.date(2020, 7, 1), month=dt.date(2020, 6, 1), progress="六月")
    event(
        waiting,
        A.INSTRUCT,
        office,
        dt.date(2020, 6, 20),
        reason="张副区长",
        requirement="加快推进",
        due_date=dt.date(2020, 6, 30),
    )
    # Unit B's item and a closed one of unit A: on nobody's list here.
    other = item("2.4", State.ASSIGNED, lead_unit=unit_b)
    event(other, A.ASSIGN, office, dt.date(2020, 7, 1))
    item("2.5", State.CLOSED)
    # Figures: 1-01 June missing (a draft), 1-02 June submitted, 1-03 May returned.
    roads = make_target(task, "1-01", name="打通道路", units=[unit_a])
    schools = make_target(task, "1-02", name="新建学校", units=[unit_a])
    parks = make_target(task, "1-03", name="建设游园", units=[unit_a])
    make_target(task, "1-04", name="乙的目标", units=[unit_b])
    june, may_month = dt.date(2020, 6, 1), dt.date(2020, 5, 1)
    make_figure(roads, june, 10, status=Figure.Status.DRAFT)
    make_figure(
        schools, june, 3, status=Figure.Status.SUBMITTED, submitted_at=at(dt.date(2020, 7, 2)), updated_by=rep
    )
    make_figure(parks, may_month, 2, status=Figure.Status.RETURNED, return_reason="口径不对")
    make_figure(parks, june, 2, status=Figure.Status.APPROVED)
    return {"plan": plan, "unit_a": unit_a, "people": people, "items": (new, owing, waiting)}


def lists_of(sections) -> dict[str, list[tuple[str, str, bool]]]:
    return {s.key: [(e.label, e.detail, e.late) for e in s.entries] for s in sections}


def test_a_reporters_lists(world):
    todo = lists.todo_for(world["people"]["rep_a"], TODAY)
    assert (todo.reviewer, todo.leader) == ([], [])
    unit = world["unit_a"].pk
    assert lists_of(todo.reporter) == {
        "ack": [("2.1 举措2.1", "签收期限 2020-07-04", False)],
        "feedback": [("2.2 举措2.2", "反馈月份:2020-06;每月 5 日前报送上月反馈", False)],
        "returned": [("2.2 举措2.2", "退回理由:请附清单", False)],
        "reminded": [("2.2 举措2.2", "催办于 2020-06-20", True)],
        "answer": [("2.3 举措2.3", "张副区长:加快推进(答复期限 2020-06-30)", True)],
        "figures_due": [("1-01 打通道路", "甲单位 · 2020-06,报送截止 2020-07-05(草稿未报送)", True)],
        "figures_returned": [("1-03 建设游园(2020-05)", "退回原因:口径不对", False)],
    }
    due = next(s for s in todo.reporter if s.key == "figures_due")
    month_url = reverse("admin:targets_figure_month")
    assert due.entries[0].url == f"{month_url}?unit={unit}&month=2020-06"
    returned = next(s for s in todo.reporter if s.key == "figures_returned")
    assert returned.entries[0].url == f"{month_url}?unit={unit}&month=2020-05"
    new, owing, _waiting = world["items"]
    assert [e.url for s in todo.reporter[:2] for e in s.entries] == [
        new.get_absolute_url(),
        owing.get_absolute_url(),
    ]


def test_another_units_reporter_sees_only_its_own(world):
    todo = lists.todo_for(world["people"]["rep_b"], TODAY)
    assert {k: [label for label, _d, _l in v] for k, v in lists_of(todo.reporter).items()} == {
        "ack": ["2.4 举措2.4"],
        "feedback": [],
        "returned": [],
        "reminded": [],
        "answer": [],
        "figures_due": ["1-04 乙的目标"],
        "figures_returned": [],
    }


def test_a_reviewers_lists(world):
    todo = lists.todo_for(world["people"]["reviewer"], TODAY)
    assert (todo.reporter, todo.leader) == ([], [])
    got = lists_of(todo.reviewer)
    assert got["review_figures"] == [("1-02 新建学校(2020-06)", "rep_a 报送于 2020-07-02", False)]
    assert got["review_items"] == [("2.3 举措2.3", "2020-06 反馈,报送于 2020-07-01", False)]
    # 2.3 is past its due date (6-30); 2.1 and 2.4 are in time to acknowledge; 2.2 owes nothing late yet.
    assert [label for label, _d, _l in got["overdue_items"]] == ["2.3 举措2.3"]
    overdue = todo.reviewer[2].entries[0]
    assert (overdue.detail, overdue.flags.due_days_late) == ("甲单位", 3)


def test_a_leaders_lists(world):
    todo = lists.todo_for(world["people"]["viewer"], TODAY)
    assert (todo.reporter, todo.reviewer) == ([], [])
    assert lists_of(todo.leader) == {
        "instructions": [("2.3 举措2.3", "张副区长:加快推进(答复期限 2020-06-30,甲单位)", True)],
        "behind": [("2.3 举措2.3", "甲单位", False)],
    }


def test_the_page_shows_counts_links_and_says_when_a_list_is_empty(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    html = client_for(world["people"]["rep_a"]).get(reverse("todo:index")).content.decode()
    assert '<h3><span class="n some">1</span> 待签收</h3>' in html
    assert f'<a href="{world["items"][0].get_absolute_url()}">2.1 举措2.1</a>' in html
    assert "?unit=" in html and "&amp;month=2020-06" in html
    html = client_for(world["people"]["rep_b"]).get(reverse("todo:index")).content.decode()
    assert '<h3><span class="n">0</span> 待反馈</h3>' in html
    assert "本月没有待报送的反馈。" in html and "没有被退回的月度数据。" in html
    html = client_for(world["people"]["viewer"]).get(reverse("todo:index")).content.decode()
    assert 'id="todo-leader"' in html and 'id="todo-reporter"' not in html


def test_a_viewer_with_nothing_to_do_lands_where_they_did(world):
    plain = make_user("plain")
    assign_role(plain, VIEWER)
    assert client_for(plain).get("/")["Location"] == world["plan"].get_absolute_url()
    html = client_for(plain).get(reverse("todo:index")).content.decode()
    assert 'id="no-todo"' in html


@pytest.mark.parametrize("name", ["rep_a", "reviewer", "viewer"])
def test_reporters_reviewers_and_leaders_land_on_the_todo_page(world, name):
    assert client_for(world["people"][name]).get("/")["Location"] == reverse("todo:index")


def test_an_admin_lands_on_the_review_lists(world):
    chief = make_user("chief")
    assign_role(chief, ADMIN)
    todo = lists.todo_for(chief, TODAY)
    assert [s.key for s in todo.reviewer] == ["review_figures", "review_items", "overdue_items"]
    assert todo.reporter == []
    # An admin who is also a member of unit B answers for unit B's items only.
    unit_b = SupervisedItem.objects.get(code="2.4").lead_unit
    unit_b.members.add(chief)
    todo = lists.todo_for(chief, TODAY)
    assert [e.label for e in todo.reporter[0].entries] == ["2.4 举措2.4"]


# --- a fixed number of queries, whatever the number of rows ---------------------------------------


def _more_rows(world, n: int) -> None:
    """n more items of each kind and n more figures of each kind, for unit A and its leader."""
    plan, unit_a = world["plan"], world["unit_a"]
    task = make_task(plan, 3 + n)
    office, rep, leader = world["people"]["reviewer"], world["people"]["rep_a"], world["people"]["viewer"]
    for i in range(n):
        item = SupervisedItem.objects.create(
            plan=plan,
            key_task=task,
            code=f"9.{n}.{i}",
            title="更多",
            source_text="原文。",
            lead_unit=unit_a,
            lead_official_account=leader,
            due_date=dt.date(2020, 6, 30),
            state=State.IN_PROGRESS,
        )
        item.co_units.add(make_unit(f"协办{n}.{i}"))
        event(item, A.ASSIGN, office, dt.date(2020, 4, 1))
        event(item, A.ACKNOWLEDGE, rep, dt.date(2020, 4, 2))
        feedback = event(
            item, A.FEEDBACK, rep, dt.date(2020, 6, 3), month=dt.date(2020, 5, 1), progress="五月"
        )
        event(item, A.RETURN, office, dt.date(2020, 6, 4), answers=feedback, reason="补充")
        event(item, A.REMIND, office, dt.date(2020, 6, 5))
        event(
            item, A.INSTRUCT, office, dt.date(2020, 6, 6), reason="领导", requirement="抓紧", due_date=TODAY
        )
        target = make_target(task, f"9-{n}-{i}", units=[unit_a])
        make_figure(target, dt.date(2020, 6, 1), 1, status=Figure.Status.SUBMITTED, submitted_at=at(TODAY))
        make_figure(target, dt.date(2020, 5, 1), 1, status=Figure.Status.RETURNED, return_reason="改")


def _queries(user) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("todo:index"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["rep_a", "reviewer", "viewer"])
def test_the_page_reads_a_fixed_number_of_queries(world, name, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    user = world["people"][name]
    _more_rows(world, 1)
    small_total = lists.todo_for(user, TODAY).total
    small = _queries(user)
    _more_rows(world, 3)
    assert lists.todo_for(user, TODAY).total > small_total
    assert _queries(user) == small
