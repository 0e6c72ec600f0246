"""A group page and a ledger-counted target's page list their projects 50 a page; the numbers
above the lists are over all the projects, and a page costs the same number of queries whatever
the group's size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import ledger, summary
from projects.models import Problem
from targets.models import Figure, LedgerMeasure
from targets.tests.factories import make_figure, make_plan, make_target, make_task, make_unit

from .factories import make_group, make_investment, make_problem, make_project
from .test_pages import _populate, count_queries

pytestmark = pytest.mark.django_db

STAGES = ["", "reserve", "started", "registered", "completed", "producing"]
MAR, JUN, JUL = dt.date(2020, 3, 1), dt.date(2020, 6, 1), dt.date(2020, 7, 1)
AS_OF = dt.date(2020, 6, 30)


@pytest.fixture
def big(viewer):
    """A group of 63 projects of every stage, some dated after June, some undated; some with an
    annual plan and approved (and unapproved, and later) investment figures; some with open,
    overdue and resolved problems. Its counted target counts 开工."""
    plan = make_plan(district="大区")
    viewer.district_memberships.create(district=plan.district)
    task = make_task(plan, 1)
    group = make_group(plan, "计划开工项目", key_task=task, stated_count=70, measures_production=True)
    target = make_target(
        task, "1-01", ledger_group=group, ledger_measure=LedgerMeasure.COUNT, ledger_stage="started"
    )
    unit = make_unit("区发改委")
    for i in range(63):
        stage = STAGES[i % 6]
        dates = {}
        if stage not in ("", "reserve") and i % 4:
            # Every fourth one reached its stage on a date nobody recorded; of the others some
            # only in July, after the as-of date.
            dates["started_on"] = JUL if i % 5 == 0 else dt.date(2020, 1 + i % 5, 10)
        project = make_project(
            plan,
            f"项目{i:02d}",
            groups=[group],
            key_task=task,
            responsible_unit=unit if i % 2 else None,
            stage=stage,
            annual_planned_investment=(i % 7) + 1 if i % 3 else None,
            **dates,
        )
        if i % 2:
            investment, _figures = make_investment(project, task, {MAR: Decimal(i) / 10, JUN: Decimal(i) / 5})
            make_figure(investment, JUL, 99, status=Figure.Status.SUBMITTED)
        if i % 5 == 1:
            make_problem(project, due_by=dt.date(2020, 4, 1))  # open, overdue
            make_problem(project, due_by=dt.date(2099, 1, 1))  # open, not yet due
            make_problem(project, resolved_on=dt.date(2020, 3, 2))  # resolved
    return {"plan": plan, "group": group, "target": target}


def _group_page(client, group, **params):
    return client.get(reverse("projects:group-detail", args=[group.pk]), {"as_of": "2020-06"} | params)


def _target_page(client, target, **params):
    return client.get(reverse("targets:target-detail", args=[target.pk]), {"as_of": "2020-06"} | params)


def _names(response):
    return [row.record.name for row in response.context["table"].paginated_rows]


def test_group_summary_in_the_database_equals_the_one_over_loaded_projects(big):
    group, today = big["group"], timezone.localdate()
    loaded = list(summary.with_investment(group.projects.all(), as_of=AS_OF))
    before = summary.summarize_group(group, loaded, today=today, as_of=AS_OF)
    after = summary.group_summary(group, today=today, as_of=AS_OF)
    assert after.rates == before.rates
    assert after.investment == before.investment
    assert (after.item_count, after.open_problems, after.overdue_problems) == (
        before.item_count,
        before.open_problems,
        before.overdue_problems,
    )
    # The numbers themselves: 63 projects, 11 of them of unknown stage (i % 6 == 0).
    assert [(r.stage, r.count, r.of, r.basis) for r in after.rates] == [
        ("started", 41, 52, ledger.PARTIAL),
        ("registered", 30, 52, ledger.PARTIAL),
        ("completed", 20, 52, ledger.PARTIAL),
        ("producing", 10, 52, ledger.PARTIAL),
    ]
    assert (after.item_count, after.open_problems, after.overdue_problems) == (63, 26, 13)
    planned = sum(Decimal((i % 7) + 1) for i in range(63) if i % 3)
    completed = sum(Decimal(i) / 5 for i in range(63) if i % 3 and i % 2)
    assert after.investment == ledger.InvestmentCompletion(
        completed=completed, planned=planned, percent=ledger.share(completed, planned), items_with_plan=42
    )
    assert Problem.objects.filter(project__groups=group).count() == 39


def test_group_page_shows_fifty_projects_a_page_and_the_summary_over_all(viewer_client, big):
    group = big["group"]
    first = _group_page(viewer_client, group)
    assert first.status_code == 200
    assert _names(first) == [f"项目{i:02d}" for i in range(50)]
    assert first.context["summary"].item_count == 63
    assert [r.count for r in first.context["summary"].rates] == [41, 30, 20, 10]
    html = first.content.decode()
    assert '<p class="page-range">第 1–50 项,共 63 项 · 第 1 / 2 页</p>' in html
    assert "台账中 63 项 / 文件所述 70 项" in html
    assert html.count("<tr ") == 50  # the rows of the table, one per project of the page
    assert '<a class="page-link" href="?as_of=2020-06&amp;page=2">' in html  # django-tables2's pager
    second = _group_page(viewer_client, group, page=2)
    assert _names(second) == [f"项目{i:02d}" for i in range(50, 63)]
    assert '<p class="page-range">第 51–63 项,共 63 项 · 第 2 / 2 页</p>' in second.content.decode()
    # The rows of the second page: 项目51 (registered, started on 2020-02-10, with a plan, figures
    # and problems), 项目52 (completed on a date nobody recorded), 项目54 (unknown stage) and 项目55
    # (储备). Stages are as they are now: 项目50 started in July, after the as-of date, yet it has.
    rows = {row.record.name: row for row in second.context["table"].paginated_rows}
    assert [rows["项目51"].get_cell(c) for c in ("stage", "done_started", "completed", "open_problems")] == [
        "入库",
        "✓ 已开工",
        "10.2",
        2,
    ]
    assert str(rows["项目51"].get_cell("overdue_problems")) == '<span class="overdue-count">1 逾期</span>'
    done = {name: rows[name].get_cell("done_started") for name in ("项目50", "项目52", "项目54", "项目55")}
    assert done == {"项目50": "✓ 已开工", "项目52": "✓ 已开工", "项目54": "✗ 未开工", "项目55": "✗ 未开工"}
    assert rows["项目54"].get_cell("completed") == "—"


def test_a_small_group_has_no_pager_or_range(viewer_client, big):
    plan = big["plan"]
    group = make_group(plan, "小分组")
    make_project(plan, "唯一项目", groups=[group], stage="started")
    response = _group_page(viewer_client, group)
    assert _names(response) == ["唯一项目"]
    html = response.content.decode()
    assert "page-range" not in html and 'class="pagination' not in html


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 2), ("-1", 2), ("99999", 2), ("2", 2)])
def test_group_page_with_a_bad_page_number_shows_the_first_or_last_page(viewer_client, big, page, shown):
    # As the target lists do (django-tables2): not a number, the first page; out of range, the last.
    response = _group_page(viewer_client, big["group"], page=page)
    assert (response.status_code, response.context["table"].page.number) == (200, shown)


def test_group_page_query_count_is_the_same_for_3_and_60_projects(viewer, viewer_client):
    counts = []
    for n in (3, 60):
        plan, group = _populate(n)
        viewer.district_memberships.create(district=plan.district)
        counts.append(count_queries(viewer_client, reverse("projects:group-detail", args=[group.pk])))
    assert counts[0] == counts[1]


def _items_before(target, *, as_of):
    """The items as `ProjectLedger.items` listed them before it paged: every project loaded,
    done by `ledger.reached` or `ledger.reached_undated`, done ones first, then by name."""
    rows = []
    for project in target.ledger_group.projects.all():
        item = project.ledger_item()
        done = ledger.reached(item, target.ledger_stage, by=as_of) or ledger.reached_undated(
            item, target.ledger_stage
        )
        rows.append((project.name, done))
    return sorted(rows, key=lambda r: (r[1] is not True, r[0]))


def test_target_page_lists_fifty_items_a_page_with_the_counts_over_all(viewer_client, big):
    target = big["target"]
    before = _items_before(target, as_of=AS_OF)
    done = sum(1 for _name, d in before if d)
    # Started or later (41), less the 6 started only in July (i % 5 == 0, dated): 35.
    assert (len(before), done) == (63, 35)
    first = _target_page(viewer_client, target)
    assert first.status_code == 200
    page = first.context["ledger_page"]
    assert [(p.name, d) for p, d in page.object_list] == before[:50]
    items = first.context["ledger_items"]
    assert (len(items), items.done, items.not_done) == (63, 35, 28)
    html = first.content.decode()
    assert "台账中 63 项 / 文件所述 70 项" in html
    assert '<span class="ledger-done">已完成 35 项,未完成 28 项</span>' in html
    assert '<p class="page-range">第 1–50 项,共 63 项 · 第 1 / 2 页</p>' in html
    assert html.count("✓ 已完成") == 35 and html.count("✗ 未完成") == 15
    assert 'href="?as_of=2020-06&amp;page=2"' in html
    second = _target_page(viewer_client, target, page=2)
    assert [(p.name, d) for p, d in second.context["ledger_page"].object_list] == before[50:]
    assert '<p class="page-range">第 51–63 项,共 63 项 · 第 2 / 2 页</p>' in second.content.decode()
    # The whole list, iterated, is the list as it was.
    assert [(p.name, d) for p, d in items] == before


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 2), ("99999", 2)])
def test_target_page_with_a_bad_page_number_shows_the_first_or_last_page(viewer_client, big, page, shown):
    response = _target_page(viewer_client, big["target"], page=page)
    assert (response.status_code, response.context["ledger_page"].number) == (200, shown)


def test_target_page_query_count_is_the_same_for_3_and_60_projects(viewer, viewer_client):
    counts = []
    for n in (3, 60):
        plan, group = _populate(n)
        viewer.district_memberships.create(district=plan.district)
        target = group.targets.get()
        counts.append(count_queries(viewer_client, reverse("targets:target-detail", args=[target.pk])))
    assert counts[0] == counts[1]


def test_a_milestone_names_the_page_of_items_and_how_many_there_are(viewer_client, big):
    task = big["target"].key_task
    milestone = make_target(
        task,
        "1-02",
        kind="milestone",
        goal=None,
        baseline=None,
        ledger_group=big["group"],
        ledger_measure=LedgerMeasure.COUNT,
        ledger_stage="completed",
    )
    response = _target_page(viewer_client, milestone)
    assert response.status_code == 200
    html = response.content.decode()
    facts = html[html.index("<dt>台账项目</dt>") : html.index("<dt>责任单位</dt>")]
    assert facts.count('<a href="/projects/') == 50
    assert '<span class="hint">(共 63 项,见下方“台账项目”)</span>' in facts
    items = response.context["ledger_items"]
    # The 20 at 竣工 or 达产 have no 竣工 or 达产 date: done, as they were counted before.
    assert (len(items), items.done, items.not_done) == (63, 20, 43)
    assert [(p.name, d) for p, d in items] == _items_before(milestone, as_of=AS_OF)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_table_stage_labels_are_those_of_get_stage_display(language):
    from django.utils import translation

    from projects.models import Project, Stage
    from projects.tables import _stage_label

    with translation.override(language):
        for stage in Stage.values:
            assert _stage_label(stage) == Project(stage=stage).get_stage_display()
        assert _stage_label("") == f'<span class="missing">{translation.gettext("阶段未知")}</span>'
