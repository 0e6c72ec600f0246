"""Small builders for tests: each returns a saved object with sensible defaults."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from targets.models import DistrictMembership, Figure, KeyTask, Plan, Target, Unit


def make_plan(**kwargs) -> Plan:
    defaults = {
        "district": "测试区",
        "year": 2020,
        "title": "测试计划",
        "period_start": dt.date(2020, 1, 1),
        "period_end": dt.date(2020, 12, 31),
    }
    return Plan.objects.create(**(defaults | kwargs))


def make_task(plan: Plan, number: int = 1, **kwargs) -> KeyTask:
    return KeyTask.objects.create(
        plan=plan, number=number, title=kwargs.pop("title", f"工作{number}"), **kwargs
    )


def make_target(task: KeyTask, code: str, **kwargs) -> Target:
    defaults = {
        "name": f"目标{code}",
        "kind": Target.Kind.CUMULATIVE,
        "goal": Decimal("100"),
        "baseline": Decimal("0"),
        "unit_of_measure": "个",
        "start": dt.date(2020, 1, 1),
        "deadline": dt.date(2020, 12, 31),
        "source_text": "原文。",
    }
    units = kwargs.pop("units", ())
    target = Target.objects.create(key_task=task, code=code, **(defaults | kwargs))
    target.responsible_units.set(units)
    return target


def make_unit(name: str = "测试局", district: str = "测试区") -> Unit:
    return Unit.objects.create(name=name, district=district)


def make_figure(target: Target, month: dt.date, value=None, **kwargs) -> Figure:
    defaults = {"status": Figure.Status.APPROVED}
    if value is not None:
        defaults["value"] = Decimal(str(value))
    return Figure.objects.create(target=target, month=month, **(defaults | kwargs))


# The districts a test user belongs to unless told otherwise: the factory plan's and the seed plan's.
TEST_DISTRICTS = ("测试区", "中原区")


def make_user(username: str = "viewer", *, districts=TEST_DISTRICTS, **kwargs):
    user = get_user_model().objects.create_user(username=username, password="x-Test-pass-123", **kwargs)
    DistrictMembership.objects.bulk_create(DistrictMembership(user=user, district=d) for d in districts)
    return user
