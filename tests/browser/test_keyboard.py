"""Every main action works from the keyboard alone (issue 8, "accessible"), in a real browser.

Only the first page of each browser context is opened by address (the login page); from there
on, the test presses Tab, Shift+Tab, Enter, Space and the arrow keys and types into whatever has
the focus, the way a keyboard user works: no clicks, no filling of fields by selector.

- A viewer logs in, switches the language to English with the header's buttons and back,
  follows the links overview → key task → target, opens the chart's data table (图表数据) and
  moves the as-of date a month back.
- A reporter logs in, goes 数据填报 → 月度数据 → 按月填报, picks June in the unit and month
  picker and reloads with its 切换 button, enters June's value and a progress note and submits
  them for review; the figure is then in the database.
- Every element that takes the focus on the way must show it: its computed outline is not
  "none" (or it has a box-shadow), so a sighted keyboard user always sees where they are.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest

from targets.models import Figure
from tests.tools import needs

from .conftest import PASSWORD, chromium_executable
from .test_journey import journey_data as journey_data  # the fixture: plan, task, target, unit, users

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
]

# A short description of the focused element, whether it shows its focus, and whether the
# predicate under test holds for it (`PREDICATE` is replaced by the caller's JS function).
FOCUS_PROBE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  // Tab from the last field of a date or month input stops on the input's own calendar button,
  // inside the browser's closed shadow tree: the input is then the active element without
  // matching :focus, and the button's focus ring is drawn by the browser, out of CSS's reach.
  const pickerButton = el.matches("input[type=date], input[type=month]") && !el.matches(":focus");
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
  const id = el.id ? "#" + el.id : "";
  const name = el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "";
  if (el === document.body) {
    return {matches: Boolean((PREDICATE)(el)), description: "<body> (nothing focused)", isBody: true};
  }
  return {
    matches: Boolean((PREDICATE)(el)),
    description: `<${el.tagName.toLowerCase()}${id}${name}> ${JSON.stringify(text)}`
      + (pickerButton ? " (its calendar button)" : ""),
    isBody: false,
    visible: outline || shadow || pickerButton,
    style: `outline ${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow}`,
  };
}"""


class FocusLog:
    """Every element that had the focus during the test, and those that did not show it."""

    def __init__(self):
        self.invisible: list[str] = []
        self.seen = 0

    def record(self, page, probe: dict) -> None:
        if probe["isBody"]:
            return
        self.seen += 1
        if not probe["visible"]:
            self.invisible.append(f"{page.url}: {probe['description']} ({probe['style']})")


def probe(page, predicate_js: str = "el => false") -> dict:
    return page.evaluate(FOCUS_PROBE.replace("PREDICATE", predicate_js))


def tab_to(page, predicate_js: str, max_presses: int = 200, *, key: str = "Tab", log: FocusLog | None = None):
    """Press Tab (or `key`) until the JS predicate holds for document.activeElement.

    `predicate_js` is a JS function of the element, e.g. "el => el.id === 'id_username'". Fails
    after `max_presses` presses, naming the last elements that had the focus. Each focused element
    is checked for a visible focus indicator through `log`.
    """
    focused: list[str] = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        state = probe(page, predicate_js)
        if log is not None:
            log.record(page, state)
        focused.append(state["description"])
        if state["matches"]:
            return state
    last = "\n  ".join(focused[-15:])
    pytest.fail(
        f"{key} pressed {max_presses} times on {page.url} without reaching the element for which "
        f"{predicate_js} holds; the last focused elements were:\n  {last}"
    )


def press_and_follow(page, key: str) -> None:
    """Press `key` on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def keyboard_log_in(page, username: str, log: FocusLog) -> None:
    """The login page by keyboard: Tab to the user name, type; Tab to the password, type; Enter."""
    page.goto("/accounts/login/")
    tab_to(page, "el => el.id === 'id_username'", 20, log=log)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    state = probe(page, "el => el.id === 'id_password'")
    log.record(page, state)
    assert state["matches"], f"Tab after the user name went to {state['description']}"
    page.keyboard.type(PASSWORD)
    press_and_follow(page, "Enter")
    # A reporter, a reviewer or a leader lands on the to-do page; anyone else, with one plan, on its
    # overview. The tests go on from the list of plans.
    assert re.search(r"/(plans/\d+|todo)/$", page.url), page.url
    page.goto("/plans/")


def link_named(text: str) -> str:
    """A predicate: the focused element is a link whose text is exactly `text`."""
    return f"el => el.tagName === 'A' && el.textContent.trim() === {text!r}"


def open_chart_table(page, log: FocusLog) -> None:
    """Tab to the chart's 图表数据 summary, open it with Enter: its table is then shown."""
    details = page.locator("details.chart-data")
    table = details.locator("table.chart-table")
    assert not table.is_visible()
    tab_to(page, "el => el.tagName === 'SUMMARY' && el.parentElement.matches('details.chart-data')", log=log)
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "图表数据"
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") is True
    assert table.is_visible()
    assert table.locator("tbody tr").count() > 0


@pytest.mark.django_db(transaction=True)
def test_main_actions_work_from_the_keyboard(live_server, new_context, screenshot_dir, journey_data):
    data = journey_data
    base = live_server.url
    plan, task, target = data["plan"], data["task"], data["target"]
    log = FocusLog()

    # (1) The viewer logs in from the keyboard.
    viewer = new_context().new_page()
    keyboard_log_in(viewer, "viewer", log)
    assert html_lang(viewer) == "zh-hans"

    # (2) The header's language buttons: English with Enter, back to Chinese with Space.
    tab_to(viewer, "el => el.tagName === 'BUTTON' && el.value === 'en'", 30, log=log)
    press_and_follow(viewer, "Enter")
    assert html_lang(viewer) == "en"
    assert viewer.url == f"{base}/plans/"
    assert viewer.locator("h1").inner_text() == "Annual plan"
    tab_to(viewer, "el => el.tagName === 'BUTTON' && el.value === 'zh-hans'", 30, log=log)
    press_and_follow(viewer, "Space")
    assert html_lang(viewer) == "zh-hans"
    assert viewer.locator("h1").inner_text() == "年度计划"

    # (3) Plan → overview → key task → target, each link reached with Tab and followed with Enter.
    tab_to(viewer, link_named("测试区 2020年 · 重点工作目标"), 30, log=log)
    press_and_follow(viewer, "Enter")
    assert viewer.url == f"{base}/plans/{plan.pk}/"
    # The overview's chart table opens from the keyboard too.
    open_chart_table(viewer, log)
    viewer.screenshot(path=str(screenshot_dir / "keyboard-overview-table.png"), full_page=True)
    # The task link sits above the chart: back to it with Shift+Tab.
    tab_to(viewer, link_named("优化营商环境"), key="Shift+Tab", log=log)
    press_and_follow(viewer, "Enter")
    assert viewer.url == f"{base}/plans/tasks/{task.pk}/?as_of=2020-12-31"
    assert viewer.locator("h1").inner_text() == "重点工作 1 · 优化营商环境"
    tab_to(viewer, link_named("新增市场主体"), log=log)
    press_and_follow(viewer, "Enter")
    assert viewer.url == f"{base}/plans/targets/{target.pk}/?as_of=2020-12-31"
    assert viewer.locator("h1").inner_text() == "T1 新增市场主体"
    open_chart_table(viewer, log)
    viewer.screenshot(path=str(screenshot_dir / "keyboard-target-table.png"), full_page=True)
    # The as-of date: arrow keys move through the months without reloading; 查看 shows the choice.
    tab_to(viewer, "el => el.id === 'as-of'", key="Shift+Tab", log=log)
    viewer.keyboard.press("ArrowUp")
    viewer.keyboard.press("ArrowUp")
    viewer.keyboard.press("ArrowDown")
    assert viewer.url == f"{base}/plans/targets/{target.pk}/?as_of=2020-12-31"
    tab_to(viewer, "el => el.closest('.as-of-form') && el.tagName === 'BUTTON'", log=log)
    press_and_follow(viewer, "Enter")
    assert viewer.url == f"{base}/plans/targets/{target.pk}/?as_of=2020-11-30"
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年11月30日"

    # (4) The reporter reaches the monthly page through the admin's links and submits June.
    reporter = new_context().new_page()
    keyboard_log_in(reporter, "reporter", log)
    tab_to(reporter, link_named("数据填报"), 30, log=log)
    press_and_follow(reporter, "Enter")
    assert reporter.url == f"{base}/admin/"
    tab_to(reporter, link_named("月度数据"), log=log)
    press_and_follow(reporter, "Enter")
    assert reporter.url == f"{base}/admin/targets/figure/"
    tab_to(reporter, link_named("按月填报"), log=log)
    press_and_follow(reporter, "Enter")
    assert reporter.url == f"{base}/admin/targets/figure/month/"
    # The picker: arrow keys on the unit list (they must not reload the page), June set in the
    # month field, the page reloaded with the 切换 button.
    tab_to(reporter, "el => el.id === 'id_pick_unit'", log=log)
    reporter.keyboard.press("ArrowDown")  # the reporter's only unit stays selected
    assert reporter.url == f"{base}/admin/targets/figure/month/"
    assert reporter.locator("#id_pick_unit option:checked").inner_text() == "市场监管局"
    tab_to(reporter, "el => el.id === 'id_pick_month'", 5, log=log)
    set_month(reporter, "2020-06")
    tab_to(reporter, "el => el.type === 'submit' && el.value === '切换'", 5, log=log)
    press_and_follow(reporter, "Enter")
    month_url = f"{base}/admin/targets/figure/month/?unit={data['unit'].pk}&month=2020-06"
    assert reporter.url == month_url
    assert reporter.locator("#content h1").inner_text() == "按月填报:市场监管局 · 2020年6月"

    tab_to(reporter, "el => el.name && el.name.endsWith('-value') && el.closest('#row-T1')", log=log)
    reporter.keyboard.type("60")
    tab_to(reporter, "el => el.name && el.name.endsWith('-progress_note')", 3, log=log)
    reporter.keyboard.type("上半年新增市场主体60户")
    tab_to(reporter, "el => el.name === '_submit'", 20, log=log)
    reporter.screenshot(path=str(screenshot_dir / "keyboard-month-filled.png"), full_page=True)
    press_and_follow(reporter, "Enter")
    assert reporter.url == month_url
    messages = [text.strip() for text in reporter.locator("ul.messagelist li").all_inner_texts()]
    assert messages == ["已保存并报送审核 1 条数据。"]
    figure = Figure.objects.get(target=target, month=dt.date(2020, 6, 1))
    assert (figure.value, figure.status, figure.progress_note) == (
        Decimal("60"),
        Figure.Status.SUBMITTED,
        "上半年新增市场主体60户",
    )
    assert figure.entered_by == data["reporter"]

    # (5) Every element that had the focus showed it.
    assert log.seen > 20
    assert log.invisible == [], "focus not visible on:\n" + "\n".join(log.invisible)


def set_month(page, value: str) -> None:
    """Type a month into the focused <input type=month>, whatever order its fields are shown in.

    Chromium shows the month and the year as two fields in the order of the browser's language
    (“2020年06月” or “June 2020”); Left/Right move between them, Up/Down change the one in focus.
    The month field is found by pressing Up in each and seeing which part of the value changes.
    """
    year, month = (int(part) for part in value.split("-"))
    for _ in range(2):
        before = page.evaluate("() => document.activeElement.value")
        page.keyboard.press("ArrowUp")
        after = page.evaluate("() => document.activeElement.value")
        if before[:4] != after[:4]:  # the year field has the focus
            page.keyboard.type(str(year))
        else:
            page.keyboard.type(f"{month:02d}")
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.value") == value
