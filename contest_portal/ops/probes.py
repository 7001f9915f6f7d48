"""Liveness (/healthz) and readiness (/readyz) probes, and the door to /metrics.

Compose health checks and load balancers call the containers by address (127.0.0.1, a
container's IP), which is not an allowed host in production, so ProbesMiddleware
answers these paths itself: after SecurityMiddleware (settings exempt them from the
HTTPS redirect) and before CommonMiddleware reads the Host header, sessions, locale or
authentication. The URL patterns name the same views, so `reverse()` works and they
still answer if the middleware is left out.

/healthz touches nothing: 200 while the process can answer. /readyz asks each
dependency once, cheaply (SELECT 1 on the default database; a GET on each Redis
cache) and answers 503 with one short line per dependency when one fails.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from contest_portal.ops import metrics

logger = logging.getLogger(__name__)

READY_KEY = "ops:readyz"  # read, never written: a miss is a fine answer


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        text, content_type="text/plain; charset=utf-8", status=status
    )
    add_never_cache_headers(response)
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return _plain("ok")


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis_aliases() -> list[str]:
    return [
        alias
        for alias, options in settings.CACHES.items()
        if "redis" in options.get("BACKEND", "").lower()
    ]


def _cache(alias: str) -> Callable[[], None]:
    def check() -> None:
        caches[alias].get(READY_KEY)

    return check


def dependency_checks() -> list[tuple[str, Callable[[], None]]]:
    """(name, check) for the default database and each Redis cache."""
    checks = [("database", _database)]
    for alias in _redis_aliases():
        name = "redis" if alias == "default" else f"redis {alias}"
        checks.append((name, _cache(alias)))
    return checks


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when every dependency answers, else 503 saying which does not."""
    lines, ready = [], True
    for name, check in dependency_checks():
        try:
            check()
        except Exception as error:  # any failure means "not ready", whatever it is
            ready = False
            # The reason stays short on the page (it may be public); the log has detail.
            lines.append(f"{name}: unavailable ({type(error).__name__})")
            logger.warning("readiness: %s unavailable: %s", name, error)
        else:
            lines.append(f"{name}: ok")
    return _plain("\n".join(lines) + "\n", status=200 if ready else 503)


class ProbesMiddleware:
    """Answer /healthz, /readyz and (to allowed addresses) /metrics before host checks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        metrics.allowed_networks()  # a malformed DJANGO_METRICS_ALLOWED_IPS fails here

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == "/healthz":
            response = healthz(request)
        elif path == "/readyz":
            response = readyz(request)
        elif path == "/metrics" and metrics.scrape_allowed(request):
            response = metrics.metrics_view(request)
        else:
            # Everyone else, /metrics from elsewhere included: the site's own 404.
            return self.get_response(request)
        # A probe skips the middleware below, XFrameOptionsMiddleware among them.
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
