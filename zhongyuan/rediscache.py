"""Django's Redis cache backend, changed for a Redis that is shared and may fail.

- One `redis.Redis` client per connection pool, made once: Django's client builds a new one for
  every cache call, which cost about a third of a page served from the page cache.
- `clear()` deletes only this installation's keys (those under its KEY_PREFIX) instead of
  flushing the whole Redis database.
- Redis being down or slow is never an error: every call answers as if the key were missing
  (reads give the default, writes report failure, `incr` raises ValueError as for a missing key)
  and logs a warning. What is kept in Redis is also in the database (see targets/shared.py), so
  pages go on working from the database.
"""

import logging

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis import RedisError

logger = logging.getLogger(__name__)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _tolerant(name, on_error):
    method = getattr(DjangoRedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("Redis unavailable (%s): %s", name, error)
            return on_error(*args, **kwargs)

    call.__name__ = name
    return call


def _missing_for_incr(*args, **kwargs):
    raise ValueError("Redis unavailable")


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda keys, version=None: {})
    has_key = _tolerant("has_key", lambda key, version=None: False)
    add = _tolerant("add", lambda *args, **kwargs: False)
    set = _tolerant("set", lambda *args, **kwargs: None)
    touch = _tolerant("touch", lambda *args, **kwargs: False)
    delete = _tolerant("delete", lambda *args, **kwargs: False)
    set_many = _tolerant("set_many", lambda data, *args, **kwargs: list(data))
    delete_many = _tolerant("delete_many", lambda *args, **kwargs: None)
    incr = _tolerant("incr", _missing_for_incr)

    def clear(self):
        client = self._cache.get_client(write=True)
        pattern = self.make_key("*")
        removed = 0
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) == 500:
                removed += client.delete(*batch)
                batch = []
        if batch:
            removed += client.delete(*batch)
        return bool(removed)
