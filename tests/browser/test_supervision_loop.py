"""督查督办 from 交办 to 办结 in Chromium, as the 督查室, a unit's reporter and the responsible leader.

Measure 2.1 of the seed plan (突出稳企业) goes round the whole loop through the item page's forms:
the 督查室 assigns it to 发改 with a requirement and a due date; 发改 acknowledges it (a day late),
sends June's feedback late with a photo; the 督查室 returns it with a reason; 发改 sends it again;
the 督查室 accepts it and records a leader's instruction to be answered by 15 July; 发改 answers on
20 July (5 days late), applies to close with evidence, and the 督查室 closes it. Measure 2.2 is
assigned, not acknowledged, reminded (催办) and, four days later, reminded again: that 催办 goes
up to the responsible leader, who reads it on the page and in the mail, finds the items flagged
as of the key task page's date, and the late answer in the July bulletin.

Only users and the clock are set up directly. The clock: `django.utils.timezone.now` is moved to
days of 2020 (the live server runs in this process), so every step is stamped on the day the test
says, and "today" for the overdue flags, the forms and the bulletin is that day too.
"""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from PIL import Image, ImageDraw

from entry.roles import REPORTER, REVIEWER, VIEWER
from supervision.models import Evidence, ItemEvent, State, SupervisedItem
from targets.models import Unit
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable

pytestmark = [pytest.mark.browser, needs(chromium_executable() is not None, "Chromium")]
A = ItemEvent.Action
D = dt.date


class Clock:
    """Django's clock moved to a chosen day; time of day runs on from the hour it is set to."""

    def __init__(self, real_now):
        self.real_now = real_now
        self.offset = dt.timedelta(0)

    def now(self):
        return self.real_now() + self.offset

    def set(self, day: dt.date, hour: int = 9) -> None:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        self.offset = moment - self.real_now()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


def photo_png() -> bytes:
    """A 640×480 PNG picture (a site photo stand-in), decoded by content, not by name."""
    image = Image.new("RGB", (640, 480), (203, 225, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 200, 580, 440), fill=(120, 130, 140))
    draw.rectangle((120, 260, 220, 440), fill=(60, 90, 160))
    draw.ellipse((480, 40, 560, 120), fill=(250, 200, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(settings, tmp_path, clock):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SESSION_COOKIE_AGE = 366 * 24 * 3600  # the clock jumps months; sessions outlive the jumps
    clock.set(D(2020, 5, 29))
    call_command("load_seed", stdout=io.StringIO())
    people = {
        "office": browser_user("duchashi", REVIEWER),
        "unit": browser_user("fagai", REPORTER),
        "other": browser_user("shuiwu", REPORTER),
        "leader": browser_user("fenbao", VIEWER),
    }
    for user in people.values():
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    Unit.objects.get(name="发改").members.add(people["unit"])
    Unit.objects.get(name="税务").members.add(people["other"])
    return people | {
        "item": SupervisedItem.objects.get(code="2.1"),
        "second": SupervisedItem.objects.get(code="2.2"),
    }


def log_in(context, username: str):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) [type=submit]").click()
    assert "/accounts/login/" not in page.url
    return page


def submit(page, action: str) -> None:
    """Press the step's button on the item page and check the step went through."""
    with page.expect_navigation():
        page.locator(f"form[action$='/{action}/'] button[type=submit]").click()
    messages = page.locator(".messages, [role=status]").all_inner_texts()
    assert any("已完成" in text for text in messages), (action, page.locator("body").inner_text()[:600])


def flags_text(page) -> str:
    return page.locator(".facts dd:has(.hint)").inner_text()


def show_all_pictures(page) -> None:
    """Load the lazy thumbnails below the fold, so a full-page screenshot shows them."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
    page.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")


def timeline(page) -> list[tuple[str, str, str]]:
    """(step, who, day) of each entry of the item's 办理过程."""
    rows = []
    for entry in page.locator(".event-log .event-head").all():
        action = entry.locator(".event-action").inner_text().strip()
        who = entry.locator(".who").inner_text().strip()
        moment = entry.locator("time").inner_text().strip()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", moment), moment
        rows.append((action, who, moment[:10]))
    return rows


@pytest.mark.django_db(transaction=True)
def test_the_whole_loop_in_the_browser(new_context, world, clock, screenshot_dir, live_server):
    item, second = world["item"], world["second"]
    url = f"/supervision/items/{item.pk}/"
    office = log_in(new_context(), "duchashi")
    unit = log_in(new_context(), "fagai")

    # 1 June, 交办: 发改 leads, 张副区长 answers for it (his account gets escalations), due 30 Sept.
    clock.set(D(2020, 6, 1))
    office.goto(url)
    assert office.locator(".facts").inner_text().count("未明确") >= 2  # nobody named by the text
    office.select_option("#id_assign-lead_unit", label="发改")
    office.fill("#id_assign-lead_official", "张副区长")
    office.select_option("#id_assign-lead_official_account", label="fenbao")
    office.fill("#id_assign-requirement", "每月5日前报送稳企业政策兑现进展,附现场照片")
    office.fill("#id_assign-due_date", "2020-09-30")
    office.fill("#id_assign-ack_days", "3")
    submit(office, "assign")
    assert office.locator(".messages").inner_text().count("已发送邮件至:fagai@example.gov.cn") == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("督办事项交办:2.1 突出稳企业", ["fagai@example.gov.cn"])
    ]

    # 5 June: not acknowledged by 4 June, the list and the item page say so.
    clock.set(D(2020, 6, 5))
    office.goto(f"/supervision/plans/{item.plan_id}/?overdue=on")
    assert office.locator("table tbody tr").count() == 1
    assert "签收逾期 1 天" in office.locator("table tbody tr").inner_text()
    unit.goto(url)
    assert "签收逾期 1 天" in flags_text(unit) and "截至 2020-06-05" in flags_text(unit)
    submit(unit, "acknowledge")
    assert "签收逾期" not in flags_text(unit)

    # 7 July: June's feedback was due by 5 July. Sent now, with a photo.
    clock.set(D(2020, 7, 7))
    unit.goto(url)
    assert "2020-06 反馈逾期未报" in flags_text(unit)
    unit.fill("#id_feedback-month", "2020-06")
    unit.fill("#id_feedback-progress", "兑现稳岗返还资金,走访规上企业")
    unit.fill("#id_feedback-problems", "部分企业申报材料不全")
    unit.fill("#id_feedback-next_steps", "7月底前完成剩余企业兑现")
    unit.select_option("#id_feedback-self_assessment", "on_track")
    unit.set_input_files(
        "#feedback-files", files=[{"name": "走访现场.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    submit(unit, "feedback")
    assert flags_text(unit).startswith("—")
    photo = Evidence.objects.get(event__item=item)
    assert (photo.original_name, photo.kind) == ("走访现场.png", "png")

    # 8 July: the 督查室 sees the photo and returns the feedback with a reason.
    clock.set(D(2020, 7, 8))
    office.goto(url)
    assert "反馈待审核" in office.locator(".facts").inner_text()
    thumbnail = office.locator(".evidence img")
    assert thumbnail.get_attribute("alt") == "走访现场.png"
    thumbnail.scroll_into_view_if_needed()
    office.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [320, 240]
    office.fill("#id_return-reason", "请补充已兑现企业清单")
    submit(office, "return")
    assert mail.outbox[-1].subject == "督办事项退回:2.1 突出稳企业"
    assert mail.outbox[-1].body == "督查室退回了“2.1 突出稳企业”的反馈,理由:请补充已兑现企业清单"

    # 9 July: June's feedback again; 10 July: accepted, and 张副区长's instruction recorded.
    clock.set(D(2020, 7, 9))
    unit.goto(url)
    assert "请补充已兑现企业清单" in unit.locator(".event-log").inner_text()
    unit.fill("#id_feedback-month", "2020-06")
    unit.fill("#id_feedback-progress", "已兑现企业清单见附件,共兑现稳岗返还资金")
    unit.select_option("#id_feedback-self_assessment", "on_track")
    submit(unit, "feedback")
    clock.set(D(2020, 7, 10))
    office.goto(url)
    submit(office, "accept")
    office.fill("#id_instruct-leader", "张副区长")
    office.fill("#id_instruct-text", "稳企业政策兑现情况7月15日前报区政府")
    office.fill("#id_instruct-answer_by", "2020-07-15")
    submit(office, "instruct")
    assert "待答复,还有 5 天" in office.locator("#instructions").inner_text()

    # 20 July: the unit answers, 5 days after the 15 July answer-by day.
    clock.set(D(2020, 7, 20))
    unit.goto(url)
    assert "逾期未答复 5 天" in unit.locator("#instructions").inner_text()
    unit.fill("#id_answer-answer", "已将兑现情况报区政府")
    submit(unit, "answer")
    assert "2020-07-20 答复,逾期 5 天" in unit.locator("#instructions").inner_text()

    # 24 July: 办结申请 with evidence; 27 July: 办结.
    clock.set(D(2020, 7, 24))
    unit.goto(url)
    unit.fill("#id_close_request-progress", "稳企业政策已全部兑现")
    unit.set_input_files(
        "#close_request-files",
        files=[{"name": "兑现台账.png", "mimeType": "image/png", "buffer": photo_png()}],
    )
    submit(unit, "close_request")
    clock.set(D(2020, 7, 27))
    office.goto(url)
    office.fill("#id_close-reason", "佐证齐全,同意办结")
    submit(office, "close")
    item.refresh_from_db()
    assert item.state == State.CLOSED

    # The timeline: every step, who, which day.
    office.goto(url)
    assert timeline(office) == [
        ("交办", "duchashi", "2020-06-01"),
        ("签收", "fagai", "2020-06-05"),
        ("反馈", "fagai", "2020-07-07"),
        ("退回", "duchashi", "2020-07-08"),
        ("反馈", "fagai", "2020-07-09"),
        ("审核通过", "duchashi", "2020-07-10"),
        ("领导批示", "duchashi", "2020-07-10"),
        ("批示答复", "fagai", "2020-07-20"),
        ("办结申请", "fagai", "2020-07-24"),
        ("办结", "duchashi", "2020-07-27"),
    ]
    assert office.locator(".facts dd").first.inner_text() == "已办结(2020-07-27)"
    # Acknowledged a day after the 4 June limit; June's first feedback 2 days after 5 July.
    entries = office.locator(".event-log .event")
    assert entries.nth(1).locator(".overdue-mark").inner_text() == "逾期 1 天"
    assert entries.nth(2).locator(".overdue-mark").inner_text() == "逾期 2 天"
    assert entries.nth(4).locator(".overdue-mark").count() == 0  # sent again after the return
    # The instruction and its answer read with their own labels.
    assert entries.nth(6).locator("p").all_inner_texts()[1:] == [
        "批示领导:张副区长",
        "批示内容:稳企业政策兑现情况7月15日前报区政府",
        "答复期限:2020-07-15",
    ]
    assert entries.nth(7).locator("p").nth(1).inner_text() == "落实情况:已将兑现情况报区政府"
    assert entries.nth(3).locator("p").nth(1).inner_text() == "退回理由:请补充已兑现企业清单"
    assert office.locator(".evidence img").count() == 2
    assert office.locator("form.step-form").count() == 0  # nothing left to do

    # The photo: its unit and the 督查室 get it; a reporter of another unit gets nothing.
    for page in (office, unit):
        response = page.request.get(f"/supervision/evidence/{photo.pk}/")
        assert (response.status, response.headers["content-type"]) == (200, "image/png")
        assert response.body() == photo_png()
    other = log_in(new_context(), "shuiwu")
    for path in (f"/supervision/evidence/{photo.pk}/", f"/supervision/evidence/{photo.pk}/thumbnail/", url):
        assert other.request.get(path).status in (403, 404), path

    # 催办 on 2.2: assigned 27 July (3 days, due 31 July), not acknowledged by 31 July.
    second_url = f"/supervision/items/{second.pk}/"
    office.goto(second_url)
    office.select_option("#id_assign-lead_unit", label="发改")
    office.fill("#id_assign-lead_official", "张副区长")
    office.select_option("#id_assign-lead_official_account", label="fenbao")
    office.fill("#id_assign-requirement", "8月起每月报送重点项目投资进度")
    office.fill("#id_assign-due_date", "2020-07-31")
    submit(office, "assign")
    clock.set(D(2020, 7, 31))
    office.goto(second_url)
    assert "签收逾期 1 天" in flags_text(office)
    office.fill("#id_remind-reason", "请尽快签收")
    submit(office, "remind")
    assert (mail.outbox[-1].subject, mail.outbox[-1].to) == (
        "督办提醒:2.2 积极抓投资",
        ["fagai@example.gov.cn"],
    )
    # 4 August: no answer for 4 days (3 are allowed): the next 催办 goes up to the leader.
    clock.set(D(2020, 8, 4))
    office.goto(second_url)
    assert "签收逾期 5 天" in flags_text(office) and "超过完成时限 4 天" in flags_text(office)
    office.fill("#id_remind-reason", "仍未签收")
    mailed_before = len(mail.outbox)
    submit(office, "remind")
    # One message per person: the unit's reporter and the responsible leader.
    sent = {message.to[0]: message for message in mail.outbox[mailed_before:]}
    assert sorted(sent) == ["fagai@example.gov.cn", "fenbao@example.gov.cn"]
    assert sent["fenbao@example.gov.cn"].body.endswith("该事项催办后 3 天未见回应,已升级至分包领导督办。")
    leader = log_in(new_context(), "fenbao")
    leader.goto(second_url)
    reminders = leader.locator(".event-log .event:has-text('催办')")
    assert reminders.count() == 2
    assert "升级督办" not in reminders.nth(0).inner_text()
    assert "升级督办" in reminders.nth(1).inner_text()
    assert "升级至分包领导:张副区长" in reminders.nth(1).inner_text()
    assert "fenbao@example.gov.cn" in reminders.nth(1).inner_text()

    # The key task's page as of 31 July: 2.1 closed, 2.2 a day late to acknowledge (today: 5 days);
    # its link keeps the date, and the item page flags it as of that day too.
    leader.goto(f"/plans/tasks/{item.key_task_id}/?as_of=2020-07-31")
    rows = leader.locator("#supervised-items tbody tr")
    cells = {r.locator("th").inner_text(): r.locator("td").all_inner_texts()[-2:] for r in rows.all()}
    assert cells["2.1"] == ["已办结", "—"]
    assert cells["2.2"] == ["已交办", "签收逾期 1 天"]
    with leader.expect_navigation():
        leader.locator("#supervised-items tbody tr", has_text="积极抓投资").locator("th a").click()
    assert leader.url.endswith(f"{second_url}?as_of=2020-07-31")
    assert "签收逾期 1 天" in flags_text(leader) and "截至 2020-07-31" in flags_text(leader)

    # The July bulletin lists 张副区长's instruction as answered late.
    leader.goto(f"/reports/plan/{item.plan_id}/bulletin/?month=2020-07")
    section = leader.locator("section#instructions")
    assert section.locator("h2").inner_text().endswith("、领导批示及落实")
    row = section.locator("tbody tr")
    assert row.count() == 1
    assert row.locator("td").all_inner_texts()[:3] == [
        "2.1 突出稳企业",
        "张副区长(07-10):稳企业政策兑现情况7月15日前报区政府",
        "2020-07-15",
    ]
    assert row.locator("td").nth(3).inner_text().startswith("逾期 5 天答复")
    section.screenshot(path=str(screenshot_dir / "bulletin-instructions.png"))

    # The closed item's page at a desk and on a phone, for a person to look at.
    for width, height in ((1440, 900), (390, 844)):
        office.set_viewport_size({"width": width, "height": height})
        office.goto(url)
        show_all_pictures(office)
        office.screenshot(path=str(screenshot_dir / f"item-2.1-{width}.png"), full_page=True)
        assert office.evaluate("document.documentElement.scrollWidth") <= width
    office.goto(second_url)
    office.screenshot(path=str(screenshot_dir / "item-2.2-390.png"), full_page=True)
