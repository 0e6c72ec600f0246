"""The supervision pages in Chromium: axe-core and phone width in both languages, and one step by hand.

Here rather than in supervision/tests so that it shares this directory's session-wide Chromium
(two Playwright sessions cannot run in one process). Skipped without Chromium or axe-core.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from entry.roles import REPORTER, REVIEWER
from supervision import workflow
from supervision.models import ItemEvent, State, SupervisedItem
from supervision.tests.conftest import png_bytes
from targets.models import Unit
from tests.tools import needs

from .conftest import browser_user
from .test_accessibility import AXE, PHONE, check_phone_page, log_in

pytestmark = [pytest.mark.browser, needs(AXE.is_file(), "axe-core (npm ci)")]
A = ItemEvent.Action


@pytest.fixture
def loop_data(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_seed", stdout=io.StringIO())
    office, unit_user = browser_user("duchashi", REVIEWER), browser_user("fagai", REPORTER)
    unit = Unit.objects.get(name="发改")
    unit.members.add(unit_user)
    item = SupervisedItem.objects.get(code="2.1")
    data = {
        "lead_unit": unit,
        "co_units": list(item.co_units.all()),
        "lead_official": "",
        "requirement": "每月5日前报送",
        "due_date": dt.date(2020, 11, 30),
        "ack_days": 3,
    }
    workflow.perform(item.pk, A.ASSIGN, office, version=0, data=data)
    return {"item": item, "other": SupervisedItem.objects.get(code="6.2")}


def _done_by_hand(phone, item):
    """The unit acknowledges, then sends a feedback with a picture, through the page's forms."""
    phone.goto(f"/supervision/items/{item.pk}/")
    with phone.expect_navigation():
        phone.locator("form[action$='/acknowledge/'] button").click()
    phone.fill("#id_feedback-progress", "已兑现稳岗返还")
    phone.select_option("#id_feedback-self_assessment", "on_track")
    phone.set_input_files(
        "#feedback-files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    with phone.expect_navigation():
        phone.locator("form[action$='/feedback/'] button").click()


@pytest.mark.django_db(transaction=True)
def test_supervision_pages_are_accessible_and_fit_a_phone(chromium, live_server, loop_data):
    item, other = loop_data["item"], loop_data["other"]
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    context.set_default_timeout(15_000)
    unit_page = context.new_page()
    log_in(unit_page, "fagai")
    _done_by_hand(unit_page, item)
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS
    assert list(item.events.values_list("action", flat=True)) == [A.ASSIGN, A.ACKNOWLEDGE, A.FEEDBACK]
    assert item.events.get(action=A.FEEDBACK).evidence.get().original_name == "现场.png"

    office_context = chromium.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    office_context.set_default_timeout(15_000)
    office_page = office_context.new_page()
    log_in(office_page, "duchashi")
    pages = [
        (office_page, f"/supervision/plans/{item.plan_id}/"),
        (office_page, f"/supervision/items/{item.pk}/"),
        (office_page, f"/supervision/items/{other.pk}/"),
        (office_page, f"/plans/tasks/{item.key_task_id}/"),
        (unit_page, f"/supervision/items/{item.pk}/"),
    ]
    problems = []
    try:
        for language in ("zh-hans", "en"):
            for ctx in (context, office_context):
                ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            for page, path in pages:
                response = page.goto(path)
                assert response.status == 200, path
                problems += check_phone_page(page, f"{language} {path}")
        office_page.goto(f"/supervision/items/{item.pk}/")
        thumbnail = office_page.locator(".evidence img")
        assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 1
        assert unit_page.goto(f"/supervision/items/{other.pk}/").status == 404
    finally:
        context.close()
        office_context.close()
    assert problems == []
