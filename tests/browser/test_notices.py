"""Notices in Chromium: the 督查室 assigns an item; the unit's reporter sees the count in the header,
finds the item on the to-do page, opens the notice and marks the rest read; the count follows."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from entry.roles import REPORTER, REVIEWER
from supervision import workflow
from supervision.models import ItemEvent, SupervisedItem
from targets.models import Unit
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable
from .test_journey import follow

pytestmark = [pytest.mark.browser, needs(chromium_executable() is not None, "Chromium")]
A = ItemEvent.Action


@pytest.mark.django_db(transaction=True)
def test_a_reporter_follows_the_notices(new_context, screenshot_dir):
    call_command("load_seed", stdout=io.StringIO())
    office, reporter = browser_user("duchashi", REVIEWER), browser_user("fagai", REPORTER)
    unit = Unit.objects.get(name="发改")
    unit.members.add(reporter)
    data = {"lead_unit": unit, "lead_official": "", "requirement": "每月5日前报送", "ack_days": 3}
    for code in ("2.1", "4.1"):
        item = SupervisedItem.objects.get(code=code)
        data |= {"co_units": list(item.co_units.all()), "due_date": dt.date(2020, 11, 30)}
        workflow.perform(item.pk, A.ASSIGN, office, version=item.version, data=data)
    first = SupervisedItem.objects.get(code="2.1")

    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "fagai")
    page.fill("#id_password", PASSWORD)
    follow(page, page.get_by_role("button", name="登录"))
    assert page.url.endswith("/todo/")
    link = page.locator("#notice-link")
    assert link.get_attribute("aria-label") == "通知:2 条未读"
    assert page.locator("#todo-ack li a").all_inner_texts() == [
        str(first),
        str(SupervisedItem.objects.get(code="4.1")),
    ]
    page.screenshot(path=str(screenshot_dir / "notices-1-todo.png"), full_page=True)

    follow(page, link)
    assert page.locator(".notice.unread").count() == 2
    page.screenshot(path=str(screenshot_dir / "notices-2-list.png"), full_page=True)
    # 查看 on the notice of 2.1 (the older one, listed second): the item's page, the notice read.
    follow(page, page.locator(".notice").nth(1).get_by_role("button", name="查看"))
    assert page.url.endswith(first.get_absolute_url())
    assert page.locator("#notice-link").get_attribute("aria-label") == "通知:1 条未读"

    page.goto("/notices/")
    follow(page, page.get_by_role("button", name="全部标为已读"))
    assert page.locator(".messages li").all_inner_texts() == ["已将 1 条通知标为已读。"]
    assert page.locator("#notice-link").get_attribute("aria-label") == "通知:0 条未读"
    assert page.locator(".notice.unread").count() == 0
    page.screenshot(path=str(screenshot_dir / "notices-3-read.png"), full_page=True)
