"""Response headers Django 5.2 does not set itself: Content-Security-Policy and
Permissions-Policy. The policy is fixed (no inline script or style anywhere, so no
nonces), which is why a few lines here replace the django-csp dependency; Django
6.0's own CSP middleware can take over when the portal upgrades.

Framing is refused everywhere unless settings.FRAME_ANCESTORS (env
DJANGO_FRAME_ANCESTORS) names the origins that may embed the portal, such as a
province's citizen app. Then the contestant's pages say `frame-ancestors 'self'
<origins>` and carry no X-Frame-Options; the admin stays unframable.
"""

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # the settings module imports this one: no django.http at load
    from django.http import HttpRequest, HttpResponse

_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
]
CONTENT_SECURITY_POLICY = "; ".join(_POLICY)
# No page uses a camera, a microphone, location or payments; deny them to any frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
    )
)
# An origin only (no path, no quote, no ";" that could add a directive): https, with
# an optional "*." subdomain wildcard and port; plain http for loopback only, which
# browsers treat as secure (development and the tests).
_ORIGIN = re.compile(
    r"^(?:https://(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
    r"|http://(?:localhost|127\.0\.0\.1|\[::1\]))(?::[0-9]{1,5})?$"
)


def frame_ancestors_from_env(values: Iterable[str]) -> tuple[str, ...]:
    """The origins of DJANGO_FRAME_ANCESTORS, checked; ImproperlyConfigured if not."""
    origins = []
    for value in values:
        origin = value.strip().rstrip("/").lower()
        if not origin:
            continue
        if not _ORIGIN.match(origin):
            raise ImproperlyConfigured(
                f"DJANGO_FRAME_ANCESTORS: {value!r} is not an origin such as "
                "https://app.example.gov.vn (https only; http for localhost)."
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


@lru_cache(maxsize=16)
def policy_for(ancestors: tuple[str, ...], form_targets: tuple[str, ...]) -> str:
    """The policy, with the allowed frame ancestors instead of 'none' and the
    identity providers a sign-in form is sent on to (the portal answers the
    login button's POST with a redirect there, which form-action also governs)."""
    parts = []
    for part in _POLICY:
        if part.startswith("frame-ancestors") and ancestors:
            part = "frame-ancestors " + " ".join(("'self'", *ancestors))
        elif part.startswith("form-action") and form_targets:
            part = "form-action " + " ".join(("'self'", *form_targets))
        parts.append(part)
    return "; ".join(parts)


def _identity_provider_origins() -> tuple[str, ...]:
    from accounts.oidc_config import provider_origins

    return provider_origins(getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}))


def partition_frame_cookies(response: "HttpResponse") -> None:
    """Mark the cookies meant for a frame (SameSite=None) Partitioned (CHIPS).

    Browsers that block third-party cookies (Chrome's private windows, Chrome with
    the setting on, Firefox's total cookie protection) still keep a partitioned
    cookie, in a jar of its own per embedding site: the portal inside the app has
    its own session, apart from the portal opened directly. Django 5.2 cannot say
    Partitioned; the attribute rides on SameSite's value, which Morsel writes as is.
    """
    for morsel in response.cookies.values():
        if str(morsel["samesite"]).lower() == "none" and morsel["secure"]:
            morsel["samesite"] = "None; Partitioned"


def _may_be_framed(request: "HttpRequest") -> bool:
    match = getattr(request, "resolver_match", None)
    return match is None or "admin" not in match.namespaces


class SecurityHeadersMiddleware:
    """Add the policy headers to every response that has not set its own."""

    def __init__(self, get_response: Callable[["HttpRequest"], "HttpResponse"]) -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        response = self.get_response(request)
        allowed = tuple(getattr(settings, "FRAME_ANCESTORS", ()))
        if allowed:
            # The admin's responses too: a browser must never hold a partitioned
            # and an unpartitioned session cookie side by side.
            partition_frame_cookies(response)
        ancestors = allowed if _may_be_framed(request) else ()
        if ancestors and "X-Frame-Options" in response.headers:
            # XFrameOptionsMiddleware's DENY would win over the allow list in
            # older browsers; the policy's frame-ancestors says it instead.
            del response.headers["X-Frame-Options"]
        policy = policy_for(ancestors, _identity_provider_origins())
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
