"""Login lockout glue for django-axes: who is trying, and what they are shown.

Failures are counted per (normalised login identifier, client address), so
"0912 345 678", "+84912345678", "84912345678" and the account's CCCD are one
person, and an office behind one address is never locked out together because of
one member's typos.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from accounts.normalize import clean_text, normalize_citizen_id, normalize_phone
from contest_portal.client_ip import client_ip

LOGIN_FIELD = "username"
IDENTIFIER_MAX_LENGTH = 40


def login_identifier(value: str | None) -> str:
    """The account a login names: phone or CCCD in canonical form, else folded text."""
    value = value or ""
    return (
        normalize_citizen_id(value)
        or normalize_phone(value)
        or clean_text(value).casefold()[:IDENTIFIER_MAX_LENGTH]
    )


def account_key(value: str | None) -> str:
    """The identifier failures are counted under: a CCCD counts as its account's phone."""
    identifier = login_identifier(value)
    if normalize_citizen_id(identifier):
        phone = (
            User.objects.filter(citizen_id=identifier)
            .values_list("phone", flat=True)
            .first()
        )
        return phone or identifier
    return identifier


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """AXES_USERNAME_CALLABLE: the account key from the credentials or the POST."""
    raw = (credentials or {}).get(LOGIN_FIELD)
    if raw is None and request is not None:
        raw = request.POST.get(LOGIN_FIELD)
    return account_key(raw)


def login_rate_key(request: HttpRequest) -> str | None:
    """Rate-limit key of a login POST: the account it names, from this address.

    Per account and address, like the lockout: a stranger hammering someone's
    account from their own address never shuts the owner out of theirs.
    """
    identifier = login_identifier(request.POST.get(LOGIN_FIELD))
    return f"{identifier}@{client_ip(request)}" if identifier else None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a Vietnamese page, HTTP 429, the same for every account."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60)
    response = render(
        request,
        "accounts/user_lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
