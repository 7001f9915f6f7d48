"""The contest pages as an anonymous visitor sees them, kept for a few seconds.

When a round opens, thousands of people who are not yet signed in load the same page
in the same minute. Their page holds nothing personal (no form, no CSRF token, no
message), so it is rendered once per PAGE_SECONDS in the shared cache and served as
is, with the countdown's "now" brought up to date. A page is never kept past the next
opening or closing of a round it shows, so nobody sees a round open late.

A kept page is served by AnonymousPageMiddleware, placed just inside the security
and probe middleware: the sessions, locale, CSRF, authentication, messages, allauth
and axes layers have nothing to do for a visitor with no cookie and a page rendered
without them, so a hit costs one cache read. The page is stored with the headers the
inner layers gave it (X-Frame-Options, Vary, Content-Language) and replayed with
them; the outer layers (security headers, the request id) still run on every hit.
Only the paths a view marked with anonymous_page are looked up, so other requests
never pay for the cache read. A hit is counted in django-prometheus's per-view
metrics as the view it stands for, as PrometheusAfterMiddleware would count it.

Each worker also keeps its own copy of the pages it has served, until the same
moment the shared copy expires (the expiry travels with the page): at the opening
rush most hits need no cache round trip at all, and no copy outlives the shared one.
"""

import hashlib
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, timezone

PAGE_SECONDS = 10
_DATA_NOW = re.compile(r'data-now="[^"]*"')
# The paths (with their query) this worker has seen a view mark as kept: bounded, so
# a visitor inventing query strings cannot grow it without end.
_MARKED_PATHS: set[str] = set()
MARKED_PATHS_MAX = 2000
# This worker's copies: path -> (expires at, on the wall clock; the kept page).
_LOCAL_PAGES: dict[str, tuple[float, tuple]] = {}
LOCAL_PAGES_MAX = 50


def pages_forget() -> None:
    """Forget this worker's copies of kept pages (tests start afresh)."""
    _LOCAL_PAGES.clear()


def _cacheable(request: HttpRequest) -> bool:
    # No session and no pending message: the visitor is anonymous and the page
    # carries nothing of theirs.
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def fresh_for(*, boundaries: list[datetime], now: datetime) -> int:
    """Seconds a page may be kept: PAGE_SECONDS, or less before the next boundary."""
    ahead = [(b - now).total_seconds() for b in boundaries if b > now]
    return int(max(0, min([PAGE_SECONDS, *ahead])))


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let AnonymousPageMiddleware keep this view's page for anonymous visitors, for
    the seconds the view puts in `response.fresh_for`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if _cacheable(request):
            response.anonymous_page = True
        return response

    return wrapper


def _key(path: str) -> str:
    return "page:" + hashlib.sha256(path.encode()).hexdigest()


def _per_view_metrics() -> Any:
    """PrometheusAfterMiddleware's hooks, when it is in MIDDLEWARE; else None."""
    name = "contest_portal.ops.measured.PrometheusAfterMiddleware"
    if name not in settings.MIDDLEWARE:
        return None
    from contest_portal.ops.measured import PrometheusAfterMiddleware

    return PrometheusAfterMiddleware(lambda request: None)


def _replay(content: str, headers: list[tuple[str, str]]) -> HttpResponse:
    now_attr = f'data-now="{dateformat.format(timezone.localtime(), "c")}"'
    response = HttpResponse(_DATA_NOW.sub(now_attr, content))
    for name, value in headers:
        response[name] = value
    if "Content-Length" in response:
        response["Content-Length"] = str(len(response.content))
    return response


class AnonymousPageMiddleware:
    """Serve a kept anonymous page before the layers that have nothing to do for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.metrics = _per_view_metrics()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable(request):
            return self.get_response(request)
        path = request.get_full_path()
        if path in _MARKED_PATHS:
            hit = self._kept(path)
            if hit is not None:
                return self._hit(request, *hit)
        response = self.get_response(request)
        self._keep(path, request, response)
        return response

    @staticmethod
    def _kept(path: str) -> tuple | None:
        """The kept page: this worker's copy while the shared one lives, else the
        shared one (copied here until its expiry)."""
        now = time.time()
        local = _LOCAL_PAGES.get(path)
        if local is not None and now < local[0]:
            return local[1]
        shared = cache.get(_key(path))
        if shared is None:
            return None
        expires_at, *page = shared
        if now < expires_at:
            if len(_LOCAL_PAGES) >= LOCAL_PAGES_MAX:
                _LOCAL_PAGES.clear()
            _LOCAL_PAGES[path] = (expires_at, tuple(page))
        return tuple(page)

    def _hit(
        self,
        request: HttpRequest,
        content: str,
        headers: list[tuple[str, str]],
        view: tuple[str, list[str]],
    ) -> HttpResponse:
        # What the outer layers and the metrics read of the view that would answer.
        request.resolver_match = SimpleNamespace(view_name=view[0], namespaces=view[1])
        if self.metrics is None:
            return _replay(content, headers)
        self.metrics.process_request(request)
        self.metrics.process_view(request, None)
        return self.metrics.process_response(request, _replay(content, headers))

    @staticmethod
    def _keep(path: str, request: HttpRequest, response: HttpResponse) -> None:
        seconds = getattr(response, "fresh_for", 0)
        if not (
            getattr(response, "anonymous_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and seconds > 0
        ):
            return
        if len(_MARKED_PATHS) < MARKED_PATHS_MAX:
            _MARKED_PATHS.add(path)
        headers = [(name, value) for name, value in response.items()]
        match = request.resolver_match
        view = (match.view_name, list(match.namespaces)) if match else ("", [])
        cache.set(
            _key(path),
            (time.time() + seconds, response.content.decode(), headers, view),
            seconds,
        )
