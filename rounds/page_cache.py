"""The contest pages as an anonymous visitor sees them, kept for a few seconds.

When a round opens, thousands of people who are not yet signed in load the same page
in the same minute. Their page holds nothing personal (no form, no CSRF token, no
message), so it is rendered once per PAGE_SECONDS in the shared cache and served as
is, with the countdown's "now" brought up to date. A page is never kept past the next
opening or closing of a round it shows, so nobody sees a round open late.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, timezone

PAGE_SECONDS = 10
_DATA_NOW = re.compile(r'data-now="[^"]*"')


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
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = "page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
        now_attr = f'data-now="{dateformat.format(timezone.localtime(), "c")}"'
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(
                _DATA_NOW.sub(now_attr, content), content_type=content_type
            )
        response = view(request, *args, **kwargs)
        seconds = getattr(response, "fresh_for", 0)
        if response.status_code == 200 and not response.cookies and seconds > 0:
            cache.set(
                key, (response.content.decode(), response["Content-Type"]), seconds
            )
        return response

    return wrapper
