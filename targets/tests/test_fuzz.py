"""Random input in every query parameter and form field never gives a 500 or changes stored data."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entry.roles import REPORTER, assign_role
from targets.models import Figure

from .factories import make_figure, make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

junk = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["2020-06", "2020-13", "2020-02-30", "-1", "0", "NaN", "1e309", "../../etc", "'; drop", "２０２０"]
    ),
)
PARAMS = [
    "as_of",
    "sort",
    "light",
    "kind",
    "deadline_before",
    "unit",
    "unassigned",
    "q",
    "key_task",
    "month",
    "page",
]


@pytest.fixture
def world(client, plan, task):
    unit = make_unit("甲单位")
    target = make_target(task, "1-01", units=[unit])
    make_figure(target, dt.date(2020, 6, 1), 10)
    reporter = make_user("rep")
    assign_role(reporter, REPORTER)
    unit.members.add(reporter)
    client.force_login(reporter)
    urls = [
        reverse("targets:plan-detail", args=[plan.pk]),
        reverse("targets:target-list", args=[plan.pk]),
        reverse("targets:keytask-detail", args=[task.pk]),
        reverse("targets:target-detail", args=[target.pk]),
        reverse("targets:indicator-list", args=[plan.pk]),
        reverse("projects:project-list", args=[plan.pk]),
        reverse("projects:group-list", args=[plan.pk]),
        reverse("admin:targets_figure_month"),
        reverse("admin:targets_figure_changelist"),
    ]
    return client, urls, target, unit


def snapshot():
    return list(Figure.objects.order_by("pk").values_list("pk", "value", "status", "version"))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(PARAMS), junk, max_size=4))
def test_query_parameters_never_500(world, params):
    client, urls, _target, _unit = world
    for url in urls:
        response = client.get(url, params)
        assert response.status_code < 500, (url, params)


@FUZZ
@given(
    value=junk,
    month=junk,
    note=st.text(max_size=200),
    version=junk,
)
def test_monthly_form_fields_never_500_nor_change_data(world, value, month, note, version):
    client, _urls, target, unit = world
    before = snapshot()
    url = reverse("admin:targets_figure_month") + f"?unit={unit.pk}&month=2020-06"
    data = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "1",
        "rows-0-target": str(target.pk),
        "rows-0-value": value,
        "rows-0-progress_note": note,
        "rows-0-base_version": version,
        "_save": "1",
    }
    response = client.post(url, data)
    assert response.status_code < 500
    add = client.post(
        reverse("admin:targets_figure_add"),
        {"target": target.pk, "month": month, "value": value, "progress_note": note, "_save": "1"},
    )
    assert add.status_code < 500
    after = snapshot()
    if response.status_code >= 400 and add.status_code != 302:
        assert after == before
