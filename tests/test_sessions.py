"""Sessions: a new key at login, nothing left on the server at logout, with the
database backend of a developer's copy and the cache backend production uses."""

from importlib import import_module

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.test import Client, override_settings
from django.urls import reverse
from prometheus_client import REGISTRY

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@2024"
# Database 13 with its own prefix: never another run's keys.
TEST_REDIS = "redis://127.0.0.1:6379/13"


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_REDIS, socket_timeout=1).ping())
    except redis.RedisError:
        return False


NEEDS_REDIS = pytest.mark.skipif(not redis_up(), reason="Redis is not running")
# What production runs with REDIS_URL set (contest_portal/settings.py).
PRODUCTION = {
    "SESSION_ENGINE": "contest_portal.session_cache",
    "CACHES": {
        "default": {
            "BACKEND": "contest_portal.ops.cache.RedisCache",
            "LOCATION": TEST_REDIS,
            "KEY_PREFIX": "websec-test",
        }
    },
}

BACKENDS = [
    pytest.param({"SESSION_ENGINE": "django.contrib.sessions.backends.db"}, id="db"),
    pytest.param(
        {"SESSION_ENGINE": "django.contrib.sessions.backends.cache"},
        id="cache-locmem",
    ),
    pytest.param(
        {
            "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
            "CACHES": {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": TEST_REDIS,
                    "KEY_PREFIX": "websec-test",
                }
            },
        },
        id="cache-redis",
        marks=pytest.mark.skipif(not redis_up(), reason="Redis is not running"),
    ),
    pytest.param(
        {"SESSION_ENGINE": "contest_portal.session_cache"}, id="portal-locmem"
    ),
    pytest.param(PRODUCTION, id="portal-redis", marks=NEEDS_REDIS),
]


@pytest.fixture(params=BACKENDS)
def backend(request):
    with override_settings(**request.param):
        yield
    if "CACHES" in request.param:
        redis.Redis.from_url(TEST_REDIS).flushdb()


def store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def log_in(client: Client, user) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": user.phone, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_login_gives_a_new_session_key_and_forgets_the_old_one(backend):
    user = UserFactory()
    client = Client()
    planted = store()
    planted["campaign"] = "from-a-link"
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    log_in(client, user)

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not store().exists(planted.session_key)
    assert store(new_key).get("_auth_user_id") == str(user.pk)


def test_logout_ends_the_session_on_the_server(backend):
    user = UserFactory()
    client = Client()
    log_in(client, user)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not store().exists(old_key)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_key
    page = thief.get(reverse("accounts:profile"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:login"))


def test_a_stolen_cookie_works_until_logout(backend):
    """The control for the test above: the copied cookie did authenticate before."""
    user = UserFactory()
    client = Client()
    log_in(client, user)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    page = thief.get(reverse("accounts:profile"))

    assert page.status_code == 200


def _read_by_a_request(user) -> tuple[Client, str, object]:
    """A logged-in browser, its session key, and the session as a request read it."""
    client = Client()
    log_in(client, user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = store(key)
    assert session.get("_auth_user_id") == str(user.pk)
    return client, key, session


def test_a_late_update_never_brings_back_a_session_ended_elsewhere(backend):
    # A request that read the session before the logout.
    client, key, in_flight = _read_by_a_request(UserFactory())

    assert client.post(reverse("accounts:logout")).status_code == 302
    in_flight["_auth_user_credential"] = "written after the logout"
    with pytest.raises(UpdateError):
        in_flight.save()

    assert not store().exists(key)


def _cache_operations() -> dict[str, float]:
    return {
        operation: REGISTRY.get_sample_value(
            "contest_portal_cache_operation_seconds_count",
            {"backend": "redis", "operation": operation},
        )
        or 0.0
        for operation in ("get", "set", "add", "replace")
    }


@NEEDS_REDIS
@override_settings(**PRODUCTION)
def test_production_updates_a_session_in_one_round_trip_reading_nothing_back():
    user = UserFactory()
    _client, key, session = _read_by_a_request(user)
    session["campaign"] = "from-a-link"
    try:
        before = _cache_operations()
        session.save()
        after = _cache_operations()

        assert {op: after[op] - before[op] for op in after} == {
            "get": 0,
            "set": 0,
            "add": 0,
            "replace": 1,
        }
        assert store(key).get("campaign") == "from-a-link"
        assert store(key).get("_auth_user_id") == str(user.pk)
    finally:
        redis.Redis.from_url(TEST_REDIS).flushdb()


def test_the_session_cookie_is_httponly_and_same_site():
    user = UserFactory()
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": user.phone, "password": PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
