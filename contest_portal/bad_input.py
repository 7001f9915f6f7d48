"""Refuse request shapes no page of ours can take, before they reach the database.

- A NUL character in the path or the query string: PostgreSQL cannot hold or
  compare it, so a lookup with it (an attempt's public id, an admin search) would be
  a server error. Forms refuse NUL in POSTed fields with their own message.
- Admin bulk actions whose selected ids are not database ids ("abc", "1e3", 2**63):
  Django would fail converting them while running the action.

Both answer 400 with the Vietnamese templates/400.html and change nothing.
"""

import re
from collections.abc import Callable

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

_ROW_ID = re.compile(r"[0-9]{1,18}")


class MalformedRequest(SuspiciousOperation):
    """Django answers a SuspiciousOperation with the 400 page."""


class RefuseMalformedRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise MalformedRequest("NUL character in the URL")
        if request.method == "POST" and request.path.startswith(self._admin()):
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            if not all(_ROW_ID.fullmatch(value) for value in selected):
                raise MalformedRequest("admin action on ids that are not row ids")
        return self.get_response(request)

    def _admin(self) -> str:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        return self.admin_prefix
