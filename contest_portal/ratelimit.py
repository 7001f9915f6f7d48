"""Fixed-window request limits per user and per client address, counted in the cache.

Each limited view has a scope in settings.RATE_LIMITS: {"user": (count, seconds),
"ip": (count, seconds)}. A request over either limit gets HTTP 429 with a Vietnamese
message (JSON for the endpoints the page's script calls) and a Retry-After header.
Counters live in Django's default cache, Redis in production, whose INCR is atomic
across workers and servers. A fixed window can let through up to twice the limit
around a window's edge; the limits are set far from real use, so that is harmless.
"""

import hashlib
import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from contest_portal.client_ip import client_ip

KEY_PREFIX = "rl"

KeyFunc = Callable[[HttpRequest], str | None]


@dataclass(frozen=True, slots=True)
class Window:
    key: str
    retry_after: int  # whole seconds until the window ends
    kind: str = ""


def clock() -> float:
    """The time windows are counted by; the one place tests pin it."""
    return time.time()


def window_for(
    *, scope: str, kind: str, ident: str, seconds: int, now: float
) -> Window:
    """The counter's cache key for this window and the seconds left in it."""
    index = int(now // seconds)
    # Hashed so a phone number or address never sits in the cache in clear.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"{KEY_PREFIX}:{scope}:{kind}:{seconds}:{digest}:{index}"
    return Window(
        key=key,
        retry_after=max(1, math.ceil((index + 1) * seconds - now)),
        kind=kind,
    )


_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# Every window's counter in one command: SET NX gives a new window's key its expiry,
# INCR counts; a script runs atomically, as MULTI/EXEC would, but is one command to
# send and one reply to read instead of six.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""


def count_hits(windows: list[tuple[str, int]], store: BaseCache) -> list[int]:
    """Add one to each (key, seconds) window's counter; return the new counts.

    On Redis, every counter in one round trip (_COUNT_SCRIPT). Elsewhere,
    count_hit one by one.
    """
    if store is cache:  # the proxy: the backend behind it decides
        store = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(store, RedisCache):
        return [
            count_hit(key=key, seconds=seconds, store=store) for key, seconds in windows
        ]
    script = _clients.get(store)
    if script is None:
        # Django builds a new client object per call, which costs more CPU than
        # the round trip: one per cache backend (per thread) is enough.
        client = store._cache.get_client(write=True)
        script = _clients[store] = client.register_script(_COUNT_SCRIPT)
    counts = script(
        keys=[store.make_and_validate_key(key) for key, _seconds in windows],
        args=[seconds + 1 for _key, seconds in windows],
    )
    return [int(count) for count in counts]


def count_hit(*, key: str, seconds: int, store: BaseCache) -> int:
    """Add one to the window's counter and return the new count."""
    if isinstance(store, RedisCache):
        return count_hits([(key, seconds)], store)[0]
    # incr() fails on a missing key; add() only writes a missing key, so two
    # first requests of a window can't both count as one.
    try:
        return store.incr(key)
    except ValueError:
        pass
    if store.add(key, 1, timeout=seconds + 1):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired in between: a new window has begun
        store.add(key, 1, timeout=seconds + 1)
        return 1


def over_limit(
    *,
    scope: str,
    kind: str,
    ident: str,
    limit: int,
    seconds: int,
    now: float | None = None,
    store: BaseCache | None = None,
) -> int | None:
    """Count one request; the seconds to wait when it is over the limit, else None."""
    window = window_for(
        scope=scope,
        kind=kind,
        ident=ident,
        seconds=seconds,
        now=clock() if now is None else now,
    )
    count = count_hit(key=window.key, seconds=seconds, store=store or cache)
    return window.retry_after if count > limit else None


def by_user(request: HttpRequest) -> str | None:
    """The logged-in user's id; anonymous requests are limited per address only."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return None


def check_request(
    request: HttpRequest, scope: str, user_key: KeyFunc = by_user
) -> int | None:
    """Count a request against its scope's limits; seconds to wait when refused."""
    if not getattr(settings, "RATE_LIMIT_ENABLED", True):
        return None
    limits = settings.RATE_LIMITS[scope]
    now = clock()
    checks = [
        (
            window_for(scope=scope, kind=kind, ident=ident, seconds=seconds, now=now),
            limit,
        )
        for kind, ident in (("user", user_key(request)), ("ip", client_ip(request)))
        if kind in limits and ident
        for limit, seconds in [limits[kind]]
    ]
    counts = count_hits(
        [(window.key, limits[window.kind][1]) for window, _limit in checks], cache
    )
    for n, ((window, limit), count) in enumerate(zip(checks, counts, strict=True)):
        if count > limit:
            # The user first: a request refused for one user gives back what it
            # counted on the address, so it doesn't use up the budget of everyone
            # else behind the same address.
            for later, _limit in checks[n + 1 :]:
                cache.decr(later.key)
            return window.retry_after
    return None


def too_many_requests(
    request: HttpRequest, retry_after: int, *, as_json: bool
) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    message = _(
        "Bạn thao tác quá nhanh. Vui lòng chờ khoảng %(minutes)d phút rồi thử lại."
    ) % {"minutes": minutes}
    if as_json:
        response: HttpResponse = JsonResponse(
            {"ok": False, "error": message, "retry_after": retry_after}, status=429
        )
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(
    scope: str,
    *,
    user_key: KeyFunc = by_user,
    methods: tuple[str, ...] = ("POST",),
    as_json: bool = False,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view's requests (POST by default) by settings.RATE_LIMITS[scope]."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                wait = check_request(request, scope, user_key)
                if wait is not None:
                    return too_many_requests(request, wait, as_json=as_json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
