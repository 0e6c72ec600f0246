"""The whole journey of a month's figure, in a real browser (Playwright driving Debian's Chromium).

A viewer finds a target through the progress pages; its unit's reporter enters June's value on
the monthly page and submits it; a reviewer approves it in the admin figure list; the viewer sees
the target's light move from 暂无数据 to 正常推进; the bulletin opens and its PDF downloads.

The numbers are chosen so the light change is exact: cumulative goal 100 from baseline 0 over
2020-01-01 … 2020-12-31, June value 60. At 2020-06-30 about half the year has passed (expected
≈ 49.6%), completion is 60%, the gap is positive: 正常推进.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest

from entry.roles import REPORTER, REVIEWER, VIEWER
from targets.models import Figure, Target
from targets.tests.factories import make_plan, make_target, make_task, make_unit
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
]


@pytest.fixture
def journey_data():
    plan = make_plan(district="测试区", title="重点工作目标")
    task = make_task(plan, 1, title="优化营商环境", headline="新增市场主体")
    unit = make_unit("市场监管局")
    target = make_target(
        task,
        "T1",
        name="新增市场主体",
        kind=Target.Kind.CUMULATIVE,
        goal=Decimal("100"),
        baseline=Decimal("0"),
        unit_of_measure="户",
        start=dt.date(2020, 1, 1),
        deadline=dt.date(2020, 12, 31),
        units=[unit],
    )
    reporter = browser_user("reporter", REPORTER)
    unit.members.add(reporter)
    return {
        "plan": plan,
        "task": task,
        "unit": unit,
        "target": target,
        "viewer": browser_user("viewer", VIEWER),
        "reporter": reporter,
        "reviewer": browser_user("reviewer", REVIEWER),
    }


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    follow(page, page.get_by_role("button", name="登录"))
    # A reporter, a reviewer or a leader lands on the to-do page; anyone else, with one plan, on its
    # overview. The tests go on from the list of plans.
    assert re.search(r"/(plans/\d+|todo)/$", page.url), page.url
    page.goto("/plans/")


def follow(page, locator) -> None:
    """Click a link or submit button and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        locator.click()


def light_of(page) -> str:
    return page.locator(".page-head .sub .light").inner_text().strip()


def messages(page) -> list[str]:
    return [text.strip() for text in page.locator("ul.messagelist li").all_inner_texts()]


@pytest.mark.django_db(transaction=True)
def test_figure_journey_from_entry_to_bulletin(live_server, new_context, screenshot_dir, journey_data):
    data = journey_data
    base = live_server.url
    plan, target = data["plan"], data["target"]
    shots = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"{next(shots):02d}-{name}.png"), full_page=True)

    # (1) The viewer logs in and goes plan → key task → target by clicking, at 2020-06-30.
    viewer = new_context().new_page()
    log_in(viewer, "viewer")
    assert viewer.locator("h1").inner_text() == "年度计划"
    follow(viewer, viewer.get_by_role("link", name="测试区 2020年 · 重点工作目标"))
    assert viewer.url == f"{base}/plans/{plan.pk}/"
    # Nothing is approved yet, so the page shows the year's end; pick June's end instead.
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年12月31日"
    viewer.select_option("#as-of", "2020-06-30")
    follow(viewer, viewer.locator(".as-of-form button"))
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年6月30日"
    assert viewer.locator("h1").inner_text() == "测试区 · 重点工作目标"
    shot(viewer, "viewer-plan")
    follow(viewer, viewer.get_by_role("link", name="优化营商环境"))
    assert viewer.url == f"{base}/plans/tasks/{data['task'].pk}/?as_of=2020-06-30"
    assert viewer.locator("h1").inner_text() == "重点工作 1 · 优化营商环境"
    shot(viewer, "viewer-task")
    follow(viewer, viewer.get_by_role("link", name="新增市场主体", exact=True))
    # The task table's link keeps the chosen date.
    assert viewer.url == f"{base}/plans/targets/{target.pk}/?as_of=2020-06-30"
    assert viewer.locator("h1").inner_text() == "T1 新增市场主体"
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年6月30日"
    assert light_of(viewer) == "? 暂无数据"
    shot(viewer, "viewer-target-before")

    # (2) The reporter opens the unit's June page, enters 60 and submits it for review.
    reporter = new_context().new_page()
    log_in(reporter, "reporter")
    follow(reporter, reporter.get_by_role("link", name="数据填报"))
    follow(reporter, reporter.get_by_role("link", name="月度数据").first)
    follow(reporter, reporter.get_by_role("link", name="按月填报"))
    assert reporter.url == f"{base}/admin/targets/figure/month/"
    reporter.select_option("#id_pick_unit", label="市场监管局")
    reporter.fill("#id_pick_month", "2020-06")
    follow(reporter, reporter.get_by_role("button", name="切换", exact=True))
    month_url = f"{base}/admin/targets/figure/month/?unit={data['unit'].pk}&month=2020-06"
    assert reporter.url == month_url
    assert reporter.locator("#content h1").inner_text() == "按月填报:市场监管局 · 2020年6月"
    row = reporter.locator("#row-T1")
    assert row.locator("td.stored-cell").nth(1).inner_text().strip() == "未填报"
    row.locator("input[name$='-value']").fill("60")
    row.locator("textarea[name$='-progress_note']").fill("上半年新增市场主体60户")
    shot(reporter, "reporter-filled")
    follow(reporter, reporter.get_by_role("button", name="保存并报送审核"))
    assert reporter.url == month_url
    assert messages(reporter) == ["已保存并报送审核 1 条数据。"]
    assert row.locator("td.stored-cell").nth(1).locator(".status").inner_text() == "已报送"
    shot(reporter, "reporter-submitted")
    figure = Figure.objects.get(target=target, month=dt.date(2020, 6, 1))
    assert (figure.value, figure.status) == (Decimal("60"), Figure.Status.SUBMITTED)

    # (3) The reviewer selects the figure in the admin list and approves it.
    reviewer = new_context().new_page()
    log_in(reviewer, "reviewer")
    follow(reviewer, reviewer.get_by_role("link", name="数据填报"))
    follow(reviewer, reviewer.get_by_role("link", name="月度数据").first)
    assert reviewer.url == f"{base}/admin/targets/figure/"
    figure_row = reviewer.locator("#result_list tbody tr", has_text="T1")
    assert figure_row.count() == 1
    figure_row.locator("input.action-select").check()
    reviewer.select_option("select[name=action]", label="审核通过所选数据")
    shot(reviewer, "reviewer-selected")
    follow(reviewer, reviewer.locator("button[name=index]"))
    assert messages(reviewer) == ["已审核通过 1 条"]
    assert figure_row.locator("td.field-status_display").inner_text() == "已审核"
    shot(reviewer, "reviewer-approved")
    figure.refresh_from_db()
    assert (figure.status, figure.reviewed_by) == (Figure.Status.APPROVED, data["reviewer"])

    # (4) The viewer goes the same way again: June is now the latest month, and the light changed.
    follow(viewer, viewer.get_by_role("link", name="重点工作目标跟踪"))
    follow(viewer, viewer.get_by_role("link", name="测试区 2020年 · 重点工作目标"))
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年6月30日"
    follow(viewer, viewer.get_by_role("link", name="优化营商环境"))
    follow(viewer, viewer.get_by_role("link", name="新增市场主体", exact=True))
    assert viewer.url == f"{base}/plans/targets/{target.pk}/?as_of=2020-06-30"
    assert viewer.locator("#as-of option:checked").inner_text() == "2020年6月30日"
    assert light_of(viewer) == "● 正常推进"
    numbers = dict(
        zip(
            viewer.locator("dl.numbers dt").all_inner_texts(),
            [text.strip() for text in viewer.locator("dl.numbers dd").all_inner_texts()],
            strict=True,
        )
    )
    assert numbers["最新值"] == "60 户(2020-06)"
    assert numbers["完成率"] == "60.0%"
    assert numbers["差距"] == "+10.4 个百分点"
    shot(viewer, "viewer-target-after")

    # (5) The bulletin for June, and its PDF fetched with the viewer's session.
    follow(viewer, viewer.get_by_role("link", name="月度通报"))
    assert viewer.url == f"{base}/reports/plan/{plan.pk}/bulletin/"
    assert viewer.locator("#month option:checked").inner_text() == "2020年6月"
    shot(viewer, "viewer-bulletin")
    pdf_href = viewer.get_by_role("link", name="下载 PDF").get_attribute("href")
    assert pdf_href == f"/reports/plan/{plan.pk}/bulletin.pdf?month=2020-06"
    response = viewer.request.get(pdf_href, timeout=60_000)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
