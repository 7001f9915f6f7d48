"""The save of a click through only the layers it uses.

Saves are 30 of an attempt's 35 requests, so every layer of the middleware stack is
paid 30 times per attempt. SaveLaneMiddleware, placed with AnonymousPageMiddleware
just inside the security, probe and static-file layers, sends a POST to the save's
address through a short chain made of the same Django middleware, in the same order
as in settings.MIDDLEWARE, keeping only those a save relies on: the session, CSRF
(its view hook called as Django's handler calls it), the lazy session user, the
malformed-request guard, X-Frame-Options and the per-view metrics. The others have
nothing to do for it: the locale (the site has one language, the default), the
trailing slash (the address matched), messages, allauth, the forced password change
(the save checks it in its own statement) and axes (logins only). Every other
request goes down the full stack, unchanged.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

SAVE_VIEW = "rounds:attempt-save"
# What a save relies on, of settings.MIDDLEWARE's inner layers.
LANE_MIDDLEWARE = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "accounts.middleware.SessionUserMiddleware",
        "contest_portal.bad_input.RefuseMalformedRequestMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "contest_portal.ops.measured.PrometheusAfterMiddleware",
    }
)


class SaveLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        inner = settings.MIDDLEWARE[
            settings.MIDDLEWARE.index(f"{__name__}.{type(self).__name__}") + 1 :
        ]
        handler = convert_exception_to_response(self._view)
        self.view_hooks: list[Callable] = []
        for path in reversed([path for path in inner if path in LANE_MIDDLEWARE]):
            layer = import_string(path)(handler)
            if hasattr(layer, "process_view"):
                self.view_hooks.insert(0, layer.process_view)
            handler = convert_exception_to_response(layer)
        self.lane = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not request.path_info.endswith("/luu/"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name != SAVE_VIEW:
            return self.get_response(request)
        request.resolver_match = match
        return self.lane(request)

    def _view(self, request: HttpRequest) -> HttpResponse:
        match = request.resolver_match
        for hook in self.view_hooks:
            response = hook(request, match.func, match.args, match.kwargs)
            if response is not None:
                return response
        return match.func(request, *match.args, **match.kwargs)
