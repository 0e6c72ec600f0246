"""Build clearly synthetic plans at city scale, for the benchmark: never part of the seed data.

    python manage.py generate_scale_data [--districts 50] [--years 3] [--targets 40]
                                         [--projects 200] [--seed 1] [--delete]
    python manage.py generate_scale_data --plan-targets 40 400 4000

Every synthetic plan's district is named "合成区NN" and its title says 合成数据, so nobody can
mistake it for real figures; `--delete` removes them all again. Rows are written with
bulk_create in batches, without history rows (history records people's changes, and these are
not).

`--plan-targets N …` builds instead one plan per N (district 合成区规模N, year --first-year) of N
targets with everything else in proportion to the default plan's 40 targets: 5 projects per target,
one unit per 2 targets (at least --units), 12 monthly figures per target; still 8 key tasks and 4
project groups, as a district's plan has however large it is. The growth benchmark compares them.

The same arguments always build the same rows: each plan draws from its own random generator,
seeded by --seed and the plan (district and year, or N), so which plans exist already does not
change the others.
"""

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.models import Problem, Project, ProjectGroup
from targets.models import DataVersion, Figure, KeyTask, Plan, Target, Unit

PREFIX = "合成区"
SIZED = f"{PREFIX}规模"  # + N: the one plan of N targets (--plan-targets)
PROJECTS_PER_TARGET = 5  # the default plan's 200 projects for 40 targets
TARGETS_PER_UNIT = 2
STAGES = ["reserve", "started", "registered", "completed", "producing"]  # projects.ledger.STAGES
KINDS = ["cumulative"] * 6 + ["level", "milestone", "monitored"]


class Command(BaseCommand):
    help = "Create (or with --delete remove) synthetic plans for load tests; names say 合成数据."

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, default=50)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--first-year", type=int, default=2021)
        parser.add_argument("--targets", type=int, default=40)
        parser.add_argument("--projects", type=int, default=200)
        parser.add_argument("--units", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--plan-targets",
            type=int,
            nargs="+",
            metavar="N",
            help="build one plan of N targets (district 合成区规模N) per N, everything else in proportion",
        )
        parser.add_argument("--delete", action="store_true", help="remove every synthetic plan and stop")

    def handle(self, *args, **o):
        if o["delete"]:
            deleted, _ = Plan.objects.filter(district__startswith=PREFIX).delete()
            DataVersion.bump()
            Unit.objects.filter(name__startswith=PREFIX).delete()
            self.stdout.write(f"deleted {deleted} synthetic rows")
            return
        for name in ("districts", "years", "targets", "projects", "units"):
            if o[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        created = 0
        if o["plan_targets"]:
            year = o["first_year"]
            for n in o["plan_targets"]:
                if n < 1:
                    raise CommandError("--plan-targets must be at least 1")
                district = f"{SIZED}{n}"
                if Plan.objects.filter(district=district, year=year).exists():
                    continue
                rng = random.Random(f"{o['seed']}:{district}:{year}")
                units = self._units(district, max(o["units"], n // TARGETS_PER_UNIT), width=4)
                with transaction.atomic():
                    self._plan(rng, district, year, units, n, n * PROJECTS_PER_TARGET)
                created += 1
        for d in range(1, o["districts"] + 1) if not o["plan_targets"] else ():
            district = f"{PREFIX}{d:02d}"
            # Each district has its own units, as real ones do: a unit's monthly page then lists
            # its own district's targets, not every district's.
            units = self._units(district, o["units"])
            for year in range(o["first_year"], o["first_year"] + o["years"]):
                if Plan.objects.filter(district=district, year=year).exists():
                    continue
                rng = random.Random(f"{o['seed']}:{district}:{year}")
                with transaction.atomic():
                    self._plan(rng, district, year, units, o["targets"], o["projects"])
                created += 1
        # bulk_create sends no signals: make cached pages stale by hand.
        DataVersion.bump()
        total = Plan.objects.filter(district__startswith=PREFIX).count()
        self.stdout.write(f"synthetic plans: {created} created, {total} in all")

    def _units(self, district, n, width=2):
        names = [f"{district}单位{i:0{width}d}" for i in range(1, n + 1)]
        existing = set(Unit.objects.filter(name__in=names).values_list("name", flat=True))
        Unit.objects.bulk_create(
            [Unit(name=name, district=district) for name in names if name not in existing]
        )
        return list(Unit.objects.filter(name__in=names).order_by("name"))

    def _plan(self, rng, district, year, units, n_targets, n_projects):
        plan = Plan.objects.create(
            district=district,
            city="合成市",
            year=year,
            title=f"{year}年重点工作(合成数据,仅供性能测试)",
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            source="generate_scale_data",
        )
        tasks = KeyTask.objects.bulk_create(
            [KeyTask(plan=plan, number=n, title=f"合成重点工作{n}", headline="合成数据") for n in range(1, 9)]
        )
        targets = []
        for i in range(n_targets):
            kind = rng.choice(KINDS)
            deadline = None if kind == "monitored" else dt.date(year, rng.choice([6, 9, 10, 12]), 28)
            goal = None if kind in ("monitored", "milestone") else Decimal(rng.randint(5, 500))
            targets.append(
                Target(
                    key_task=tasks[i % 8],
                    code=f"{i % 8 + 1}-{i:03d}",
                    name=f"合成目标{i:03d}",
                    kind=kind,
                    direction="gte",
                    goal=goal,
                    baseline=Decimal(0) if kind != "monitored" else None,
                    unit_of_measure="个",
                    start=dt.date(year, 1, 1),
                    deadline=deadline,
                    source_text="合成数据",
                    sort_order=i,
                )
            )
        targets = Target.objects.bulk_create(targets)
        Through = Target.responsible_units.through
        Through.objects.bulk_create(
            [Through(target_id=t.pk, unit_id=rng.choice(units).pk) for t in targets if rng.random() < 0.8]
        )
        figures = []
        for target in targets:
            value = Decimal(0)
            for month in range(1, 13):
                if target.kind == "milestone":
                    reached = target.deadline.month <= month and rng.random() < 0.7
                    figures.append(
                        Figure(
                            target=target,
                            month=dt.date(year, month, 1),
                            reached=reached,
                            reached_on=dt.date(year, month, 15) if reached else None,
                            status="approved",
                        )
                    )
                    continue
                step = (target.goal or Decimal(100)) / 12
                value += (step * Decimal(rng.uniform(0.4, 1.3))).quantize(Decimal("0.01"))
                figures.append(
                    Figure(target=target, month=dt.date(year, month, 1), value=value, status="approved")
                )
        Figure.objects.bulk_create(figures, batch_size=2000)
        groups = ProjectGroup.objects.bulk_create(
            [
                ProjectGroup(plan=plan, name=f"合成分组{g}", key_task=tasks[2], stated_count=n_projects // 4)
                for g in range(1, 5)
            ]
        )
        # One target counted from the ledger, as the seed's 3-01 is, so pages meet that case too.
        counted = next((t for t in targets if t.kind == "cumulative"), None)
        if counted is not None:
            Target.objects.filter(pk=counted.pk).update(
                ledger_group=groups[0], ledger_measure="count", ledger_stage="started"
            )
        projects = []
        for p in range(n_projects):
            stage = rng.choice(STAGES)
            rank = STAGES.index(stage)
            projects.append(
                Project(
                    plan=plan,
                    name=f"合成项目{p:04d}",
                    key_task=tasks[2],
                    area=rng.choice(["", "合成片区A", "合成片区B"]),
                    responsible_unit=rng.choice(units),
                    lead_official=f"合成领导{rng.randint(1, 12):02d}",
                    stage=stage,
                    started_on=dt.date(year, 2, 1) if rank >= 1 else None,
                    registered_on=dt.date(year, rng.randint(3, 9), 1) if rank >= 2 else None,
                    completed_on=dt.date(year, 11, 1) if rank >= 3 else None,
                    producing_on=dt.date(year, 12, 1) if rank >= 4 else None,
                    annual_planned_investment=Decimal(rng.randint(1, 30)),
                )
            )
        projects = Project.objects.bulk_create(projects)
        GroupThrough = Project.groups.through
        GroupThrough.objects.bulk_create(
            [GroupThrough(project_id=p.pk, projectgroup_id=groups[i % 4].pk) for i, p in enumerate(projects)]
        )
        Problem.objects.bulk_create(
            [
                Problem(
                    project=p,
                    description="合成问题",
                    responsible_unit=p.responsible_unit,
                    raised_on=dt.date(year, 3, 1),
                    due_by=dt.date(year, rng.randint(4, 12), 1),
                    resolved_on=dt.date(year, 6, 1) if rng.random() < 0.5 else None,
                )
                for p in projects
                if rng.random() < 0.3
            ]
        )
