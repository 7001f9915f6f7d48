"""Prometheus metrics at /metrics, for the addresses allowed to scrape them.

django-prometheus measures requests (its two middlewares: rate, latency, status and
exceptions per view) and queries (its database backends, swapped in by the settings);
contest_portal.ops.cache times the Redis cache. PortalCollector adds the portal's own
gauges, computed when Prometheus scrapes, with one cheap query each: attempts open now
(and open past their deadline, waiting for the sweeper), and the background task queue.

Only addresses in DJANGO_METRICS_ALLOWED_IPS (addresses or networks; loopback by
default) may scrape, judged by contest_portal.client_ip like everything else; anyone
else gets the site's ordinary 404. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory the workers can write: each worker keeps
its figures there and any worker's scrape adds them all up (prometheus_client's
multiprocess mode).
"""

import functools
import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contest_portal.client_ip import client_ip

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def allowed_networks() -> tuple[Network, ...]:
    """DJANGO_METRICS_ALLOWED_IPS as networks; a malformed entry raises ValueError."""
    return _networks(tuple(getattr(settings, "METRICS_ALLOWED_IPS", ())))


def scrape_allowed(request: HttpRequest) -> bool:
    """Whether metrics are on and the client's address may read them."""
    if not getattr(settings, "METRICS_ENABLED", False):
        return False
    address = ipaddress.ip_address(client_ip(request))
    return any(address in network for network in allowed_networks())


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class PortalCollector(Collector):
    """The portal's gauges, read from the database at each scrape."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registration asks for the names: answer without touching the database.
        yield from self._attempt_families()
        yield from self._task_families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            yield from self._attempt_families(_attempt_counts())
        except DatabaseError as error:
            logger.warning("metrics: open attempts not counted: %s", error)
        try:
            yield from self._task_families(_task_counts())
        except DatabaseError as error:
            logger.warning("metrics: task queue not counted: %s", error)

    @staticmethod
    def _attempt_families(counts: dict[str, int] | None = None):
        open_now = GaugeMetricFamily(
            "contest_portal_open_attempts",
            "Attempts open now (started, not submitted, deadline not passed).",
        )
        overdue = GaugeMetricFamily(
            "contest_portal_overdue_open_attempts",
            "Attempts still open after their deadline: the sweeper has not finished them.",
        )
        if counts is not None:
            open_now.add_metric([], counts["open"])
            overdue.add_metric([], counts["overdue"])
        return [open_now, overdue]

    @staticmethod
    def _task_families(counts: dict[tuple[str, str], int] | None = None):
        queued = GaugeMetricFamily(
            "contest_portal_task_queue_depth",
            "Background tasks (exports) waiting for a worker, per queue.",
            labels=["queue"],
        )
        running = GaugeMetricFamily(
            "contest_portal_tasks_running",
            "Background tasks (exports) being run by a worker now, per queue.",
            labels=["queue"],
        )
        if counts is not None:
            queues = sorted({"default"} | {queue for queue, _ in counts})
            for queue in queues:
                queued.add_metric([queue], counts.get((queue, "READY"), 0))
                running.add_metric([queue], counts.get((queue, "RUNNING"), 0))
        return [queued, running]


def _attempt_counts() -> dict[str, int]:
    from rounds.models import Attempt

    now = timezone.now()
    # One query over the (status, deadline) index, on the primary: a replica lags.
    return (
        Attempt.objects.using("default")
        .filter(status=Attempt.Status.OPEN)
        .aggregate(
            open=Count("pk", filter=Q(deadline__gt=now)),
            overdue=Count("pk", filter=Q(deadline__lte=now)),
        )
    )


def _task_counts() -> dict[tuple[str, str], int]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.using("default")
        .filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .order_by()  # the model's ordering would split the groups
        .values_list("queue_name", "status")
        .annotate(count=Count("pk"))
    )
    return {(queue, status): count for queue, status, count in rows}


# Kept apart from prometheus_client's REGISTRY: nothing else that reads the
# default registry should run queries.
_PORTAL_REGISTRY = CollectorRegistry(auto_describe=True)
_PORTAL_REGISTRY.register(PortalCollector())


def metrics_text() -> bytes:
    """Every metric in Prometheus' text format, all workers' when multiprocess."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_PORTAL_REGISTRY)


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The scrape; ProbesMiddleware lets only allowed addresses reach it."""
    response = HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
