from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """After logging in with a one-time password, the only page is the change form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {
                reverse("accounts:password-change"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password-change")
        return self.get_response(request)
