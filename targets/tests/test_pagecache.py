"""The page cache: one cache (Redis or each process's memory), checked against the database.

A cached page is served only while its plan's data version in the database is unchanged, so a
change made anywhere (another worker, a `manage.py shell` without Redis settings, a restore) is
seen at once. Every test runs twice: with the process's own memory (LocMemCache) and with
Django's Redis backend on REDIS_TEST_URL (default redis://127.0.0.1:6379/15, under a key prefix
of its own). Without a reachable Redis the Redis runs are skipped, unless REQUIRE_TOOLS is set
(CI sets it), when they fail instead (tests/tools.py).
"""

import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from entry import review
from entry.roles import REPORTER, REVIEWER, VIEWER, assign_role
from notices.models import Notice
from targets.models import DataVersion, Figure, Plan
from tests.tools import require

from .factories import make_figure, make_plan, make_target, make_task, make_unit, make_user

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "other"}}


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings):
    """The cache configuration of settings.py, without Redis and with it."""
    if request.param == "memory":
        yield request.param
        return
    if not _redis_reachable():
        require(False, f"Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "zhongyuan.sessions"
    yield request.param
    import redis

    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(match=f"{prefix}:*"):
        raw.delete(key)


def rendered_in_full(response) -> bool:
    # A cache hit renders only the header's user area, whose context has no page data.
    return response.context is not None and "overall" in response.context


def version_of(plan_id: int) -> int:
    return Plan.objects.get(pk=plan_id).data_version


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks, as its commit would (tests run in one transaction)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def page(plan, task, committed):
    with committed():
        target = make_target(task, "1-01")
        figure = make_figure(target, dt.date(2020, 6, 1), 60, status=Figure.Status.SUBMITTED)
    return reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06", figure


@pytest.fixture
def alice(db):
    user = make_user("alice")
    assign_role(user, VIEWER)
    return user


@pytest.fixture
def reviewer(db):
    user = make_user("rev")
    assign_role(user, REVIEWER)
    return user


def test_second_view_comes_from_the_cache_with_its_own_user_area(backend, client, page):
    url, _figure = page
    client.force_login(make_user("alice"))
    first = client.get(url).content.decode()
    client.force_login(make_user("bob"))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url).content.decode()
    sql = [q["sql"] for q in queries]
    # The session (Redis: none, it is read from Redis), the user, the plan's data version; then the
    # header's unread notice count, read live for the user area (never cached).
    assert len(sql) == (4 if backend == "memory" else 3)
    assert '"data_version"' in sql[-2]
    assert '"notices_notice"' in sql[-1]
    assert "alice" in first and "bob" not in first
    assert "bob" in second and "alice" not in second
    assert (
        second.replace("bob", "alice").split("csrfmiddlewaretoken")[0]
        == first.split("csrfmiddlewaretoken")[0]
    )


def test_a_committed_change_in_another_worker_makes_the_page_fresh(
    backend, client, alice, page, reviewer, committed
):
    url, figure = page
    client.force_login(alice)
    assert dict(client.get(url).context["overall"].counts) == {"no_data": 1}
    assert not rendered_in_full(client.get(url))  # cached
    version = version_of(figure.target.key_task.plan_id)
    with committed():
        review.approve([figure], user=reviewer)
    # One move for the whole change (the figure, its history and its review event).
    assert version_of(figure.target.key_task.plan_id) == version + 1
    after = client.get(url)
    assert rendered_in_full(after)  # rendered again, not served from the cache
    assert dict(after.context["overall"].counts) == {"on_track": 1}
    assert not rendered_in_full(client.get(url))


def test_a_change_from_a_process_without_redis_settings_is_seen(
    backend, client, alice, page, reviewer, committed
):
    # A `manage.py shell` started without REDIS_URL has a cache of its own that no page is in;
    # it changes the database only, and tells no cache anything.
    url, figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    assert not rendered_in_full(client.get(url))
    with override_settings(CACHES=LOCMEM), committed():
        caches["default"].clear()
        review.approve([figure], user=reviewer)
    after = client.get(url)
    assert rendered_in_full(after)
    assert dict(after.context["overall"].counts) == {"on_track": 1}


def test_uncommitted_changes_are_neither_served_stale_nor_cached(backend, client, alice, page, reviewer):
    # Inside the transaction that changed the plan (its version moves at the commit), the
    # transaction's own requests see its writes: no page of the plan from the cache or into it.
    url, figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    version = version_of(figure.target.key_task.plan_id)
    review.approve([figure], user=reviewer)
    assert version_of(figure.target.key_task.plan_id) == version
    after = client.get(url)
    assert rendered_in_full(after)
    assert dict(after.context["overall"].counts) == {"on_track": 1}
    assert rendered_in_full(client.get(url))


def test_a_draft_leaves_the_cached_page_cached(backend, client, alice, page, committed):
    url, figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    plan_id = figure.target.key_task.plan_id
    version = version_of(plan_id)
    with committed():
        draft = make_figure(figure.target, dt.date(2020, 7, 1), 70, status=Figure.Status.DRAFT)
        draft.value = Decimal(75)
        draft.save()
        draft.delete()
    assert version_of(plan_id) == version
    assert not rendered_in_full(client.get(url))
    # A submitted figure sent back to its unit leaves the reporting state: that is seen.
    with committed():
        figure.status = Figure.Status.RETURNED
        figure.return_reason = "口径不对"
        figure.save()
    assert version_of(plan_id) == version + 1
    assert rendered_in_full(client.get(url))


def test_error_pages_are_not_cached(backend, client, page):
    url, _figure = page
    client.force_login(make_user("alice"))
    bad = url.replace("2020-06", "2020-13")
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400
    assert client.get(url).status_code == 200


def test_a_change_in_another_plan_leaves_the_page_cached(backend, client, page, committed):
    url, _figure = page
    client.force_login(make_user("alice"))
    assert rendered_in_full(client.get(url))
    with committed():
        other = make_plan(district="别的区")
        make_target(make_task(other, 1), "1-01")
    cached = client.get(url)
    assert cached.status_code == 200
    assert not rendered_in_full(cached)  # served from the cache


def test_a_change_to_every_plan_makes_every_page_fresh(backend, client, alice, page, committed):
    url, _figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    with committed():
        make_unit("新单位")  # a unit's name may show on any plan
    assert rendered_in_full(client.get(url))


def test_logging_out_ends_the_session_in_every_process(backend, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert client.get(url).status_code == 200
    stolen = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    client.cookies["sessionid"] = stolen
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivating_a_user_logs_them_out_at_once(backend, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert client.get(url).status_code == 200
    alice.is_active = False
    alice.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the monthly page: one move for a whole submit, none for a draft --------------------------------


def month_form(client, unit, targets, *, submit: bool) -> tuple[str, dict]:
    """The monthly page's URL and the POST of a value for every target."""
    from entry.tests.test_month_entry import form_data, page

    url = page(unit)
    response = client.get(url)
    changes = {t.code: {"value": str(10 + i)} for i, t in enumerate(targets)}
    return url, form_data(response, changes, submit=submit)


@pytest.fixture
def twelve(plan, task, committed):
    unit = make_unit("甲局")
    user = make_user("reporter_a")
    assign_role(user, REPORTER)
    unit.members.add(user)
    with committed():
        targets = [make_target(task, f"1-{i:02d}", units=[unit]) for i in range(1, 13)]
    return unit, user, targets


def test_a_twelve_row_submit_moves_the_version_once_in_few_queries(backend, client, plan, twelve, committed):
    unit, user, targets = twelve
    # The district's 督查室, told of the submit: their lookup and their notices count too.
    with committed():
        for name in ("reviewer_a", "reviewer_b"):
            assign_role(make_user(name, email=f"{name}@example.org"), REVIEWER)
    client.force_login(user)
    url = reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06"
    assert rendered_in_full(client.get(url))
    version = version_of(plan.pk)
    post_url, data = month_form(client, unit, targets, submit=True)
    with CaptureQueriesContext(connection) as queries, committed():
        response = client.post(post_url, data)
    assert response.status_code == 303
    assert Figure.objects.filter(status=Figure.Status.SUBMITTED).count() == 12
    assert version_of(plan.pk) == version + 1
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len([w for w in writes if "targets_plan" in w]) == 1
    # At most 20, the district's reviewers looked up and their two notices written in one insert.
    assert len(queries) <= 20, "\n".join(q["sql"][:120] for q in queries)
    assert len([w for w in writes if "notices_notice" in w]) == 1
    assert Notice.objects.filter(kind="figures_submitted").count() == 2
    assert rendered_in_full(client.get(url))


def test_a_twelve_row_draft_moves_nothing(backend, client, plan, twelve, committed):
    unit, user, targets = twelve
    client.force_login(user)
    url = reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06"
    assert rendered_in_full(client.get(url))
    version = version_of(plan.pk)
    post_url, data = month_form(client, unit, targets, submit=False)
    with committed():
        response = client.post(post_url, data)
    assert response.status_code == 303
    assert Figure.objects.filter(status=Figure.Status.DRAFT).count() == 12
    assert version_of(plan.pk) == version
    assert not rendered_in_full(client.get(url))
    # The drafts submitted: twelve updates (compare-and-swap on their versions), one move.
    post_url, data = month_form(client, unit, targets, submit=True)
    with CaptureQueriesContext(connection) as queries, committed():
        response = client.post(post_url, data)
    assert response.status_code == 303
    assert sorted(Figure.objects.order_by().values_list("status", "version").distinct()) == [("submitted", 2)]
    assert Figure.history.filter(history_type="~").count() == 12
    assert version_of(plan.pk) == version + 1
    assert len(queries) <= 20
    assert rendered_in_full(client.get(url))


# --- a restore ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite restore; PostgreSQL in test_backup")
def test_no_stale_page_after_a_restore(backend, client, tmp_path):
    plan = make_plan()
    target = make_target(make_task(plan, 1), "1-01")
    figure = make_figure(target, dt.date(2020, 6, 1), 60, status=Figure.Status.SUBMITTED)
    reviewer = make_user("rev")
    assign_role(reviewer, REVIEWER)
    client.force_login(reviewer)
    url = reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06"
    backup = tmp_path / "backup.bin"
    call_command("backup_db", str(backup))  # the figure submitted, not approved
    review.approve([figure], user=reviewer)
    approved = client.get(url)
    assert dict(approved.context["overall"].counts) == {"on_track": 1}
    assert not rendered_in_full(client.get(url))  # cached at the version after the approval
    call_command("restore_db", str(backup), yes=True)
    client.force_login(reviewer)  # the restore brought back the sessions of the backup's time
    # The same number of changes again as before the backup: without the restore moving the
    # versions, the plan would be back at the version of the page cached above.
    Figure.objects.filter(pk=figure.pk).update(progress_note="恢复后")
    DataVersion.bump([plan.pk])
    after = client.get(url)
    assert rendered_in_full(after)
    assert dict(after.context["overall"].counts) == {"no_data": 1}


def test_a_supervised_items_state_change_moves_its_plans_version(plan, task, committed):
    # The overview counts each key task's supervised items by state.
    from django.apps import apps

    if not apps.is_installed("supervision"):
        pytest.skip("the supervision app is not installed")
    item_model = apps.get_model("supervision", "SupervisedItem")
    other = make_plan(district="别的区")
    with committed():
        item = item_model.objects.create(
            plan=plan,
            key_task=task,
            code="1.1",
            title="举措",
            source_text="原文",
            due_date=dt.date(2020, 9, 30),
        )
    version, other_version = version_of(plan.pk), version_of(other.pk)
    with committed():
        item.state = "closed"
        item.save()
    assert (version_of(plan.pk), version_of(other.pk)) == (version + 1, other_version)


def test_pages_and_logins_go_on_from_the_database_while_redis_is_down(client, settings, alice, page):
    """A Redis that does not answer (nothing listens on the port) costs the cache, never the page."""
    cache_settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.CACHES = cache_settings
    settings.SESSION_ENGINE = "zhongyuan.sessions"
    url, _figure = page
    logged_in = client.post(reverse("login"), {"username": "alice", "password": "x-Test-pass-123"})
    assert logged_in.status_code == 302
    first, second = client.get(url), client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert rendered_in_full(first) and rendered_in_full(second)
    logged_out = client.post(reverse("logout"))
    assert logged_out.status_code == 302
    assert client.get(url).status_code == 302  # the session is gone from the database
