import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import review
from targets.models import DataVersion, Figure
from targets.roles import REVIEWER, assign_role

from .factories import make_figure, make_target, make_user

pytestmark = pytest.mark.django_db


def rendered_in_full(response) -> bool:
    # A cache hit renders only the header's user area, whose context has no page data.
    return response.context is not None and "overall" in response.context


@pytest.fixture
def page(plan, task):
    target = make_target(task, "1-01")
    figure = make_figure(target, dt.date(2020, 6, 1), 60, status=Figure.Status.SUBMITTED)
    return reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06", figure


def test_second_view_comes_from_the_cache_with_its_own_user_area(client, page):
    url, _figure = page
    client.force_login(make_user("alice"))
    first = client.get(url).content.decode()
    client.force_login(make_user("bob"))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url).content.decode()
    # Session and user, then the data version: nothing else.
    assert len(queries) <= 3
    assert "alice" in first and "bob" not in first
    assert "bob" in second and "alice" not in second
    assert (
        second.replace("bob", "alice").split("csrfmiddlewaretoken")[0]
        == first.split("csrfmiddlewaretoken")[0]
    )


def test_a_change_to_the_data_makes_the_page_fresh(client, page):
    url, figure = page
    client.force_login(make_user("alice"))
    before = client.get(url).context["overall"].counts
    assert dict(before) == {"no_data": 1}
    version = DataVersion.current(figure.target.key_task.plan_id)
    reviewer = make_user("rev")
    assign_role(reviewer, REVIEWER)
    review.approve([figure], user=reviewer)
    assert DataVersion.current(figure.target.key_task.plan_id) > version
    after = client.get(url)
    assert rendered_in_full(after)  # rendered again, not served from the cache
    assert dict(after.context["overall"].counts) == {"on_track": 1}
    assert Figure.objects.get().value == Decimal(60)


def test_error_pages_are_not_cached(client, page):
    url, _figure = page
    client.force_login(make_user("alice"))
    bad = url.replace("2020-06", "2020-13")
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400
    assert client.get(url).status_code == 200


def test_a_change_in_another_plan_leaves_the_page_cached(client, page):
    from .factories import make_plan, make_task

    url, _figure = page
    client.force_login(make_user("alice"))
    assert rendered_in_full(client.get(url))
    other = make_plan(district="别的区")
    make_target(make_task(other, 1), "1-01")
    cached = client.get(url)
    assert cached.status_code == 200
    assert not rendered_in_full(cached)  # served from the cache
