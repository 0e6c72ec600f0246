"""Redis as the state every server process shares: plan versions, logged-in users, sessions.

These tests run against the Redis on REDIS_TEST_URL (default redis://127.0.0.1:6379/15), each
under a key prefix of its own. Without a reachable Redis they are skipped, unless REQUIRE_TOOLS
is set (CI sets it), when they fail instead (tests/tools.py).
"""

import datetime as dt
import os
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import review, shared
from targets.models import DataVersion, Figure
from targets.roles import REVIEWER, VIEWER, assign_role
from tests.tools import require

from .factories import make_figure, make_plan, make_target, make_task, make_user

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_settings(settings):
    if not _redis_reachable():
        require(False, f"Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "zhongyuan.rediscache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "shared"
    yield settings
    caches["shared"].clear()


def rendered_in_full(response) -> bool:
    return response.context is not None and "overall" in response.context


def as_another_process():
    """What a second server process sees: the same Redis and database, its own page cache."""
    caches["default"].clear()


@pytest.fixture
def page(plan, task):
    target = make_target(task, "1-01")
    figure = make_figure(target, dt.date(2020, 6, 1), 60, status=Figure.Status.SUBMITTED)
    return reverse("targets:plan-detail", args=[plan.pk]) + "?as_of=2020-06", figure


@pytest.fixture
def alice(db):
    user = make_user("alice")
    assign_role(user, VIEWER)
    return user


def test_a_cached_page_runs_no_sql_at_all(redis_settings, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.status_code == 200
    assert not rendered_in_full(second)
    assert [q["sql"] for q in queries] == []
    assert "alice" in second.content.decode()


def test_a_committed_change_makes_the_page_fresh_in_every_process(
    redis_settings, client, alice, page, django_capture_on_commit_callbacks
):
    url, figure = page
    client.force_login(alice)
    assert dict(client.get(url).context["overall"].counts) == {"no_data": 1}
    token = DataVersion.current(figure.target.key_task.plan_id)
    reviewer = make_user("rev")
    assign_role(reviewer, REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        review.approve([figure], user=reviewer)
    assert DataVersion.current(figure.target.key_task.plan_id) != token
    after = client.get(url)
    assert rendered_in_full(after)
    assert dict(after.context["overall"].counts) == {"on_track": 1}


def test_the_generation_moves_only_after_the_commit(redis_settings, alice, page):
    # Until the transaction commits, other processes still read the old data; a page they
    # render meanwhile must keep the old generation, so it is dropped once the change lands.
    _url, figure = page
    plan_id = figure.target.key_task.plan_id
    token = DataVersion.current(plan_id)
    figure.progress_note = "改"
    figure.save()  # inside the test's transaction, which never commits
    assert DataVersion.current(plan_id) == token


def test_a_change_in_another_plan_leaves_the_page_cached(
    redis_settings, client, alice, page, django_capture_on_commit_callbacks
):
    url, _figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        other = make_plan(district="别的区")
        make_target(make_task(other, 1), "1-01")
    cached = client.get(url)
    assert cached.status_code == 200
    assert not rendered_in_full(cached)


def test_a_change_to_every_plan_makes_every_page_fresh(
    redis_settings, client, alice, page, django_capture_on_commit_callbacks
):
    url, _figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        DataVersion.bump()
    assert rendered_in_full(client.get(url))


def test_a_page_rendered_while_something_changed_is_not_cached(
    redis_settings, client, alice, page, monkeypatch
):
    url, _figure = page
    client.force_login(alice)
    read_version = shared.plan_version

    def change_committed_meanwhile(plan_id):
        shared._move(shared.shared_cache(), [shared.EVERY_CHANGE])
        return read_version(plan_id)

    monkeypatch.setattr(shared, "plan_version", change_committed_meanwhile)
    assert rendered_in_full(client.get(url))
    assert rendered_in_full(client.get(url))
    monkeypatch.setattr(shared, "plan_version", read_version)
    assert rendered_in_full(client.get(url))
    assert not rendered_in_full(client.get(url))


def test_lost_versions_never_serve_an_old_page(redis_settings, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert rendered_in_full(client.get(url))
    # Redis restarted (it keeps nothing on disk): every version key is gone, the session too.
    for key in ("dv:any", "dv:epoch", f"dv:plan:{_figure.target.key_task.plan_id}"):
        caches["shared"].delete(key)
    assert rendered_in_full(client.get(url))
    assert not rendered_in_full(client.get(url))


def test_deactivating_a_user_logs_them_out_in_every_process(redis_settings, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert client.get(url).status_code == 200
    alice.is_active = False
    alice.save()
    as_another_process()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_taking_away_a_users_role_takes_effect_at_once(redis_settings, client, page):
    changelist = reverse("admin:targets_figure_changelist")
    bob = make_user("bob", is_staff=True)
    assign_role(bob, REVIEWER)
    client.force_login(bob)
    assert client.get(changelist).status_code == 200
    Group.objects.get(name=REVIEWER).user_set.remove(bob)
    as_another_process()
    assert client.get(changelist).status_code == 403


def test_a_renamed_user_is_shown_by_the_new_name(redis_settings, client, alice, page):
    url, _figure = page
    client.force_login(alice)
    assert "alice" in client.get(url).content.decode()
    alice.username = "alice2"
    alice.save()
    as_another_process()
    assert "alice2" in client.get(url).content.decode()


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "database"])
def test_logging_out_ends_the_session_in_every_process(with_redis, request, client, alice, page):
    if with_redis:
        request.getfixturevalue("redis_settings")
    url, _figure = page
    client.force_login(alice)
    assert client.get(url).status_code == 200
    stolen = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    as_another_process()
    client.cookies["sessionid"] = stolen
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_go_on_from_the_database_while_redis_is_down(client, alice, page, settings):
    url, figure = page
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "zhongyuan.rediscache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "shared"
    client.force_login(alice)
    first = client.get(url)
    assert first.status_code == 200
    assert dict(first.context["overall"].counts) == {"no_data": 1}
    cached = client.get(url)
    assert cached.status_code == 200
    assert not rendered_in_full(cached)
    reviewer = make_user("rev")
    assign_role(reviewer, REVIEWER)
    review.approve([figure], user=reviewer)
    after = client.get(url)
    assert rendered_in_full(after)
    assert dict(after.context["overall"].counts) == {"on_track": 1}


def test_clear_removes_only_this_installations_keys(redis_settings):
    import redis

    raw = redis.Redis.from_url(REDIS_URL)
    other = f"other-installation-{uuid.uuid4().hex}"
    raw.set(other, b"kept")
    try:
        caches["shared"].set("mine", 1)
        caches["shared"].clear()
        assert caches["shared"].get("mine") is None
        assert raw.get(other) == b"kept"
    finally:
        raw.delete(other)
