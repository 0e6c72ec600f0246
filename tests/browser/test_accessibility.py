"""Every page, in both languages, checked by axe-core and at phone width (390 × 844).

The seed plan (中原区 2020) is loaded as `make run` loads it, plus what the seed lacks for a full
page: a unit with a reporter and targets, a submitted figure, a project with investment figures
and an open problem. Each role logs in once through the login page; the language is switched
with Django's language cookie.

For each page, in each language, at phone width: axe-core (pinned in package-lock.json, injected
from node_modules, never from a CDN) must report no violation of impact "serious" or "critical";
the page itself must not scroll sideways (wide tables scroll inside their own box); and a
full-page screenshot is saved to the screenshot directory. All findings are collected and
reported together. (Colours and markup are the same at desktop width, where the layout only has
more room; axe at both widths doubled the run time and found nothing more.)
"""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER
from entry.tests.test_xlsx import fill, to_bytes
from entry.xlsx import sheetcells, writer
from projects.models import Project
from projects.tests.factories import make_investment, make_problem
from targets.models import Figure, Plan, Target, Unit
from targets.tests.factories import make_figure, make_plan, make_target, make_task
from tests.tools import needs

from .conftest import PASSWORD, browser_user, chromium_executable

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
    needs(AXE.is_file(), "axe-core (npm ci)"),
]

PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")
IMPORT_PATH = "/admin/targets/figure/xlsx/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JULY = dt.date(2020, 7, 1)
LANGUAGES = ["zh-hans", "en"]

# Runs axe on the whole document and keeps what the test asserts on, in a form easy to read.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


@pytest.fixture
def site_data():
    """The seed plan with one unit, its reporter, figures in every state, and a project's investment."""
    call_command("load_seed", stdout=io.StringIO())
    plan = Plan.objects.get(district="中原区", year=2020)
    measured = list(
        Target.objects.filter(key_task__plan=plan, goal__isnull=False, figures__status=Figure.Status.APPROVED)
        .order_by("key_task__number", "code")
        .distinct()
    )
    target = measured[0]
    indicator = (
        Target.objects.filter(key_task__plan=plan, goal__isnull=True, figures__isnull=False)
        .order_by("code")
        .first()
    )
    unit = Unit.objects.order_by("pk").first()
    for assigned in measured[:4]:
        assigned.responsible_units.add(unit)
    reporter = browser_user("reporter", REPORTER)
    unit.members.add(reporter)
    submitted = make_figure(
        measured[1], JULY, Decimal("1"), status=Figure.Status.SUBMITTED, entered_by=reporter
    )
    project = Project.objects.filter(plan=plan).order_by("pk").first()
    project.annual_planned_investment = Decimal("12.5")
    project.save()
    make_investment(
        project,
        project.key_task,
        {dt.date(2020, 3, 1): "2.1", dt.date(2020, 6, 1): "5.8"},
        code="P-1",
    )
    make_problem(project, "征地拆迁未完成", due_by=dt.date(2020, 5, 31))
    # The unit's July workbook with one value filled in, for the import preview page.
    workbook = load_workbook(io.BytesIO(writer.build_template(unit, JULY, user=reporter)[0]))
    fill(workbook[sheetcells.SHEET_TITLE], measured[0].code, 本月数值=measured[0].goal)
    group = project.groups.first() or plan.project_groups.order_by("pk").first()
    if group is not None:
        project.groups.add(group)
    # 政务公开: the plan's targets and one supervised item published as of June.
    from public.models import Publication
    from supervision.models import State, SupervisedItem

    item = SupervisedItem.objects.filter(plan=plan).order_by("pk").first()
    item.state, item.lead_unit = State.IN_PROGRESS, unit
    item.save()
    publication = Publication.objects.create(plan=plan, as_of_month=dt.date(2020, 6, 1))
    publication.targets.set(Target.objects.for_plan(plan))
    publication.items.set([item])
    return {
        "item": item,
        "publication": publication,
        "plan": plan,
        "task": target.key_task,
        "target": target,
        "indicator": indicator,
        "unit": unit,
        "submitted": submitted,
        "project": project,
        "group": group,
        "workbook": to_bytes(workbook),
        "users": {
            VIEWER: browser_user("viewer", VIEWER),
            REPORTER: reporter,
            REVIEWER: browser_user("reviewer", REVIEWER),
            ADMIN: browser_user("admin", ADMIN),
        },
    }


def pages_of(data) -> list[tuple[str | None, str, int]]:
    """(role that opens it, path, expected status) for every page of the app."""
    plan, project = data["plan"], data["project"]
    document = plan.source_documents.order_by("pk")[0]
    return [
        (None, "/accounts/login/", 200),
        (VIEWER, "/plans/", 200),
        (VIEWER, f"/plans/{plan.pk}/", 200),
        (VIEWER, f"/plans/{plan.pk}/?as_of=2020-06", 200),
        (VIEWER, f"/plans/{plan.pk}/?as_of=not-a-date", 400),
        (VIEWER, f"/plans/tasks/{data['task'].pk}/", 200),
        (VIEWER, f"/plans/targets/{data['target'].pk}/", 200),
        (VIEWER, f"/plans/targets/{data['indicator'].pk}/", 200),
        (VIEWER, f"/plans/{plan.pk}/targets/", 200),
        (VIEWER, f"/plans/{plan.pk}/indicators/", 200),
        (VIEWER, f"/projects/plan/{plan.pk}/", 200),
        (VIEWER, f"/projects/{project.pk}/", 200),
        (VIEWER, f"/projects/plan/{plan.pk}/groups/", 200),
        (VIEWER, f"/projects/groups/{data['group'].pk}/", 200),
        (VIEWER, f"/reports/plan/{plan.pk}/bulletin/", 200),
        (REPORTER, "/todo/", 200),
        (REPORTER, "/notices/", 200),
        (REVIEWER, "/todo/", 200),
        (REPORTER, "/admin/", 200),
        (REPORTER, f"/admin/targets/figure/month/?unit={data['unit'].pk}&month=2020-06", 200),
        (REPORTER, "/admin/targets/figure/xlsx/template/", 200),
        (REPORTER, IMPORT_PATH, 200),
        (REVIEWER, "/admin/targets/figure/?status__exact=submitted", 200),
        (REVIEWER, f"/admin/targets/figure/{data['submitted'].pk}/change/", 200),
        (REVIEWER, f"/admin/targets/figure/compliance/?plan={plan.pk}&month=2020-06", 200),
        (REVIEWER, f"/supervision/plans/{plan.pk}/assign/", 200),
        (VIEWER, f"/supervision/units/{data['unit'].pk}/", 200),
        (REVIEWER, "/admin/supervision/superviseditem/", 200),
        (REVIEWER, "/admin/projects/stagechange/", 200),
        (ADMIN, "/admin/targets/target/", 200),
        (ADMIN, f"/admin/targets/target/{data['target'].pk}/change/", 200),
        (VIEWER, f"/planning/documents/{document.pk}/?highlight={data['target'].pk}", 200),
        (ADMIN, "/planning/draft/", 200),
        (ADMIN, f"/planning/plans/{plan.pk}/", 200),
        (ADMIN, "/planning/table/", 200),
        (ADMIN, f"/admin/public/publication/{data['publication'].pk}/change/", 200),
        (None, "/public/", 200),
        (None, f"/public/{plan.pk}/", 200),
        (None, f"/public/{plan.pk}/targets/{data['target'].pk}/", 200),
        (None, f"/public/{plan.pk}/targets/{data['indicator'].pk}/", 200),
        (None, f"/public/{plan.pk}/items/{data['item'].pk}/", 200),
        (None, f"/public/{plan.pk}/items/999999/", 404),
    ]


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_password) [type=submit]").click()
    # A reporter, a reviewer or a leader lands on the to-do page; anyone else, with one plan, on its
    # overview. The tests go on from the list of plans.
    assert re.search(r"/(plans/\d+|todo)/$", page.url), page.url
    page.goto("/plans/")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def check_phone_page(page, where: str) -> list[str]:
    """axe-core's serious and critical findings, and whether the page scrolls sideways."""
    problems = report(axe_violations(page), where)
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"{where}: page {scroll_width}px wide, window {inner_width}px")
    return problems


def report(violations: list[dict], where: str) -> list[str]:
    """One line per serious or critical violation: where, rule, impact, the first nodes."""
    return [
        f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['nodes'][:4])}"
        + (f" and {len(v['nodes']) - 4} more" if len(v["nodes"]) > 4 else "")
        for v in violations
        if v["impact"] in SERIOUS
    ]


@pytest.mark.django_db(transaction=True)
def test_every_page_is_accessible_and_fits_a_phone(chromium, live_server, screenshot_dir, site_data):
    assert AXE.is_file(), "axe-core missing: run `npm ci` (make test does)"
    pages = pages_of(site_data)
    problems: list[str] = []
    statuses: list[tuple[str, str, int]] = []
    contexts = {}  # role → (context, phone page); one login per role for both languages
    try:
        for language in LANGUAGES:
            for context, _phone in contexts.values():
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            for role, path, _status in pages:
                if role not in contexts:
                    # axe-core is injected as an inline script, which the site's Content-Security-Policy
                    # forbids: these contexts bypass it (test_csp.py checks the policy itself).
                    context = chromium.new_context(
                        base_url=live_server.url, locale="zh-CN", viewport=PHONE, bypass_csp=True
                    )
                    context.set_default_timeout(15_000)
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": live_server.url}]
                    )
                    phone = context.new_page()
                    if role is not None:
                        log_in(phone, role)
                    contexts[role] = (context, phone)
                _context, phone = contexts[role]

                response = phone.goto(path)
                statuses.append((language, path, response.status))
                assert phone.locator("html").get_attribute("lang") == language
                problems += check_phone_page(phone, f"{language} {path}")
                name = re.sub(r"[^0-9A-Za-z]+", "-", path).strip("-")
                phone.screenshot(path=str(screenshot_dir / f"{language}-{name}.png"), full_page=True)

                if path == IMPORT_PATH:
                    # The import preview is the answer to an upload: upload the unit's workbook.
                    phone.set_input_files(
                        "#id_file",
                        files=[{"name": "fill.xlsx", "mimeType": XLSX, "buffer": site_data["workbook"]}],
                    )
                    with phone.expect_navigation():
                        phone.locator("form:has(#id_file) [type=submit]").click()
                    assert phone.locator("table.xlsx-preview tbody tr").count() == 1
                    problems += check_phone_page(phone, f"{language} {path} preview")
                    phone.screenshot(
                        path=str(screenshot_dir / f"{language}-{name}-preview.png"), full_page=True
                    )

    finally:
        for context, _phone in contexts.values():
            context.close()

    assert statuses == [(language, path, status) for language in LANGUAGES for _role, path, status in pages]
    assert problems == [], "axe-core or the phone-width check found:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_scroll_boxes_are_tab_stops_only_while_they_overflow(new_context, live_server):
    """static/js/scroll-boxes.js: a table box is reached with Tab only when there is something to scroll."""
    plan = make_plan()
    make_target(make_task(plan, 1, title="优化营商环境"), "1-01")
    browser_user("viewer", VIEWER)
    page = new_context().new_page()
    log_in(page, "viewer")
    page.goto(f"/plans/{plan.pk}/")
    box = page.locator(".table-scroll", has=page.locator("table.tasks-table"))

    # 1280 px: the table fits, so the box is no tab stop.
    page.wait_for_function("box => !box.hasAttribute('tabindex')", arg=box.element_handle())
    assert box.evaluate("box => [box.scrollWidth > box.clientWidth, box.getAttribute('tabindex')]") == [
        False,
        None,
    ]

    # Turned into a phone: the table overflows, and Tab reaches the box to scroll it.
    page.set_viewport_size(PHONE)
    page.wait_for_function("box => box.getAttribute('tabindex') === '0'", arg=box.element_handle())
    assert box.evaluate("box => box.scrollWidth > box.clientWidth") is True
    page.locator("#as-of").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if box.evaluate("box => document.activeElement === box"):
            break
    assert box.evaluate("box => document.activeElement === box") is True
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())
