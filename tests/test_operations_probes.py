"""Liveness and readiness (contest_portal/ops/probes.py).

Readiness is checked against real dependencies: the test database, Redis on
127.0.0.1:6379, and ports nothing listens on for the ones that are down. The
database-down case runs the production settings in a subprocess whose DATABASE_URL
points at such a port.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

PROJECT_DIR = Path(__file__).resolve().parent.parent
REDIS_UP = "redis://127.0.0.1:6379/11"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "contest_portal.ops.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "ops-probes-test",
        }
    }


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(
    not redis_reachable(), reason="Redis is not reachable at 127.0.0.1:6379"
)


# --- liveness ---------------------------------------------------------------------
# No django_db mark: a query made by /healthz would fail these tests.


def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_whatever_the_host_header(client):
    refused = client.get(reverse("accounts:login"), HTTP_HOST="evil.example")

    response = client.get("/healthz", HTTP_HOST="evil.example")

    assert refused.status_code == 400  # the host check is on for other pages
    assert response.status_code == 200


def test_healthz_answers_head_and_refuses_a_post(client):
    head = client.head("/healthz")

    post = client.post("/healthz")

    assert head.status_code == 200
    assert post.status_code == 405


# --- readiness --------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_and_no_redis_configured(client):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.content.decode() == "database: ok\n"
    assert "no-store" in response["Cache-Control"]


@needs_redis
@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_and_redis_answer(client):
    with override_settings(CACHES=redis_cache(REDIS_UP)):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content.decode() == "database: ok\nredis: ok\n"


@pytest.mark.django_db
def test_readyz_is_503_when_redis_does_not_answer(client):
    down = f"redis://127.0.0.1:{closed_port()}/0"

    with override_settings(CACHES=redis_cache(down)):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content.decode() == (
        "database: ok\nredis: unavailable (ConnectionError)\n"
    )
    assert "no-store" in response["Cache-Control"]


# --- with production settings, in a process of their own ----------------------------

PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1:8000")  # not an allowed host, plain HTTP
answers = {}
for path in ("/healthz", "/readyz"):
    response = client.get(path)
    answers[path] = [response.status_code, response.content.decode()]
print(json.dumps(answers))
"""


def production_probe(**variables: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults_settings",
        DJANGO_SECRET_KEY="ops-probes-test-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="cuocthi.example.vn",
        DJANGO_LOG_LEVEL="CRITICAL",
        **variables,
    )
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_readyz_is_503_with_the_database_unreachable():
    database = f"postgres://postgres@127.0.0.1:{closed_port()}/portal"

    answers = production_probe(DATABASE_URL=database)

    assert answers["/healthz"] == [200, "ok"]
    assert answers["/readyz"] == [503, "database: unavailable (OperationalError)\n"]


def postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


@needs_redis
@pytest.mark.skipif(not postgres_reachable(), reason="no PostgreSQL on 127.0.0.1")
def test_readyz_in_production_is_ready_with_postgresql_and_redis():
    answers = production_probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL=REDIS_UP,
        DJANGO_CACHE_KEY_PREFIX="ops-probes-test",
    )

    assert answers["/healthz"] == [200, "ok"]
    assert answers["/readyz"] == [200, "database: ok\nredis: ok\n"]


@needs_redis
@pytest.mark.skipif(not postgres_reachable(), reason="no PostgreSQL on 127.0.0.1")
def test_readyz_in_production_is_503_with_redis_unreachable():
    answers = production_probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    assert answers["/readyz"] == [
        503,
        "database: ok\nredis: unavailable (ConnectionError)\n",
    ]
