"""Every page works under the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY).

The policy forbids inline script, inline event handlers and eval. Chromium reports each thing it
blocks as a `securitypolicyviolation` event (its "Refused to …" messages are browser log entries,
which Playwright's console event does not see); the events are collected from the first moment
of every page (an init script) and must stay empty. Removing the policy's 'unsafe-inline' for
styles gives such events on every chart page (plotly.js adds <style> elements) and on admin pages,
so the test does see what the browser blocks. The charts
must actually be drawn (plotly's svg.main-svg in each chart), and the behaviours that used to be
inline handlers must still work: the admin's select-all checkbox and action counter, the
bulletin's month menu (submits on change) and its print button.

The pages are those of the accessibility test (the seed plan with a unit, a reporter, figures in
every state and a project's investment), opened by the role that may see them.
"""

import pytest

from entry.roles import REVIEWER, VIEWER
from tests.tools import needs

from .conftest import chromium_executable
from .test_accessibility import log_in, pages_of, site_data  # noqa: F401  (site_data is a fixture)

pytestmark = [
    pytest.mark.browser,
    needs(chromium_executable() is not None, "Chromium"),
]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def chart_pages(data) -> set[str]:
    plan = data["plan"]
    return {
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/?as_of=2020-06",
        f"/plans/targets/{data['target'].pk}/",
        f"/projects/{data['project'].pk}/",
        f"/reports/plan/{plan.pk}/bulletin/",
    }


def open_page(contexts, chromium, live_server, role):
    if role not in contexts:
        context = chromium.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH)
        page = context.new_page()
        if role is not None:
            log_in(page, role)
        contexts[role] = (context, page)
    return contexts[role][1]


def violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


def drawn_charts(page) -> tuple[int, int]:
    """(charts on the page, charts with plotly's drawing in them), once every chart is drawn."""
    total = page.locator(".plotly-graph-div[data-figure]").count()
    if total:
        page.wait_for_function(
            "n => document.querySelectorAll('.plotly-graph-div[data-figure] svg.main-svg').length >= n",
            arg=total,
        )
    return total, page.locator(".plotly-graph-div[data-figure]:has(svg.main-svg)").count()


@pytest.mark.django_db(transaction=True)
def test_every_page_works_under_the_content_security_policy(chromium, live_server, site_data):  # noqa: F811
    pages = pages_of(site_data)
    with_charts = chart_pages(site_data)
    contexts = {}
    found: dict[str, list[str]] = {}  # path → violation events
    charts: dict[str, tuple[int, int]] = {}
    statuses = []
    try:
        for role, path, _status in pages:
            page = open_page(contexts, chromium, live_server, role)
            response = page.goto(path)
            statuses.append((path, response.status))
            assert response.headers["content-security-policy"].startswith(
                "default-src 'self'; script-src 'self';"
            )
            charts[path] = drawn_charts(page)
            page.wait_for_load_state("networkidle")
            found[path] = violations(page)

        # The admin changelist's actions (admin/js/actions.js): select all, the counter follows.
        page = open_page(contexts, chromium, live_server, REVIEWER)
        page.goto("/admin/targets/figure/?status__exact=submitted")
        rows = page.locator("input.action-select").count()
        page.locator("#action-toggle").check()
        assert page.locator("input.action-select:checked").count() == rows >= 1
        assert page.locator(".action-counter").inner_text() == f"选中了 {rows} 个中的 {rows} 个"
        found["changelist actions"] = violations(page)

        # The bulletin's month menu submits on change; its print button opens the print dialog.
        plan = site_data["plan"]
        page = open_page(contexts, chromium, live_server, VIEWER)
        page.goto(f"/reports/plan/{plan.pk}/bulletin/")
        options = page.locator("#month option").evaluate_all("options => options.map(o => o.value)")
        other = next(value for value in options if value != page.locator("#month").input_value())
        with page.expect_navigation():
            page.select_option("#month", other)
        assert page.url.endswith(f"/reports/plan/{plan.pk}/bulletin/?month={other}")
        assert drawn_charts(page)[1] == 1
        page.get_by_role("button", name="打印").click()
        assert page.evaluate("() => window.__printed") == 1
        found["bulletin month and print"] = violations(page)
    finally:
        for context, _page in contexts.values():
            context.close()

    assert statuses == [(path, status) for _role, path, status in pages]
    assert {path: events for path, events in found.items() if events} == {}
    for path, (total, drawn) in charts.items():
        assert drawn == total, path
        assert (total >= 1) == (path in with_charts), path


@pytest.mark.django_db
def test_the_bulletin_for_the_pdf_draws_its_chart(chromium, tmp_path):
    """The page handed to Chromium for the PDF loads plotly.min.js and charts.js by file:// path."""
    import datetime as dt

    from reports import documents
    from reports.bulletin import build_bulletin
    from targets.tests.factories import make_figure, make_plan, make_target, make_task

    plan = make_plan()
    make_figure(make_target(make_task(plan, 1), "1-01"), dt.date(2020, 6, 1), 60)
    page_file = tmp_path / "bulletin.html"
    page_file.write_text(documents.pdf_html(build_bulletin(plan=plan, month=dt.date(2020, 6, 1))), "utf-8")
    page = chromium.new_page()
    try:
        page.goto(page_file.as_uri())
        assert drawn_charts(page) == (1, 1)
    finally:
        page.close()
