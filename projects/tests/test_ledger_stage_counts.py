"""A target counted by stage: the counts `for_dashboard` keeps give what the rule gives.

`for_dashboard` reads each count-target's group as plain rows and keeps only its counts by stage
and month end (`projects.observations._count_stages`) instead of the group's projects as model
instances; the observations must be `ledger.monthly_counts` over the same projects loaded whole,
at the fetch's date and at earlier ones.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from common.months import closed_month_ends
from projects import ledger
from projects.models import STAGE_DATE_FIELDS, Project
from targets import ledgers, rules
from targets.models import LedgerMeasure, Plan, Target
from targets.tests.factories import make_plan, make_target, make_task

from .factories import make_group, make_project

pytestmark = pytest.mark.django_db


def by_the_rule(target: Target, *, as_of: dt.date) -> list[rules.Observation]:
    """What the rules measured before: every project of the group loaded, `ledger.monthly_counts`."""
    items = [project.ledger_item() for project in Project.objects.filter(groups=target.ledger_group_id)]
    if not items:
        return []
    counts = ledger.monthly_counts(
        items, target.ledger_stage, month_ends=closed_month_ends(target.start, as_of)
    )
    return [rules.Observation(month_end=end, value=Decimal(n)) for end, n in counts]


def counted(plan: Plan, *, fetched_at: dt.date, as_of: dt.date) -> list[tuple[str, list]]:
    targets = (
        Target.objects.for_plan(plan).filter(ledger_measure=LedgerMeasure.COUNT).for_dashboard(fetched_at)
    )
    return [(t.code, ledgers.observations(t, as_of=as_of)) for t in targets]


def expected(plan: Plan, *, as_of: dt.date) -> list[tuple[str, list]]:
    targets = Target.objects.for_plan(plan).filter(ledger_measure=LedgerMeasure.COUNT)
    return [(t.code, by_the_rule(t, as_of=as_of)) for t in targets]


@pytest.fixture
def random_ledger():
    """Two groups of random projects (every stage, unknown stages, dated, undated and partly dated
    stages) and a target counting each stage of each group, plus one on an empty group."""
    rng = random.Random(20)
    plan = make_plan()
    task = make_task(plan)
    groups = [make_group(plan, "计划开工项目"), make_group(plan, "重点项目"), make_group(plan, "空分组")]
    for i in range(80):
        dates, day = {}, dt.date(2019, 12, 1) + dt.timedelta(days=rng.randrange(0, 240))
        for field in STAGE_DATE_FIELDS.values():  # in stage order: a later stage is not reached earlier
            day += dt.timedelta(days=rng.randrange(0, 90))
            if rng.random() < 0.6:
                dates[field] = day
        make_project(
            plan,
            f"项目{i:02}",
            groups=rng.sample(groups[:2], rng.choice([1, 2])),
            stage=rng.choice(["", *ledger.STAGES]),
            **dates,
        )
    for g, group in enumerate(groups):
        for s, stage in enumerate(ledger.STAGES):
            make_target(
                task,
                f"{g}-{s}",
                ledger_group=group,
                ledger_measure=LedgerMeasure.COUNT,
                ledger_stage=stage,
                start=dt.date(2020, 1 + s, 1),
            )
    return plan


@pytest.mark.parametrize(
    ("fetched_at", "as_of"),
    [
        (dt.date(2020, 6, 30), dt.date(2020, 6, 30)),
        (dt.date(2020, 6, 30), dt.date(2020, 5, 31)),
        (dt.date(2020, 12, 31), dt.date(2020, 2, 29)),
        (dt.date(2020, 12, 15), dt.date(2020, 12, 15)),
        (dt.date(2021, 1, 31), dt.date(2020, 12, 31)),
        (dt.date(2020, 1, 20), dt.date(2020, 1, 20)),
    ],
)
def test_random_ledgers_count_as_the_rule(random_ledger, fetched_at, as_of):
    got = counted(random_ledger, fetched_at=fetched_at, as_of=as_of)
    assert len(got) == 15
    assert got == expected(random_ledger, as_of=as_of)
    # Not a trivial agreement: once a month has closed, some counts are above zero; the empty
    # group has none.
    assert any(obs and obs[-1].value > 0 for _code, obs in got) is (as_of >= dt.date(2020, 1, 31))
    assert all(obs == [] for code, obs in got if code.startswith("2-"))


def test_the_seed_counts_as_the_rule():
    call_command("load_seed", verbosity=0)
    plan = Plan.objects.get(district="中原区", year=2020)
    assert Target.objects.for_plan(plan).filter(ledger_measure=LedgerMeasure.COUNT).count() > 0
    for fetched_at, as_of in (
        (dt.date(2020, 6, 30), dt.date(2020, 6, 30)),
        (dt.date(2020, 12, 31), dt.date(2020, 8, 31)),
    ):
        assert counted(plan, fetched_at=fetched_at, as_of=as_of) == expected(plan, as_of=as_of)


def test_counting_takes_one_query_for_every_count_target(random_ledger, django_assert_num_queries):
    fetch = Target.objects.for_plan(random_ledger).for_dashboard(dt.date(2020, 6, 30))
    # Targets, key tasks, units, planned values, figures and the stage counts.
    with django_assert_num_queries(6):
        targets = list(fetch)
    assert {t.ledger_stage_counts.total for t in targets} == {
        Project.objects.filter(groups=random_ledger.project_groups.get(name="计划开工项目")).count(),
        Project.objects.filter(groups=random_ledger.project_groups.get(name="重点项目")).count(),
        0,
    }
