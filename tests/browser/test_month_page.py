"""The monthly page in a real browser: its columns at 1440 px, its scroll box on a phone, and the gap
to the expected progress as a reporter types (static/js/month-gap.js)."""

from decimal import Decimal

import pytest

from entry.roles import REPORTER
from targets.models import Target
from targets.tests.factories import make_plan, make_target, make_task, make_unit
from tests.tools import needs

from .conftest import browser_user, chromium_executable
from .test_journey import log_in

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
]


@pytest.fixture
def month_page(live_server):
    plan = make_plan(district="测试区", title="重点工作目标")
    task = make_task(plan, 1, title="优化营商环境")
    unit = make_unit("市场监管局")
    make_target(
        task,
        "1-01",
        name="新增市场主体,其中企业类市场主体占比不低于三成,个体工商户稳步增长",
        goal=Decimal("100"),
        unit_of_measure="户",
        units=[unit],
    )
    make_target(
        task,
        "1-02",
        name="事项网上可办率",
        kind=Target.Kind.LEVEL,
        goal=Decimal("95"),
        unit_of_measure="%",
        units=[unit],
    )
    make_target(task, "1-03", name="建成政务服务中心", kind=Target.Kind.MILESTONE, goal=None, units=[unit])
    reporter = browser_user("reporter", REPORTER)
    unit.members.add(reporter)
    return f"/admin/targets/figure/month/?unit={unit.pk}&month=2020-06"


def box_widths(page) -> dict:
    return page.evaluate(
        """() => {
          const box = document.querySelector('.month-entry .table-scroll');
          const last = document.querySelector('.month-entry th:last-child');
          const note = last.getBoundingClientRect();
          const boxRect = box.getBoundingClientRect();
          return {scroll: box.scrollWidth, client: box.clientWidth,
                  noteRight: Math.round(note.right), boxRight: Math.round(boxRect.right),
                  page: document.documentElement.scrollWidth, viewport: window.innerWidth,
                  box: box.getAttribute('aria-label'), last: last.innerText};
        }"""
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_columns_fit_at_1440_and_scroll_in_their_box_on_a_phone(
    new_context, live_server, month_page, screenshot_dir, language
):
    context = new_context()
    page = context.new_page()
    log_in(page, "reporter")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(month_page)
    page.screenshot(path=str(screenshot_dir / f"month-1440-{language}.png"), full_page=True)
    wide = box_widths(page)
    assert (
        wide["last"]
        .lower()
        .startswith("异常说明" if language == "zh-hans" else "explanation of unusual value")
    )
    # Every column, the anomaly note (异常说明) last, is inside the box: nothing to scroll.
    assert wide["scroll"] == wide["client"]
    assert wide["noteRight"] <= wide["boxRight"]
    assert wide["page"] == wide["viewport"]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(month_page)
    page.screenshot(path=str(screenshot_dir / f"month-390-{language}.png"), full_page=True)
    phone = box_widths(page)
    assert phone["box"] == ("按月填报" if language == "zh-hans" else "Monthly reporting")
    assert phone["scroll"] > phone["client"]
    assert phone["page"] == phone["viewport"] == 390


def test_gap_follows_the_typed_value(new_context, month_page):
    page = new_context().new_page()
    log_in(page, "reporter")
    page.goto(month_page)
    row = page.locator("#row-1-01")
    gap = row.locator("output.gap-value")
    assert gap.inner_text() == "—"
    # 181 of 365 days of 2020 have passed on 30 June: expected 49.59 户, 49.6 %.
    assert row.locator("td.expected-cell").inner_text().split() == ["49.59", "户", "49.6%"]
    value = row.locator("input[name$='-value']")
    value.press_sequentially("60")
    assert gap.inner_text() == "+10.4"
    value.fill("")
    value.press_sequentially("３０")  # full-width digits, as a Chinese input method types them
    assert gap.inner_text() == "-19.6"
    value.fill("abc")
    assert gap.inner_text() == "—"
    level = page.locator("#row-1-02")
    level.locator("input[name$='-value']").fill("95")
    assert level.locator("output.gap-value").inner_text() == "+50.4"
    assert page.locator("#row-1-03 output.gap-value").count() == 0
