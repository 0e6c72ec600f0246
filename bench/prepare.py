"""Pick the benchmark's pages in the loaded database and give them logged-in sessions.

    python -m bench.prepare   (with the benchmark's DATABASE_URL and settings, bench.settings)

Creates, once, two users without a usable password: `bench-viewer` (group viewer) and
`bench-reporter` (group reporter, staff, member of a synthetic unit), then a fresh session for each
(written with SessionStore, exactly what a login stores), and prints one JSON line: the session keys
and the URL of every page to measure, or why a page is skipped.
"""

import datetime as dt
import json
import os
import sys

from bench.django_env import setup

SYNTHETIC = "合成区"
SYNTHETIC_DISTRICTS = (
    r"^合成区[0-9]+$"  # generate_scale_data's default plans (not 合成区规模N, nor the load test's)
)
SIZED = "合成区规模"  # + N: generate_scale_data --plan-targets N
GROWTH_SIZES = (40, 400, 4000)
LOAD_DISTRICT = "合成区压力测试"  # bench.load_prepare's plan: its overview is read while its reporters write


def session_for(user) -> str:
    """A logged-in session for the user, as a password login through the ModelBackend stores it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    backends = settings.AUTHENTICATION_BACKENDS
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next((b for b in backends if b.endswith("ModelBackend")), backends[-1])
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.save()
    return store.session_key


def main() -> None:
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count, Q
    from django.urls import NoReverseMatch, reverse

    from projects.models import Project, ProjectGroup
    from targets.models import DistrictMembership, Figure, Plan, Target, Unit

    def user(username: str, group: str, staff: bool):
        account, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": staff}
        )
        if created:
            account.set_unusable_password()
            account.save()
        account.groups.add(Group.objects.get(name=group))
        return account

    seed = Plan.objects.exclude(district__startswith=SYNTHETIC).order_by("year", "pk").first()
    synthetic_plans = list(
        Plan.objects.filter(district__regex=SYNTHETIC_DISTRICTS).order_by("district", "year")
    )
    if seed is None or not synthetic_plans:
        sys.exit("bench: the seed plan or the synthetic plans are missing (load_seed, generate_scale_data)")
    # A plan in the middle of the data: neither the first nor the last rows of any table.
    plan = synthetic_plans[len(synthetic_plans) // 2]

    def pages_for(p: Plan) -> dict:
        # The key task with the most progress-tracked targets, so that its page has a table to show.
        task = (
            p.key_tasks.annotate(n=Count("targets", filter=~Q(targets__kind=Target.Kind.MONITORED)))
            .order_by("-n", "number")
            .first()
        )
        target_id = (
            Figure.objects.filter(
                target__key_task__plan=p, target__kind=Target.Kind.CUMULATIVE, status=Figure.Status.APPROVED
            )
            .order_by("target__sort_order", "target__pk")
            .values_list("target_id", flat=True)
            .first()
        )
        # The project and the group in the middle of the plan's (by id), as for the plan itself.
        projects = list(Project.objects.filter(plan=p).order_by("pk").values_list("pk", flat=True))
        groups = list(ProjectGroup.objects.filter(plan=p).order_by("pk").values_list("pk", flat=True))
        urls = {
            "overview": reverse("targets:plan-detail", args=[p.pk]),
            "keytask": reverse("targets:keytask-detail", args=[task.pk]),
            "target": reverse("targets:target-detail", args=[target_id]),
            "targets": reverse("targets:target-list", args=[p.pk]),
            "targets_filtered": reverse("targets:target-list", args=[p.pk])
            + f"?light=behind&deadline_before={p.year}-09-30",
            "indicators": reverse("targets:indicator-list", args=[p.pk]),
            "project": reverse("projects:project-detail", args=[projects[len(projects) // 2]])
            if projects
            else None,
            "group": reverse("projects:group-detail", args=[groups[len(groups) // 2]]) if groups else None,
        }
        try:
            urls["projects"] = reverse("projects:project-list", args=[p.pk])
        except NoReverseMatch:
            urls["projects"] = None
        urls["bulletin"] = bulletin_url(p)
        return urls

    def bulletin_url(p: Plan) -> str | None:
        template = os.environ.get("BENCH_BULLETIN_URL")  # e.g. /reports/{plan}/bulletin/?month={month}
        if template:
            return template.format(plan=p.pk, month=f"{p.year}-06")
        for name in ("reports:bulletin", "reports:bulletin-detail", "reports:plan-bulletin"):
            for args in ([p.pk], [p.pk, p.year, 6]):
                try:
                    return reverse(name, args=args)
                except NoReverseMatch:
                    continue
        return None

    viewer = user("bench-viewer", "viewer", staff=False)
    reporter = user("bench-reporter", "reporter", staff=True)
    # A viewer or reporter sees only the plans of its districts (targets.access.visible_plans).
    sized = list(Plan.objects.filter(district__in=[f"{SIZED}{n}" for n in GROWTH_SIZES]))
    districts = {seed.district, plan.district, LOAD_DISTRICT} | {p.district for p in sized}
    for district in sorted(districts):
        DistrictMembership.objects.get_or_create(user=viewer, district=district)
    DistrictMembership.objects.get_or_create(user=reporter, district=plan.district)

    # The reporter's unit: the first synthetic unit (by name) answering for a target of the chosen plan.
    month = dt.date(plan.year, 6, 1)
    units = (
        Unit.objects.filter(name__startswith=SYNTHETIC, targets__key_task__plan=plan)
        .distinct()
        .order_by("name")
    )
    unit = units.first()
    if unit is None:
        sys.exit("bench: no synthetic unit answers for a target of the chosen plan")
    unit.members.add(reporter)
    unit_rows = Target.objects.filter(
        responsible_units=unit, key_task__plan__period_start__lte=month, key_task__plan__period_end__gte=month
    ).count()
    unit_rows_plan = Target.objects.filter(responsible_units=unit, key_task__plan=plan).count()

    print(
        json.dumps(
            {
                "sessions": {"viewer": session_for(viewer), "reporter": session_for(reporter)},
                "seed_plan": {"id": seed.pk, "name": str(seed)},
                "synthetic_plan": {"id": plan.pk, "name": str(plan)},
                "synthetic_plan_count": len(synthetic_plans),
                "seed": pages_for(seed),
                "synthetic": pages_for(plan),
                "growth": {
                    str(n): {"plan": {"id": g.pk, "name": str(g)}, "pages": pages_for(g)}
                    for n in GROWTH_SIZES
                    for g in Plan.objects.filter(district=f"{SIZED}{n}").order_by("year")[:1]
                },
                "month_entry": {
                    "url": reverse("admin:targets_figure_month") + f"?unit={unit.pk}&month={month:%Y-%m}",
                    "unit": unit.name,
                    "rows": unit_rows,
                    "rows_in_plan": unit_rows_plan,
                },
                "baseline": reverse("bench:fortunes"),
                "counts": {
                    "plans": Plan.objects.count(),
                    "targets": Target.objects.count(),
                    "figures": Figure.objects.count(),
                    "units": Unit.objects.count(),
                },
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
