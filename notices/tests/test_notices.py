"""Notices: the right people are told of each step, by e-mail too, and by a unit's group robot."""

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entry import review
from entry import write as entry
from notices.models import Kind, Notice, UnitWebhook
from supervision import workflow
from supervision.models import ItemEvent
from supervision.tests.conftest import png_bytes
from supervision.tests.test_loop import FEEDBACK, assign_data, client_for, post
from targets.models import Figure, Unit
from targets.tests.factories import make_figure, make_target, make_task

pytestmark = pytest.mark.django_db
A = ItemEvent.Action


def told(since: int = 0) -> list[tuple[str, str]]:
    """(recipient, kind) of the notices written after the first `since`, in order."""
    return [(n.recipient.username, n.kind) for n in Notice.objects.order_by("id")[since:]]


def test_each_step_tells_the_right_people_and_mails_each(
    item, people, django_capture_on_commit_callbacks, monkeypatch
):
    office, unit = client_for(people["reviewer"]), client_for(people["rep_a"])
    leader = people["viewer"]  # a leader reads; any account may be an item's 分包领导
    with django_capture_on_commit_callbacks(execute=True):
        post(office, item, A.ASSIGN, assign_data() | {"lead_official_account": str(leader.pk)})
    assert told() == [("rep_a", Kind.ASSIGNED)]
    notice = Notice.objects.get()
    assert (notice.link, notice.read_at) == (item.get_absolute_url(), None)
    assert notice.text == (
        "督查室交办督办事项“2.1 突出稳企业”,完成时限 2020-11-30,请在 3 天内签收。交办要求:每月5日前报送进展"
    )
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [
        ("督办事项交办:2.1 突出稳企业", ["rep_a@example.gov.cn"], notice.text)
    ]

    n = Notice.objects.count()
    post(unit, item, A.ACKNOWLEDGE)
    assert told(n) == []  # an acknowledgement tells nobody

    with django_capture_on_commit_callbacks(execute=True):
        post(unit, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"})
    # The 督查室 of the plan's district: reviewers only (the admin role sets up, it is not told).
    assert told(n) == [("reviewer", Kind.TO_REVIEW)]
    assert Notice.objects.order_by("id").last().text == "rep_a 报送了“2.1 突出稳企业”2020-05 的反馈,待审核。"
    assert mail.outbox[-1].to == ["reviewer@example.gov.cn"]

    n = Notice.objects.count()
    post(office, item, A.RETURN, {"reason": "请附兑现清单"})
    assert told(n) == [("rep_a", Kind.RETURNED)]
    assert Notice.objects.order_by("id").last().text == "督查室退回了“2.1 突出稳企业”的反馈,理由:请附兑现清单"

    n = Notice.objects.count()
    post(office, item, A.REMIND, {"reason": "请尽快重报"})
    assert told(n) == [("rep_a", Kind.REMINDED)]

    # Three days without an answer: the next 催办 escalates to the leader's account as well.
    later = dt.date.today() + dt.timedelta(days=3)
    monkeypatch.setattr(workflow.timezone, "localdate", lambda: later)
    n = Notice.objects.count()
    post(office, item, A.REMIND, {"reason": ""})
    assert told(n) == [("rep_a", Kind.REMINDED), ("viewer", Kind.ESCALATED)]
    assert "已升级至分包领导督办" in Notice.objects.order_by("id").last().text

    n = Notice.objects.count()
    post(
        office,
        item,
        A.INSTRUCT,
        {"leader": "张副区长", "text": "7月10日前拿出方案", "answer_by": "2020-07-10"},
    )
    assert told(n) == [("rep_a", Kind.INSTRUCTED)]
    assert (
        Notice.objects.order_by("id").last().text
        == "张副区长 对“2.1 突出稳企业”批示:7月10日前拿出方案 请于 2020-07-10 前答复落实情况。"
    )

    n = Notice.objects.count()
    post(unit, item, A.ANSWER, {"answer": "方案已报区政府"})
    # The item's leader and the 督查室 officer who recorded the instruction.
    assert told(n) == [("viewer", Kind.ANSWERED), ("reviewer", Kind.ANSWERED)]
    assert (
        Notice.objects.order_by("id").last().text
        == "rep_a 答复了张副区长对“2.1 突出稳企业”的批示:方案已报区政府"
    )

    post(unit, item, A.FEEDBACK, FEEDBACK | {"month": "2020-06", "self_assessment": "on_track"})
    post(office, item, A.ACCEPT, {"reason": ""})
    n = Notice.objects.count()
    post(
        unit,
        item,
        A.CLOSE_REQUEST,
        {"progress": "全部兑现"},
        files=[SimpleUploadedFile("a.png", png_bytes())],
    )
    assert told(n) == [("reviewer", Kind.TO_REVIEW)]
    n = Notice.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        post(office, item, A.CLOSE, {"reason": "材料齐全"})
    assert told(n) == [("rep_a", Kind.CLOSED)]
    assert (mail.outbox[-1].subject, mail.outbox[-1].to) == (
        "督办事项办结:2.1 突出稳企业",
        ["rep_a@example.gov.cn"],
    )
    # Nobody was ever told of their own step.
    assert not Notice.objects.filter(recipient=people["reviewer"], kind=Kind.ASSIGNED).exists()


def test_a_refused_step_writes_no_notice(item, people):
    office = client_for(people["reviewer"])
    post(office, item, A.ASSIGN, assign_data())
    n = Notice.objects.count()
    item.refresh_from_db()
    # A stale form: refused, and nobody told.
    response = office.post(
        reverse("supervision:item-step", args=[item.pk, A.REMIND]),
        {"version": str(item.version - 1), "remind-reason": ""},
    )
    assert response.status_code == 409
    assert Notice.objects.count() == n


def test_mail_can_be_turned_off_and_the_notices_stay(
    item, people, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_EMAIL = False
    office = client_for(people["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(office, item, A.ASSIGN, assign_data())
    assert told() == [("rep_a", Kind.ASSIGNED)]
    assert mail.outbox == []
    assert item.events.get(action=A.ASSIGN).mailed_to == ""
    page = office.get(response["Location"]).content.decode()
    assert "已在站内通知:rep_a。" in page


def test_a_full_link_in_mails_with_site_url(item, people, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://zdgz.example.gov.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data())
    assert mail.outbox[0].body.endswith(f"\n\n查看:https://zdgz.example.gov.cn{item.get_absolute_url()}")


# --- monthly figures --------------------------------------------------------------------------------


@pytest.fixture
def figures(item, people):
    unit_a = Unit.objects.get(name="甲单位")
    task = make_task(item.plan, 3, title="城市建设")
    roads = make_target(task, "3-01", name="打通道路", units=[unit_a])
    schools = make_target(task, "3-02", name="新建学校", units=[unit_a])
    return roads, schools


def test_submitted_figures_tell_the_reviewers_and_returned_ones_the_unit(
    figures, people, django_capture_on_commit_callbacks
):
    roads, schools = figures
    rep_a, reviewer = people["rep_a"], people["reviewer"]
    june = dt.date(2020, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        saved = entry.save_entries(
            [entry.Entry(roads, june, value=Decimal("20")), entry.Entry(schools, june, value=Decimal("5"))],
            user=rep_a,
            submit=True,
        )
    assert told() == [("reviewer", Kind.FIGURES_SUBMITTED)]
    notice = Notice.objects.get()
    assert notice.text == "rep_a 报送了 2 条月度数据,待审核:3-01 打通道路(2020-06)、3-02 新建学校(2020-06)"
    assert notice.link == reverse("admin:targets_figure_changelist") + "?status__exact=submitted"
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("月度数据待审核:rep_a 报送 2 条", ["reviewer@example.gov.cn"])
    ]

    with django_capture_on_commit_callbacks(execute=True):
        review.send_back([saved[0]], user=reviewer, reason="数值与台账不符")
    assert told(1) == [("rep_a", Kind.FIGURES_RETURNED)]
    notice = Notice.objects.order_by("id").last()
    assert notice.text == (
        "reviewer 退回了甲单位的月度数据:3-01 打通道路(2020-06)。退回原因:数值与台账不符。请修改后重新报送。"
    )
    unit_a = Unit.objects.get(name="甲单位")
    assert notice.link == reverse("admin:targets_figure_month") + f"?unit={unit_a.pk}&month=2020-06"
    assert mail.outbox[-1].to == ["rep_a@example.gov.cn"]

    # The admin's action path (review.submit) tells the reviewers too; an approval tells nobody.
    review.submit([Figure.objects.get(pk=saved[0].pk)], user=rep_a)
    assert told(2) == [("reviewer", Kind.FIGURES_SUBMITTED)]
    review.approve(list(Figure.objects.filter(status=Figure.Status.SUBMITTED)), user=reviewer)
    assert Notice.objects.count() == 3


def test_a_draft_tells_nobody(figures, people):
    roads, _schools = figures
    entry.save_entries([entry.Entry(roads, dt.date(2020, 6, 1), value=Decimal("20"))], user=people["rep_a"])
    make_figure(roads, dt.date(2020, 5, 1), 10, status=Figure.Status.DRAFT)
    assert Notice.objects.count() == 0


# --- the group robot (群机器人) -------------------------------------------------------------------------


class _Robot(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    """A local fake of a 企业微信 / 钉钉 group robot, in a thread."""
    _Robot.received = []
    _Robot.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Robot
    server.shutdown()
    server.server_close()


def test_the_units_robot_gets_the_notice_as_a_json_text_message(
    item, people, robot, django_capture_on_commit_callbacks
):
    server, handler = robot
    unit_a = Unit.objects.get(name="甲单位")
    UnitWebhook.objects.create(
        unit=unit_a, url=f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=k"
    )
    # Another unit's robot hears nothing of unit A's item.
    UnitWebhook.objects.create(
        unit=Unit.objects.get(name="乙单位"), url=f"http://127.0.0.1:{server.server_port}/b"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data())
    assert response.status_code == 302
    assert handler.received == [
        (
            "/cgi-bin/webhook/send?key=k",
            "application/json; charset=utf-8",
            {
                "msgtype": "text",
                "text": {
                    "content": "督查室交办督办事项“2.1 突出稳企业”,完成时限 2020-11-30,请在 3 天内签收。"
                    "交办要求:每月5日前报送进展"
                },
            },
        )
    ]
    # A reviewer's feedback notice goes to people only, not to the unit's robot.
    post(client_for(people["rep_a"]), item, A.ACKNOWLEDGE)
    with django_capture_on_commit_callbacks(execute=True):
        post(client_for(people["rep_a"]), item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"})
    assert len(handler.received) == 1


def test_a_robot_that_fails_is_logged_and_never_breaks_the_step(
    item, people, robot, settings, caplog, django_capture_on_commit_callbacks
):
    server, handler = robot
    handler.status = 500
    settings.NOTICE_WEBHOOK_TIMEOUT = 1
    unit_a = Unit.objects.get(name="甲单位")
    UnitWebhook.objects.create(unit=unit_a, url=f"http://127.0.0.1:{server.server_port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data())
    assert response.status_code == 302
    assert len(handler.received) == 1
    assert "did not take the notice" in caplog.text
    # Nobody listening at all: the same.
    server.shutdown()
    server.server_close()
    post(client_for(people["rep_a"]), item, A.ACKNOWLEDGE)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(people["reviewer"]), item, A.REMIND, {"reason": ""})
    assert response.status_code == 302
    assert item.events.filter(action=A.REMIND).count() == 1


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", True),
        ("http://10.1.2.3:8080/robot", True),
        ("ftp://example.org/x", False),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_http_and_https_robots(item, url, ok):
    hook = UnitWebhook(unit=Unit.objects.get(name="甲单位"), url=url)
    if ok:
        hook.full_clean()
    else:
        with pytest.raises(ValidationError) as raised:
            hook.full_clean()
        assert list(raised.value.message_dict) == ["url"]
