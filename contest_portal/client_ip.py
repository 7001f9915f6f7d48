"""The client's address, the one place that decides it.

Behind N reverse proxies that each append the address they received the request
from to X-Forwarded-For, the client's address is the N-th entry from the right:
everything left of it was written by the client and can be anything. With no
trusted proxy (the default) only the socket's REMOTE_ADDR counts, so a forged
header changes nothing. Login lockout (django-axes) and the rate limiter both
call client_ip(), so they always agree on who the client is.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def pick_client_ip(remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The client address from the socket address and the X-Forwarded-For header."""
    remote = _valid(remote_addr or "") or UNKNOWN
    if trusted_proxies <= 0:
        return remote
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    if len(hops) < trusted_proxies:
        # The request did not pass through every proxy: nothing in the header
        # can be trusted, so fall back to whoever opened the connection.
        return remote
    return _valid(hops[-trusted_proxies]) or remote


def client_ip(request: HttpRequest) -> str:
    """The client's address as configured by DJANGO_TRUSTED_PROXY_COUNT."""
    return pick_client_ip(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        getattr(settings, "TRUSTED_PROXY_COUNT", 0),
    )
