"""Setting up a new district's plan in a real browser, from its text to a reporter's first figure.

As the admin role: draft 新区's 2020 plan from a short text at /planning/draft/ (every proposal
accepted), import a small 任务分解表 (.xlsx) for it whose 牵头单位 column names the unit that answers
for a new target, make the reporter a member of the district and of that unit in the admin forms,
and move the plan to 执行中. Then the reporter logs in, lands on the new plan (the only one of its
district), enters June's figure for the target on the monthly page and submits it; the database
holds it. The seed-like plan of another district (测试区) stays out of the reporter's sight.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook

from entry.roles import ADMIN, REPORTER, assign_role
from targets.models import DistrictMembership, Figure, Plan, Target, Unit
from targets.tests.factories import make_plan, make_user
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable
from .test_journey import follow, messages

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
]

PLAN_TEXT = "新区2020年重点工作\n\n重点工作 1\n\n稳增长\n\n新建公厕20座。\n"


def _table() -> bytes:
    """The 任务分解表: the drafted target again, and a new one led by 新区住建局."""
    wb = Workbook()
    sheet = wb.active
    sheet.append(["序号", "重点工作", "具体任务", "目标值", "计量单位", "完成时限", "牵头单位"])
    sheet.append(["1-02", "1 稳增长", "改造老旧小区", 12, "个", "2020-12-31", "新区住建局"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_admin_sets_up_a_district_plan_and_its_reporter_enters_a_figure(
    live_server, new_context, screenshot_dir, tmp_path
):
    base = live_server.url
    make_plan(district="测试区", title="别区的计划")  # another district's plan, already there
    browser_user("chief", ADMIN)
    reporter = make_user("xin_reporter", districts=[])
    reporter.set_password(PASSWORD)
    reporter.save()
    assign_role(reporter, REPORTER)
    shots = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"setup-{next(shots):02d}-{name}.png"), full_page=True)

    # (1) The admin drafts the plan from its text and accepts every proposal.
    admin = new_context().new_page()
    admin.goto("/accounts/login/")
    admin.fill("#id_username", "chief")
    admin.fill("#id_password", PASSWORD)
    follow(admin, admin.get_by_role("button", name="登录"))
    admin.goto("/plans/")
    follow(admin, admin.get_by_role("link", name="由原文起草计划"))
    assert admin.url == f"{base}/planning/draft/"
    admin.fill("#id_district", "新区")
    admin.fill("#id_year", "2020")
    admin.fill("#id_text", PLAN_TEXT)
    shot(admin, "draft-text")
    follow(admin, admin.get_by_role("button", name="拆分并提出目标"))
    assert re.search(r"/planning/draft/[^/]+/$", admin.url), admin.url
    assert admin.locator("legend").all_inner_texts() == ["1-01"]
    admin.locator("input[name$='-decision'][value='accept']").check()
    shot(admin, "draft-review")
    follow(admin, admin.get_by_role("button", name="确认创建"))
    plan = Plan.objects.get(district="新区", year=2020)
    assert admin.url == f"{base}/planning/plans/{plan.pk}/"
    assert plan.status == Plan.Status.DRAFT
    assert list(Target.objects.filter(key_task__plan=plan).values_list("code", "goal")) == [
        ("1-01", Decimal("20.00"))
    ]
    shot(admin, "plan-setup-draft")

    # (2) The admin imports the 任务分解表: one new target, led by a new unit.
    admin.goto("/planning/table/")
    admin.select_option("#id_plan", value=str(plan.pk))
    path = tmp_path / "新区任务分解表.xlsx"
    path.write_bytes(_table())
    admin.set_input_files("#id_file", str(path))
    follow(admin, admin.get_by_role("button", name="上传并检查"))
    assert admin.locator("table.plan-preview tbody tr").count() == 1
    shot(admin, "table-preview")
    follow(admin, admin.get_by_role("button", name="确认导入"))
    shot(admin, "table-done")
    target = Target.objects.get(key_task__plan=plan, code="1-02")
    unit = Unit.objects.get(name="新区住建局")
    assert (target.name, target.goal, target.unit_of_measure) == ("改造老旧小区", Decimal("12.00"), "个")
    assert list(target.responsible_units.all()) == [unit]

    # (3) In the admin: the reporter joins the district, then the unit (a unit's reporters are
    # chosen among its district's reporters).
    admin.goto(f"/admin/auth/user/{reporter.pk}/change/")
    admin.fill("#id_district_memberships-0-district", "新区")
    shot(admin, "user-district")
    follow(admin, admin.locator("input[name=_save]"))
    assert list(DistrictMembership.objects.filter(user=reporter).values_list("district", flat=True)) == [
        "新区"
    ]
    admin.goto(f"/admin/targets/unit/{unit.pk}/change/")
    members = admin.locator("#id_members")
    if members.is_visible():
        members.select_option(value=str(reporter.pk))
    else:  # a filter_horizontal widget: pick from the left box and move it across
        admin.select_option("#id_members_from", value=str(reporter.pk))
        admin.locator("#id_members_add").click()
    shot(admin, "unit-members")
    follow(admin, admin.locator("input[name=_save]"))
    assert list(unit.members.all()) == [reporter]

    # (4) The plan goes to 执行中.
    admin.goto(f"/planning/plans/{plan.pk}/")
    follow(admin, admin.get_by_role("button", name="改为“执行中”"))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    shot(admin, "plan-active")

    # (5) The reporter logs in and lands on its to-do page: the new plan's figures due are there.
    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "xin_reporter")
    page.fill("#id_password", PASSWORD)
    follow(page, page.get_by_role("button", name="登录"))
    assert page.url == f"{base}/todo/"
    assert "1-02" in page.locator("#todo-figures_due").inner_text()
    shot(page, "reporter-todo")
    page.goto("/plans/")
    assert page.locator(".plan-list li").all_inner_texts() == ["新区 2020年 · 新区2020年重点工作"]
    shot(page, "reporter-plans")

    # (6) Admin → 月度数据 → 按月填报: June's figure for the imported target, submitted.
    follow(page, page.get_by_role("link", name="数据填报"))
    follow(page, page.get_by_role("link", name="月度数据").first)
    follow(page, page.get_by_role("link", name="按月填报"))
    page.select_option("#id_pick_unit", label="新区住建局")
    page.fill("#id_pick_month", "2020-06")
    follow(page, page.get_by_role("button", name="切换", exact=True))
    month_url = f"{base}/admin/targets/figure/month/?unit={unit.pk}&month=2020-06"
    assert page.url == month_url
    row = page.locator("#row-1-02")
    row.locator("input[name$='-value']").fill("5")
    row.locator("textarea[name$='-progress_note']").fill("已完成5个小区改造")
    shot(page, "reporter-filled")
    follow(page, page.get_by_role("button", name="保存并报送审核"))
    assert messages(page) == ["已保存并报送审核 1 条数据。"]
    shot(page, "reporter-submitted")

    figure = Figure.objects.get(target=target)
    assert (figure.month, figure.value, figure.status, figure.entered_by) == (
        dt.date(2020, 6, 1),
        Decimal("5"),
        Figure.Status.SUBMITTED,
        reporter,
    )
    assert figure.progress_note == "已完成5个小区改造"
    assert Figure.objects.count() == 1
