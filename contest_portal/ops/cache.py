"""Django's Redis cache, measured for Prometheus.

django-prometheus's own Redis backends live in a module that imports django-redis,
which the portal does not use; this subclass of Django's built-in backend counts gets,
hits and misses into django-prometheus's counters (backend="redis") and times every
operation into contest_portal_cache_operation_seconds.

Django's client builds a new redis.Redis object (its response callbacks, its
command parser) for every operation, which costs more CPU than the round trip on
loopback; here each connection pool has one client, built once. A redis.Redis
without single_connection_client holds no connection of its own (it takes one from
the pool per command), so one object serves every call of its thread and a forked
worker's pool reconnects as before.

replace() sets a key only where it still exists, in one round trip: what a session
update needs (contest_portal.session_cache).
"""

import functools
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from prometheus_client import Histogram

BACKEND = "redis"
# A Redis round trip on a local network takes well under a millisecond.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

operation_seconds = Histogram(
    "contest_portal_cache_operation_seconds",
    "Time of each cache operation, by backend and operation.",
    ["backend", "operation"],
    buckets=BUCKETS,
)
_MISSING = object()
# The series of a get, the session's read on every signed-in request, looked up once
# (each labels() call hashes its values and takes a lock).
_GETS = django_cache_get_total.labels(backend=BACKEND)
_GET_FAILS = django_cache_get_fail_total.labels(backend=BACKEND)
_MISSES = django_cache_misses_total.labels(backend=BACKEND)
_HITS = django_cache_hits_total.labels(backend=BACKEND)
_GET_TIMER = operation_seconds.labels(BACKEND, "get")


def _timed(operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
    timer = operation_seconds.labels(BACKEND, operation)

    @functools.wraps(method)
    def timed(self: DjangoRedisCache, *args: Any, **kwargs: Any) -> Any:
        with timer.time():
            return method(self, *args, **kwargs)

    return timed


class ReusedClient(RedisCacheClient):
    """Django's Redis cache client, with one redis.Redis per connection pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        if not write and len(self._servers) > 1:  # a replica picked at random
            return super().get_client(key, write=write)
        client = self._clients.get(0)
        if client is None:
            pool = self._get_connection_pool(True)  # the first server's pool
            client = self._clients[0] = self._client(connection_pool=pool)
        return client

    def replace(self, key: Any, value: Any, timeout: int | None) -> bool:
        client = self.get_client(key, write=True)
        if timeout == 0:
            return bool(client.delete(key))
        return bool(client.set(key, self._serializer.dumps(value), ex=timeout, xx=True))


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache with metrics, its client reused."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClient

    add = _timed("add", DjangoRedisCache.add)
    set = _timed("set", DjangoRedisCache.set)
    touch = _timed("touch", DjangoRedisCache.touch)
    delete = _timed("delete", DjangoRedisCache.delete)
    get_many = _timed("get_many", DjangoRedisCache.get_many)
    has_key = _timed("has_key", DjangoRedisCache.has_key)
    incr = _timed("incr", DjangoRedisCache.incr)
    set_many = _timed("set_many", DjangoRedisCache.set_many)
    delete_many = _timed("delete_many", DjangoRedisCache.delete_many)
    clear = _timed("clear", DjangoRedisCache.clear)

    def _replace(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._cache.replace(key, value, self.get_backend_timeout(timeout))

    # Set a key only where it is still there (Redis SET ... XX), in one round trip;
    # False when it was not (contest_portal.session_cache).
    replace = _timed("replace", _replace)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        _GETS.inc()
        try:
            with _GET_TIMER.time():
                value = super().get(key, _MISSING, version)
        except Exception:
            _GET_FAILS.inc()
            raise
        if value is _MISSING:
            _MISSES.inc()
            return default
        _HITS.inc()
        return value
