"""State that every server process must see at once, kept in Redis when `REDIS_URL` is set.

Two things are read on every page view and change rarely: the data version of the plan a cached
page shows (see `pagecache`) and the logged-in user. Without a shared cache both come from the
database, one query each. With Redis (the cache alias "shared") both are read from Redis, and a
page served from the page cache needs no SQL at all.

Data versions in Redis. The database's `Plan.data_version` is still moved in the transaction
that changes the data; Redis holds, per plan, a generation that is moved *after* that
transaction commits, plus an epoch for changes that touch every plan and a counter moved by
every change at all. A page records the generation it was read at; it is served from the cache
only while the plan's (epoch, generation) is unchanged. Because the generation moves only after
the commit, a page rendered from old data never carries the new generation. The one window is
data read before the view named its plan: the wrapper notes the every-change counter before
the view runs and does not cache the page if it moved meanwhile. A key missing from Redis (a
restart, an eviction) starts again at the current time in nanoseconds, a value no cached page
holds. While Redis does not answer at all, pages carry and compare the database's version as they
do without Redis; a change saved while Redis was unreachable cannot move its generation there,
so its plan's pages cached before may be served for up to PAGE_CACHE_SECONDS once Redis is back.

Users in Redis. `CachedModelBackend.get_user` keeps each user object for `USER_CACHE_SECONDS`;
saving or deleting a user or changing the user's groups or permissions drops the entry, in every
process at once since Redis is shared.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.db import transaction

ALIAS = "shared"
EVERY_CHANGE = "dv:any"
EPOCH = "dv:epoch"


def shared_cache():
    """The Redis cache when one is configured, else None."""
    return caches[ALIAS] if ALIAS in settings.CACHES else None


def _plan_key(plan_id: int) -> str:
    return f"dv:plan:{plan_id}"


def _fresh() -> int:
    return time.time_ns()


def _read(cache, keys: list[str]) -> list[int] | None:
    """The counters under these keys, starting any that are missing; None when Redis is down."""
    found = cache.get_many(keys)
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, _fresh(), timeout=None)
            value = cache.get(key)
            if value is None:
                return None
        values.append(value)
    return values


def _move(cache, keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # missing: start afresh, above any value a cached page holds
            cache.set(key, _fresh(), timeout=None)


def every_change_counter() -> int | None:
    """The counter moved by every change, read before a page is rendered (None: no Redis)."""
    cache = shared_cache()
    values = None if cache is None else _read(cache, [EVERY_CHANGE])
    return None if values is None else values[0]


def plan_version(plan_id: int) -> tuple[int, int, int] | None:
    """(every-change counter, epoch, plan generation) as Redis holds them now (None: no Redis)."""
    values = _read(shared_cache(), [EVERY_CHANGE, EPOCH, _plan_key(plan_id)])
    return None if values is None else tuple(values)


def plan_token(plan_id: int) -> tuple[int, int] | None:
    """What a cached page of this plan must match to be served: (epoch, plan generation).

    None when Redis does not answer: the caller then compares the database's version, which
    pages rendered meanwhile carry (see `pagecache.note_plan`).
    """
    values = _read(shared_cache(), [EPOCH, _plan_key(plan_id)])
    return None if values is None else tuple(values)


def move_plan_versions(plan_ids: list[int] | None) -> None:
    """After the running transaction commits, move these plans' generations (None: every plan)."""
    cache = shared_cache()
    if cache is None:
        return
    keys = [EPOCH] if plan_ids is None else [_plan_key(pk) for pk in plan_ids]
    transaction.on_commit(lambda: _move(cache, [*keys, EVERY_CHANGE]))


# ------------------------------------------------------------------------------------- users


def _user_key(user_id) -> str:
    return f"user:{user_id}"


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, with the logged-in user read from Redis when it is configured."""

    def get_user(self, user_id):
        cache = shared_cache()
        if cache is None:
            return super().get_user(user_id)
        key = _user_key(user_id)
        user = cache.get(key)
        if user is None:
            model = get_user_model()
            try:
                user = model._default_manager.get(pk=user_id)
            except model.DoesNotExist:
                return None
            cache.set(key, user, settings.USER_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None


def forget_user(user_id) -> None:
    """Drop a cached user now and again after the running transaction commits."""
    cache = shared_cache()
    if cache is None or user_id is None:
        return
    key = _user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _user_changed(sender, instance, **kwargs):
    forget_user(instance.pk)


def _user_relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    user_model = get_user_model()
    if isinstance(instance, user_model):
        forget_user(instance.pk)
    elif model is user_model:
        # group.user_set.add(...) and the like: the users are the other side.
        for pk in pk_set or instance.user_set.values_list("pk", flat=True):
            forget_user(pk)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="shared.user.save")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="shared.user.delete")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        uid = f"shared.{through._meta.label}"
        m2m_changed.connect(_user_relations_changed, sender=through, dispatch_uid=uid)
    # A group's own permissions are read per request, never kept on the cached user: nothing to drop.
