"""Prometheus metrics at /metrics (contest_portal/ops/metrics.py, cache.py).

Read as Prometheus reads them: the text format from /metrics, parsed by
prometheus_client's own parser. Counters are process-wide, so each test compares
a figure before and after what it does.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from reports.tasks import run_export_job
from rounds.services import attempt_start
from tests.factories import UserFactory, make_finished_attempt

PROJECT_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may scrape -------------------------------------------------------------------


@pytest.mark.django_db
def test_loopback_may_scrape(client):
    samples = scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_HOST="10.0.0.5:8000")

    assert any(
        name == "django_http_requests_before_middlewares_total" for name, _ in samples
    )


@pytest.mark.django_db
def test_ipv6_loopback_may_scrape(client):
    response = client.get("/metrics", REMOTE_ADDR="::1")

    assert response.status_code == 200


@pytest.mark.django_db
def test_another_address_gets_the_sites_404(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 404
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_open_the_door(client):
    # No trusted proxy: only the socket's address counts.
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1"
    )

    assert response.status_code == 404


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_real_client_address_decides(client):
    # nginx on loopback forwards an outside client: that client is refused.
    outside = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert outside.status_code == 404


@pytest.mark.django_db
@override_settings(METRICS_ALLOWED_IPS=["10.89.0.0/16"])
def test_an_allowed_network_may_scrape_and_loopback_then_may_not(client):
    inside = client.get("/metrics", REMOTE_ADDR="10.89.3.7")

    loopback = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert inside.status_code == 200
    assert loopback.status_code == 404


@pytest.mark.django_db
@override_settings(METRICS_ENABLED=False)
def test_metrics_switched_off_are_a_404_to_everyone(client):
    response = client.get("/metrics")

    assert response.status_code == 404


# --- what they say ----------------------------------------------------------------


@pytest.mark.django_db
def test_per_view_counters_count_each_request_and_its_status(client):
    before = scrape(client)

    for _ in range(3):
        assert client.get(reverse("rounds:home")).status_code == 200
    assert client.get("/khong-co-trang-nay/").status_code == 404
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    home = {"view": "rounds:home", "method": "GET"}
    assert (
        delta(
            "django_http_requests_total_by_view_transport_method_total",
            transport="http",
            **home,
        )
        == 3
    )
    assert (
        delta(
            "django_http_responses_total_by_status_view_method_total",
            status="200",
            **home,
        )
        == 3
    )
    assert (
        delta("django_http_requests_latency_seconds_by_view_method_count", **home) == 3
    )
    assert delta("django_http_responses_total_by_status_total", status="404") == 1


@pytest.mark.django_db
def test_queries_are_timed_per_database(client):
    before = scrape(client)

    client.get(reverse("rounds:home"))
    after = scrape(client)

    from django.db import connection

    labels = {"alias": "default", "vendor": connection.vendor}
    count = "django_db_query_duration_seconds_count"
    assert value(after, count, **labels) > value(before, count, **labels)


@pytest.mark.django_db
def test_each_statement_is_counted_and_timed_and_its_errors_counted(client):
    from django.db import DatabaseError, connection, transaction

    labels = {"alias": "default", "vendor": connection.vendor}
    before = scrape(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.executemany(
            "UPDATE accounts_user SET is_active = is_active WHERE id = %s",
            [(-1,), (-2,), (-3,)],
        )
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM khong_co_bang_nay")
    after = scrape(client)

    def delta(name: str, **extra: str) -> float:
        return value(after, name, **labels, **extra) - value(
            before, name, **labels, **extra
        )

    # The scrape's own gauge queries run after the first reading is taken.
    assert delta("django_db_execute_total") >= 1 + 3 + 1
    assert delta("django_db_execute_many_total") == 3
    assert delta("django_db_query_duration_seconds_count") >= 1 + 1 + 1
    errors = {
        key: after[key] - before.get(key, 0.0)
        for key in after
        if key[0] == "django_db_errors_total" and after[key] != before.get(key, 0.0)
    }
    assert sum(errors.values()) == 1
    [(_name, error_labels)] = errors
    assert dict(error_labels)["alias"] == "default"
    assert dict(error_labels)["type"] in {"UndefinedTable", "OperationalError"}


@pytest.mark.django_db
def test_the_request_series_are_those_django_prometheus_counts(client, settings):
    """The kept series count into the same metric as django-prometheus's own
    middleware, request after request, and a new label value gets its own series."""
    before = scrape(client)
    for _ in range(3):
        client.get(reverse("rounds:home"))
    client.post(reverse("rounds:home"))
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("django_http_requests_total_by_method_total", method="GET") >= 3
    assert delta("django_http_requests_total_by_method_total", method="POST") == 1
    assert (
        delta(
            "django_http_responses_total_by_status_view_method_total",
            status="405",
            view="rounds:home",
            method="POST",
        )
        == 1
    )


@pytest.mark.django_db
def test_open_attempts_and_the_task_queue_are_counted_at_scrape(client, round_):
    now = timezone.now()
    for _ in range(2):
        attempt_start(user=UserFactory(), round_=round_, now=now)
    attempt_start(user=UserFactory(), round_=round_, now=now - timedelta(hours=2))
    make_finished_attempt(UserFactory(), round_, [], correct=0, at=now)
    run_export_job.enqueue(job_id=1)
    run_export_job.enqueue(job_id=2)

    samples = scrape(client)

    assert value(samples, "contest_portal_open_attempts") == 2
    assert value(samples, "contest_portal_overdue_open_attempts") == 1
    assert value(samples, "contest_portal_task_queue_depth", queue="default") == 2
    assert value(samples, "contest_portal_tasks_running", queue="default") == 0


@pytest.mark.django_db
def test_the_scrape_costs_one_query_per_gauge(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/metrics")


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db
def test_redis_operations_are_timed_and_gets_counted(client):
    from django.core.cache import cache

    caches = {
        "default": {
            "BACKEND": "contest_portal.ops.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/11",
            "KEY_PREFIX": "ops-metrics-test",
        }
    }
    before = scrape(client)
    with override_settings(CACHES=caches):
        cache.set("probe", 0, 30)
        hit = cache.get("probe", "absent")
        miss = cache.get("nothing-here", "absent")
        cache.delete("probe")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert (hit, miss) == (0, "absent")  # a stored 0 is a hit, not a miss
    timed = "contest_portal_cache_operation_seconds_count"
    assert delta(timed, backend="redis", operation="set") == 1
    assert delta(timed, backend="redis", operation="get") == 2
    assert delta(timed, backend="redis", operation="delete") == 1
    assert delta("django_cache_get_hits_total", backend="redis") == 1
    assert delta("django_cache_get_misses_total", backend="redis") == 1


# --- several gunicorn workers -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn not installed")
def test_two_gunicorn_workers_add_up_their_counters(tmp_path):
    """Slow-ish (~10 s): a real gunicorn, 2 sync workers, prometheus_client's
    multiprocess mode; whichever worker answers a scrape counts both workers."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_", "PROMETHEUS_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="contest_portal.settings",
        DJANGO_SECRET_KEY="ops-metrics-test-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="CRITICAL",
        # No tables here: the portal's gauges are skipped, the scrape still answers.
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "contest_portal.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        limit = time.monotonic() + 20
        while True:
            try:
                fetch(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < limit, log.read_text()
                time.sleep(0.2)
        counter = "django_http_requests_before_middlewares_total"
        start = value(parse(fetch(f"{base}/metrics")), counter)

        # Concurrent requests, so both workers take some.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(fetch, [f"{base}/healthz"] * 40))
        scrapes = [parse(fetch(f"{base}/metrics")) for _ in range(4)]
    finally:
        server.terminate()
        server.wait(timeout=10)

    workers = {
        path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")
    }
    assert len(workers) >= 2, workers
    # Each scrape counts every request before it, whichever worker answered:
    # the first scrape, the 40 requests, the scrapes before this one.
    totals = [value(samples, counter) - start for samples in scrapes]
    assert totals == [41, 42, 43, 44]
