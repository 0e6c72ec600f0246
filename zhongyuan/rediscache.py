"""Django's Redis cache backend with two changes for a Redis that several installations share.

- One `redis.Redis` client per connection pool, made once: Django's client builds a new one for
  every cache call, which cost about a third of a page served from the page cache.
- `clear()` deletes only this installation's keys (those under its KEY_PREFIX) instead of
  flushing the whole Redis database.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

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
