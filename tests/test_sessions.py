"""Sessions: a new key at login, nothing left on the server at logout, with the
database backend of a developer's copy and the cache backend production uses."""

from importlib import import_module

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

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
