"""A leader's ten seconds: the overview at 1440 × 900 answers five questions in its first screen.

How many targets are behind, which three need attention first, what falls due soon, which unit
is furthest behind, and whether things improved since last month — each found by its element,
and each element wholly inside the first 900 pixels.

As of 2020-07-31 (212 of 365 days: 58.1%; at 6-30, 49.6%), goal 100 from 0 by year end unless said:
  A1 (甲局)  June 10, July 12: −46.1 → 严重滞后 (and at 6-30 −39.6, 严重滞后)
  B1 (乙局)  June 50, July 42: −16.1 → 滞后 (at 6-30 +0.4, on track, trend 100.8: fine)
  C1 (none)  June 60, July 70: on track
  D1 (甲局)  due 2020-08-20; June 80, July 90: 90 − 91.4 = −1.4, on track, but the trend reaches
             96.5 by 8-20 → 预计难以完成 (at 6-30: on track, trend 102.5)
  E1 (乙局)  no figure → 暂无数据
Tiles: 达成或正常推进 1 (▼2), 预警 2 (▲2), 落后或逾期 1 (=), 暂无数据 1 (=).
"""

import datetime as dt

import pytest

from entry.roles import VIEWER
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable

pytestmark = [pytest.mark.browser, needs(chromium_executable() is not None, "Chromium")]

JUNE, JULY = dt.date(2020, 6, 1), dt.date(2020, 7, 1)


@pytest.fixture
def plan():
    plan = make_plan(district="测试区", title="重点工作目标")
    first, second = make_task(plan, 1, title="稳增长"), make_task(plan, 2, title="惠民生")
    unit_a, unit_b = make_unit("甲局"), make_unit("乙局")
    rows = [
        (first, "A1", [unit_a], {}, 10, 12),
        (first, "B1", [unit_b], {}, 50, 42),
        (second, "C1", [], {}, 60, 70),
        (second, "D1", [unit_a], {"deadline": dt.date(2020, 8, 20)}, 80, 90),
        (second, "E1", [unit_b], {}, None, None),
    ]
    for task, code, units, extra, june, july in rows:
        target = make_target(task, code, name=f"目标{code}", units=units, **extra)
        if june is not None:
            make_figure(target, JUNE, june)
            make_figure(target, JULY, july)
    browser_user("leader", VIEWER)
    return plan


def in_first_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= 900, (selector, box)


def test_the_overview_answers_five_questions_in_the_first_screen(new_context, plan, screenshot_dir):
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.goto(f"/plans/{plan.pk}/?as_of=2020-07-31")
    page.screenshot(path=str(screenshot_dir / "overview-1440.png"))

    # (1) How many are behind: the 落后或逾期 and 预警 tiles.
    assert page.locator("#tile-failing .tile-n").inner_text() == "1"
    assert page.locator("#tile-warning .tile-n").inner_text() == "2"
    in_first_screen(page, "#tile-failing")
    # (2) Which three first: worst verdict first, then the warning of the trend.
    first = page.locator("#attention-first li")
    assert first.count() == 3
    texts = first.all_inner_texts()
    assert [t.split()[0] for t in texts] == ["A1", "B1", "D1"]
    assert "严重滞后" in texts[0] and "预计难以完成" in texts[2]
    in_first_screen(page, "#attention-first li:nth-child(3)")
    # (3) What is due soon: D1 in 20 days.
    due = page.locator("#due-soon li")
    assert due.count() == 1
    assert "D1" in due.inner_text() and "还有 20 天" in due.inner_text()
    in_first_screen(page, "#due-soon li")
    # (4) Which unit is furthest behind: 甲局 (A1 seriously behind, D1 at risk), in red.
    leading = page.locator("#unit-board li").first
    assert "甲局" in leading.inner_text() and "A1" in leading.inner_text()
    assert "unit-red" in leading.get_attribute("class")
    in_first_screen(page, "#unit-board li")
    # (5) Better or worse than last month: each tile's change against 6-30.
    changes = {
        key: page.locator(f"#tile-{key} .tile-change").get_attribute("data-change")
        for key in ("good", "warning", "failing", "no_data")
    }
    assert changes == {"good": "-2", "warning": "2", "failing": "0", "no_data": "0"}
    in_first_screen(page, "#tile-good .tile-change")
    # The headline says what the verdicts rest on.
    assert "数据覆盖4/5" in page.locator("#headline").inner_text()
