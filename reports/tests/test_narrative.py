"""The bulletin as a 通报: 总体情况, then 工作亮点 / 存在问题 / 下步工作 drafted from the data and
approved by the 督查室, a 红黄榜 only when units answer for targets, and no empty section."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from entry.roles import REVIEWER, assign_role
from reports import narrative
from reports.bulletin import build_bulletin
from reports.models import BulletinNote
from targets.tests.factories import make_figure, make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

JUNE, JULY = dt.date(2020, 6, 1), dt.date(2020, 7, 1)
NOW = dt.datetime(2020, 8, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def july(plan, task):
    """As of 7-31 (58.1% of the year): a rise, a target behind, one due in August."""
    unit = make_unit("城建局")
    rising = make_target(task, "1-01", name="新建公园游园", goal=Decimal(30), units=[unit])
    make_figure(rising, JUNE, 9)  # 30.0%
    make_figure(rising, JULY, 18)  # 60.0%
    behind = make_target(task, "1-02", name="新增绿地", goal=Decimal(100), units=[unit])
    make_figure(behind, JUNE, 20)
    make_figure(behind, JULY, 25)  # 25.0 − 58.1 = −33.1: seriously behind
    soon = make_target(task, "1-03", name="公厕", goal=Decimal(10), deadline=dt.date(2020, 8, 31))
    make_figure(soon, JULY, 8)
    return build_bulletin(plan=plan, month=JULY, now=NOW)


def test_the_draft_says_what_moved_what_is_behind_and_what_is_due(july):
    text = narrative.draft(july)
    assert (
        text.highlights.splitlines()[0]
        == "1. 1-01 新建公园游园:完成率由 30.0% 升至 60.0%(上升 30.0 个百分点)。"
    )
    assert (
        text.problems.splitlines()[0] == "1. 1-02 新增绿地(城建局):2020年7月数据落后序时进度 33.1 个百分点。"
    )
    assert (
        text.next_steps.splitlines()[0] == "1. 1-03 公厕:08-31 到期,每月尚需完成 2 个,督促责任单位按期完成。"
    )
    assert text.next_steps.splitlines()[-1] == "2. 对 城建局 的落后目标督办催办,下月通报其进展。"
    assert text.approved is False


def test_sections_are_numbered_without_gaps_and_empty_ones_left_out(plan, task):
    make_figure(make_target(task, "1-01"), JUNE, 60)  # on track, no unit: nothing to rank
    bulletin = build_bulletin(plan=plan, month=JUNE, now=NOW)
    text = narrative.draft(bulletin)
    headings = narrative.outline(bulletin, text)
    # No rise (no May figure), nothing behind, nothing due within 60 days: only the unassigned target.
    assert (text.highlights, text.next_steps) == ("", "")
    assert headings == {
        "overview": "一、总体情况",
        "problems": "二、存在问题",
        "tasks": "附表一:各项重点工作目标进展(有数据的目标)",
    }


def test_the_approved_note_is_printed_and_a_draft_is_marked(viewer_client, plan, july):
    url = reverse("reports:bulletin", args=[plan.pk])
    draft_page = viewer_client.get(url, {"month": "2020-07"}).content.decode()
    assert "以上亮点、问题和下步工作据数据生成,尚未经督查室审定。" in draft_page
    assert "<h2>二、工作亮点</h2>" in draft_page and "<h2>五、红黄榜</h2>" in draft_page
    BulletinNote.objects.create(
        plan=plan, month=JULY, highlights="绿化工作超序时进度。", status=BulletinNote.Status.APPROVED
    )
    page = viewer_client.get(url, {"month": "2020-07"}).content.decode()
    assert "<p>绿化工作超序时进度。</p>" in page
    assert "尚未经督查室审定" not in page and "<h2>三、存在问题</h2>" not in page


def test_the_office_drafts_edits_and_approves_in_the_admin(plan, july):
    reviewer = make_user("office", is_staff=True)
    assign_role(reviewer, REVIEWER)
    client = Client()
    client.force_login(reviewer)
    add = client.get(reverse("admin:reports_bulletinnote_add"), {"plan": plan.pk, "month": "2020-07"})
    initial = add.context["adminform"].form.initial
    assert initial["highlights"].startswith("1. 1-01 新建公园游园:完成率由 30.0% 升至 60.0%")
    response = client.post(
        reverse("admin:reports_bulletinnote_add"),
        {
            "plan": plan.pk,
            "month": "2020-07-01",
            "highlights": "改写的亮点",
            "problems": "",
            "next_steps": "",
        },
    )
    assert response.status_code == 302
    note = BulletinNote.objects.get(plan=plan, month=JULY)
    assert (note.status, note.highlights) == (BulletinNote.Status.DRAFT, "改写的亮点")
    client.post(
        reverse("admin:reports_bulletinnote_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [note.pk]},
    )
    note.refresh_from_db()
    assert (note.status, note.approved_by) == (BulletinNote.Status.APPROVED, reviewer)
    assert [h.status for h in note.history.order_by("history_date")] == ["draft", "approved"]


def test_leaders_instructions_get_their_own_section_with_lateness(viewer_client, plan, task, july):
    from supervision.models import ItemEvent, State, SupervisedItem

    office = make_user("office", is_staff=True)
    item = SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="6.1",
        title="双改",
        source_text="原文。",
        state=State.IN_PROGRESS,
        due_date=dt.date(2020, 12, 31),
    )
    instruction = ItemEvent.objects.create(
        item=item,
        action=ItemEvent.Action.INSTRUCT,
        actor=office,
        reason="张副区长",
        requirement="拿出方案",
        due_date=dt.date(2020, 7, 10),
    )
    ItemEvent.objects.filter(pk=instruction.pk).update(
        at=dt.datetime(2020, 7, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    bulletin = build_bulletin(plan=plan, month=JULY, now=NOW)
    headings = narrative.outline(bulletin, narrative.for_bulletin(bulletin))
    assert headings["instructions"] == "六、领导批示及落实"
    [(row_item, event, answer, status)] = narrative.instructions(bulletin)
    # Not answered by 7-31: 21 days past the 7-10 answer-by day.
    assert (row_item, event.reason, answer, status.key, status.days) == (
        item,
        "张副区长",
        None,
        "overdue",
        21,
    )
    html = viewer_client.get(
        reverse("reports:bulletin", args=[plan.pk]), {"month": "2020-07"}
    ).content.decode()
    assert "<h2>六、领导批示及落实</h2>" in html and "逾期未答复 21 天" in html
