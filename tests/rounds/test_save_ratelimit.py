"""The save's rate limits on Redis, as production counts them: both scopes (the
user and the address) in one round trip, and a request refused for its user gives
back what it counted on the address."""

import uuid

import pytest
import redis

from contest_portal import ratelimit
from contest_portal.ratelimit import check_request, window_for

LOCATION = "redis://127.0.0.1:6379/5"
ADDRESS = "203.0.113.7"


@pytest.fixture
def redis_cache(settings):
    try:
        redis.Redis.from_url(LOCATION, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    prefix = f"cp-test-save-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LOCATION,
            "KEY_PREFIX": prefix,
        }
    }
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {"attempt-save": {"user": (2, 60), "ip": (100, 60)}}
    from django.core.cache import caches

    yield caches["default"]
    client = redis.Redis.from_url(LOCATION)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


class _Request:
    META = {"REMOTE_ADDR": ADDRESS}

    class user:  # noqa: N801
        is_authenticated = True
        pk = 42


def _count(store, kind: str, ident: str) -> int | None:
    now = ratelimit.clock()
    key = window_for(
        scope="attempt-save", kind=kind, ident=ident, seconds=60, now=now
    ).key
    return store.get(key)


def test_both_scopes_are_counted_in_one_round_trip(redis_cache, monkeypatch):
    sent = []
    original = redis.client.Redis.execute_command

    def execute_command(self, *args, **kwargs):
        sent.append(args[:2])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Redis, "execute_command", execute_command)

    wait = check_request(_Request(), "attempt-save")

    assert wait is None
    # One script for both scopes (loaded first if the server lacks it).
    assert [name for name, _ in sent if name != "SCRIPT LOAD"] in (
        ["EVALSHA"],
        ["EVALSHA", "EVALSHA"],  # the first try told the script was missing
    )
    assert _count(redis_cache, "user", "42") == 1
    assert _count(redis_cache, "ip", ADDRESS) == 1


def test_a_refused_user_gives_back_the_address_count(redis_cache):
    for _ in range(2):
        assert check_request(_Request(), "attempt-save") is None

    wait = check_request(_Request(), "attempt-save")

    assert wait is not None
    assert _count(redis_cache, "user", "42") == 3
    assert _count(redis_cache, "ip", ADDRESS) == 2


def test_a_new_window_expires_with_its_window(redis_cache):
    check_request(_Request(), "attempt-save")

    now = ratelimit.clock()
    key = window_for(
        scope="attempt-save", kind="ip", ident=ADDRESS, seconds=60, now=now
    ).key
    ttl = redis_cache._cache.get_client(key).ttl(redis_cache.make_and_validate_key(key))
    assert 0 < ttl <= 61
