"""Request ids: one per request, in every log line and in the response.

An incoming X-Request-ID (nginx's `$request_id`, a load balancer's) is kept when it is
sane, so one id follows a request through the proxy and the application; anyone can
send one, so it is a correlation id only, never trusted for anything else. Otherwise a
new one is made. The id lives in a context variable that RequestIdFilter copies onto
each log record, so code that logs needs no request at hand.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings import this module (via ops.sentry): stay light
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
NO_REQUEST = "-"  # what log lines outside a request show
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id_var: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being served, or "-" outside one."""
    return request_id_var.get()


def pick_request_id(incoming: str | None) -> str:
    """The incoming id when it is at most 64 of [A-Za-z0-9._-], else a new one."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request its id; first in MIDDLEWARE so every log line has it."""

    def __init__(self, get_response: "Callable[[HttpRequest], HttpResponse]") -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        request_id = pick_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Put the request id on each record as `request_id`.

    Django logs a 4xx or 5xx response ("Not Found: /…") once the middleware chain
    has returned, the context variable reset; such records carry the request.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = (
                getattr(request, "request_id", None) or request_id_var.get()
            )
        return True
