"""Target lists fetch and assess only the page shown, in the same order as sorting every row.

The tables sort by code by default: the database does that sort (by code point, as Python
compares strings), so page N is the same rows whether every target was assessed or not. A sort on
a computed column (a verdict) or a filter on one still assesses every target.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from targets import progress, rules
from targets.models import Plan, Target
from targets.tables import PER_PAGE
from targets.tests.factories import make_user

pytestmark = pytest.mark.django_db

AS_OF = "2021-08-31"


@pytest.fixture
def plan():
    call_command(GenerateScaleData(), plan_targets=[130], verbosity=0)
    return Plan.objects.get(district__startswith="合成区")


@pytest.fixture
def viewer(client, plan):
    client.force_login(make_user("viewer_paged", districts=[plan.district]))
    return client


def every_row(plan) -> list[progress.TargetRow]:
    targets = Target.objects.for_plan(plan).exclude(kind=Target.Kind.MONITORED)
    return progress.assess_targets(
        targets.for_dashboard(dt.date(2021, 8, 31)),
        as_of=dt.date(2021, 8, 31),
        thresholds=progress.thresholds_for(plan),
    )


def page_rows(client, url, **params):
    response = client.get(url, {"as_of": AS_OF, **params})
    assert response.status_code == 200
    table = response.context["table"]
    return response, [
        (r.record.target.code, r.record.light, r.record.completion) for r in table.paginated_rows
    ]


@pytest.mark.parametrize("descending", [False, True])
def test_each_page_is_the_slice_of_every_row_sorted_by_code(viewer, plan, descending):
    rows = sorted(every_row(plan), key=lambda r: r.target.code, reverse=descending)
    expected = [(r.target.code, r.light, r.completion) for r in rows]
    url = reverse("targets:target-list", args=[plan.pk])
    pages = -(-len(rows) // PER_PAGE)
    assert pages == 3
    seen = []
    for number in range(1, pages + 1):
        response, shown = page_rows(viewer, url, page=number, sort="-code" if descending else "code")
        assert shown == expected[(number - 1) * PER_PAGE : number * PER_PAGE]
        assert f"{len(rows)} 项目标" in response.content.decode()
        seen += shown
    assert seen == expected


def test_the_default_page_assesses_only_its_rows(viewer, plan, monkeypatch):
    total = len(every_row(plan))
    assessed = []
    original = progress.assess_targets

    def counting(targets, **kwargs):
        rows = original(targets, **kwargs)
        assessed.append(len(rows))
        return rows

    monkeypatch.setattr(progress, "assess_targets", counting)
    url = reverse("targets:target-list", args=[plan.pk])
    _response, shown = page_rows(viewer, url)
    assert len(shown) == PER_PAGE
    assert assessed == [PER_PAGE]
    assessed.clear()
    page_rows(viewer, url, sort="light")
    assert assessed == [total]


def test_a_sort_or_filter_on_the_verdict_still_sees_every_target(viewer, plan):
    rows = every_row(plan)
    url = reverse("targets:target-list", args=[plan.pk])
    behind = sorted(r.target.code for r in rows if r.light is rules.Light.OVERDUE)
    assert behind
    response = viewer.get(url, {"as_of": AS_OF, "light": "overdue"})
    assert sorted(r.record.target.code for r in response.context["table"].rows) == behind
    _response, shown = page_rows(viewer, url, sort="-light")
    worst = max(r.light_severity for r in rows)
    assert rules.Light(shown[0][1]).severity == worst


def test_the_page_costs_the_same_queries_on_every_page(viewer, plan):
    url = reverse("targets:target-list", args=[plan.pk])
    counts = []
    for number in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            page_rows(viewer, url, page=number)
        counts.append(len(queries))
    # Page 1 holds the target counted from the ledger: one more query, for its group's projects.
    assert counts[0] == counts[1] + 1


def test_the_key_task_page_pages_its_own_targets(viewer, plan):
    task = plan.key_tasks.get(number=1)
    rows = sorted(
        (r for r in every_row(plan) if r.target.key_task_id == task.pk), key=lambda r: r.target.code
    )
    _response, shown = page_rows(viewer, reverse("targets:keytask-detail", args=[task.pk]))
    assert shown == [(r.target.code, r.light, r.completion) for r in rows][:PER_PAGE]


def test_the_key_task_page_offers_only_the_units_of_its_own_targets(viewer, plan):
    task = plan.key_tasks.get(number=2)
    response = viewer.get(reverse("targets:keytask-detail", args=[task.pk]), {"as_of": AS_OF})
    offered = {unit.pk for unit in response.context["filter"].form.fields["unit"].queryset}
    own = set(
        Target.objects.filter(key_task=task, responsible_units__isnull=False).values_list(
            "responsible_units", flat=True
        )
    )
    everywhere = set(
        Target.objects.for_plan(plan)
        .filter(responsible_units__isnull=False)
        .values_list("responsible_units", flat=True)
    )
    assert offered == own
    assert own < everywhere


def test_an_unknown_sort_keeps_the_list_order_and_assesses_only_the_page(viewer, plan, monkeypatch):
    in_order = [r.target.code for r in every_row(plan)]  # the queryset's order: task, sort order, code
    assessed = []
    original = progress.assess_targets

    def counting(targets, **kwargs):
        rows = original(targets, **kwargs)
        assessed.append(len(rows))
        return rows

    monkeypatch.setattr(progress, "assess_targets", counting)
    url = reverse("targets:target-list", args=[plan.pk])
    _response, shown = page_rows(viewer, url, sort="zzz", page=2)
    assert [code for code, _light, _completion in shown] == in_order[PER_PAGE : 2 * PER_PAGE]
    assert assessed == [PER_PAGE]
