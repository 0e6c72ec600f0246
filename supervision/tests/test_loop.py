"""The whole loop through the pages, as the 督查室 and a unit do it, and refusals along the way."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from supervision import workflow
from supervision.models import Evidence, ItemEvent, State
from targets.models import Unit
from targets.tests.world import db_fingerprint

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
A = ItemEvent.Action


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, item, action, data=None, files=None):
    item.refresh_from_db()
    payload = {"version": str(item.version)} | {f"{action}-{k}": v for k, v in (data or {}).items()}
    if files:
        payload[f"{action}-files"] = files
    return client.post(reverse("supervision:item-step", args=[item.pk, action]), payload)


def assign_data():
    unit_a = Unit.objects.get(name="甲单位")
    return {
        "lead_unit": str(unit_a.pk),
        "lead_official": "张副区长",
        "requirement": "每月5日前报送进展",
        "due_date": "2020-11-30",
        "ack_days": "3",
    }


FEEDBACK = {"month": "2020-05", "progress": "已兑现稳岗返还", "problems": "", "next_steps": "继续推进"}


def test_the_whole_loop(item, people):
    office, unit = client_for(people["reviewer"]), client_for(people["rep_a"])
    url = item.get_absolute_url()

    response = post(office, item, A.ASSIGN, assign_data())
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert (item.state, item.lead_unit.name, item.lead_official) == (State.ASSIGNED, "甲单位", "张副区长")
    assert item.due_date == dt.date(2020, 11, 30)

    assert post(unit, item, A.ACKNOWLEDGE).status_code == 302
    item.refresh_from_db()
    assert item.state == State.ACKNOWLEDGED

    png = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    response = post(unit, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"}, [png])
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.original_name, evidence.size) == ("png", "现场照片.png", len(png_bytes()))
    assert evidence.file.name == f"supervision/{item.pk}/{evidence.token}.png"

    # The unit may not send May again while it waits for review.
    response = post(unit, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"})
    assert response.status_code == 409
    assert "当前为“推进中”,不能进行“反馈”" in response.content.decode()

    assert post(office, item, A.RETURN, {"reason": ""}).status_code == 400
    assert post(office, item, A.RETURN, {"reason": "请附兑现清单"}).status_code == 302
    response = post(unit, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track", "progress": "附清单"})
    assert response.status_code == 302
    assert post(office, item, A.ACCEPT, {"reason": "同意"}).status_code == 302

    # A close request needs evidence.
    response = post(unit, item, A.CLOSE_REQUEST, {"progress": "已全部兑现"})
    assert response.status_code == 409
    assert "办结申请须附佐证材料。" in response.content.decode()
    pdf = SimpleUploadedFile("清单.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    assert post(unit, item, A.CLOSE_REQUEST, {"progress": "已全部兑现"}, [pdf]).status_code == 302
    item.refresh_from_db()
    assert item.state == State.CLOSE_REQUESTED
    assert post(office, item, A.CLOSE, {"reason": "准予办结"}).status_code == 302
    item.refresh_from_db()
    assert item.state == State.CLOSED

    events = list(item.events.order_by("at", "id"))
    assert [(e.action, e.actor.username) for e in events] == [
        (A.ASSIGN, "reviewer"),
        (A.ACKNOWLEDGE, "rep_a"),
        (A.FEEDBACK, "rep_a"),
        (A.RETURN, "reviewer"),
        (A.FEEDBACK, "rep_a"),
        (A.ACCEPT, "reviewer"),
        (A.CLOSE_REQUEST, "rep_a"),
        (A.CLOSE, "reviewer"),
    ]
    assert events[3].answers == events[2] and events[5].answers == events[4]
    assert events[7].answers == events[6]
    assert events[2].month == dt.date(2020, 5, 1)
    assert item.version == 8

    page = office.get(url).content.decode()
    for label in ("交办", "签收", "退回", "审核通过", "办结申请", "请附兑现清单", "现场照片.png", "清单.pdf"):
        assert label in page
    assert page.count('<li class="event">') == 8
    # Nothing left to do: no step form.
    assert 'class="step-form"' not in page


def test_a_stale_form_is_refused_and_changes_nothing(item, people):
    office, unit = client_for(people["reviewer"]), client_for(people["rep_a"])
    post(office, item, A.ASSIGN, assign_data())
    item.refresh_from_db()
    old_version = item.version
    assert post(unit, item, A.ACKNOWLEDGE).status_code == 302
    before = db_fingerprint()
    response = unit.post(
        reverse("supervision:item-step", args=[item.pk, A.FEEDBACK]),
        {"version": str(old_version)}
        | {f"feedback-{k}": v for k, v in FEEDBACK.items()}
        | {"feedback-self_assessment": "behind"},
    )
    assert response.status_code == 409
    assert "此事项在您打开页面后已有新的办理:rep_a 于" in response.content.decode()
    assert db_fingerprint() == before


def test_out_of_order_steps_are_refused(item, people):
    unit, office = client_for(people["rep_a"]), client_for(people["reviewer"])
    before = db_fingerprint()
    # Not assigned yet: unit A is not named on it, so it cannot see it.
    assert post(unit, item, A.ACKNOWLEDGE).status_code == 404
    response = post(office, item, A.CLOSE, {"reason": ""})
    assert response.status_code == 409
    assert "此事项当前为“交办前”,不能进行“办结”。" in response.content.decode()
    assert db_fingerprint() == before


def test_roles_at_the_step_urls(item, people):
    clients = {name: client_for(user) for name, user in people.items()}
    post(clients["reviewer"], item, A.ASSIGN, assign_data())
    before = db_fingerprint()
    assert post(clients["viewer"], item, A.ACKNOWLEDGE).status_code == 403
    assert post(clients["reviewer"], item, A.ACKNOWLEDGE).status_code == 403
    assert post(clients["rep_b"], item, A.ACKNOWLEDGE).status_code == 404
    assert post(clients["rep_a"], item, A.ASSIGN, assign_data()).status_code == 403
    assert post(Client(), item, A.ACKNOWLEDGE).status_code == 302
    assert db_fingerprint() == before
    assert clients["rep_b"].get(item.get_absolute_url()).status_code == 404
    assert clients["viewer"].get(item.get_absolute_url()).status_code == 200


def test_remind_mails_the_unit_and_escalates_after_three_days(
    item, people, monkeypatch, django_capture_on_commit_callbacks
):
    office = client_for(people["reviewer"])
    post(office, item, A.ASSIGN, assign_data())
    with django_capture_on_commit_callbacks(execute=True):
        response = post(office, item, A.REMIND, {"reason": "请尽快签收"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["rep_a@example.gov.cn"]]
    assert mail.outbox[0].subject == "督办提醒:2.1 突出稳企业"
    first = item.events.get(action=A.REMIND)
    assert (first.escalated, first.mailed_to) == (False, "rep_a@example.gov.cn")

    # Three days later with no answer: escalated; the leader has no account, so no mail to them.
    later = dt.date.today() + dt.timedelta(days=3)
    monkeypatch.setattr(workflow.timezone, "localdate", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(office, item, A.REMIND, {"reason": ""}).wsgi_request
    second = item.events.filter(action=A.REMIND).last()
    assert (second.escalated, second.mailed_to) == (True, "rep_a@example.gov.cn")
    page = office.get(item.get_absolute_url()).content.decode()
    assert "已升级督办,但分包领导没有留有邮箱的账号,未发送邮件,请另行报告分包领导。" in page
    assert "升级督办" in page

    # With a leader's account: they get the next escalation too.
    item.lead_official_account = people["admin"]
    item.save()
    monkeypatch.setattr(workflow.timezone, "localdate", lambda: later + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        post(office, item, A.REMIND, {"reason": ""})
    third = item.events.filter(action=A.REMIND).last()
    assert (third.escalated, third.mailed_to) == (True, "rep_a@example.gov.cn, admin@example.gov.cn")
    # One mail per notice: the unit's reporter is reminded, the leader told of the escalation.
    assert [(m.subject, m.to) for m in mail.outbox[-2:]] == [
        ("督办提醒:2.1 突出稳企业", ["rep_a@example.gov.cn"]),
        ("升级督办:2.1 突出稳企业", ["admin@example.gov.cn"]),
    ]


def test_assignment_and_return_are_mailed_to_the_unit(item, people, django_capture_on_commit_callbacks):
    office, unit = client_for(people["reviewer"]), client_for(people["rep_a"])
    with django_capture_on_commit_callbacks(execute=True):
        post(office, item, A.ASSIGN, assign_data())
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("督办事项交办:2.1 突出稳企业", ["rep_a@example.gov.cn"])
    ]
    assert mail.outbox[0].body == (
        "督查室交办督办事项“2.1 突出稳企业”,完成时限 2020-11-30,请在 3 天内签收。交办要求:每月5日前报送进展"
    )
    post(unit, item, A.ACKNOWLEDGE)
    post(unit, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "behind"})
    with django_capture_on_commit_callbacks(execute=True):
        post(office, item, A.RETURN, {"reason": "请附兑现清单"})
    assert mail.outbox[-1].subject == "督办事项退回:2.1 突出稳企业"
    assert mail.outbox[-1].body == "督查室退回了“2.1 突出稳企业”的反馈,理由:请附兑现清单"
    assert item.events.get(action=A.RETURN).mailed_to == "rep_a@example.gov.cn"


def test_key_task_page_lists_its_items(item, people):
    response = client_for(people["viewer"]).get(reverse("targets:keytask-detail", args=[item.key_task_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "突出稳企业" in page and "交办前" in page and item.get_absolute_url() in page


def test_list_filters(item, people):
    client = client_for(people["viewer"])
    url = reverse("supervision:item-list", args=[item.plan_id])
    assert "突出稳企业" in client.get(url).content.decode()
    assert "突出稳企业" not in client.get(url + "?state=closed").content.decode()
    assert client.get(url + "?state=nonsense").status_code == 400
    assert client.get(url + "?unit=999999").status_code == 400
    # Past its due date (31 Dec 2020 is long gone) only once assigned.
    assert "突出稳企业" not in client.get(url + "?overdue=on").content.decode()
    post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data() | {"due_date": "2020-06-30"})
    assert "突出稳企业" in client.get(url + "?overdue=on").content.decode()
