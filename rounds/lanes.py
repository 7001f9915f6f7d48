"""A contestant's requests during an attempt through only the layers they use.

The deadline rush is made of an attempt's requests: the start, the page, 30 saves,
the submit and the result. LaneMiddleware, placed with AnonymousPageMiddleware just
inside the security, probe and static-file layers, sends each of them through a short
chain made of the same Django middleware, in the same order as in
settings.MIDDLEWARE, keeping only the layers that request relies on, and calls the
view with the URL already resolved (Django's handler would resolve it again).

- A save: the session, CSRF (its view hook called as Django's handler calls it), the
  lazy session user, the malformed-request guard, X-Frame-Options and the per-view
  metrics.
- The start, the attempt page, the submit and the result: the same, and the messages
  (the start and the submit leave one for the page they lead to).

The layers left out have nothing to do for them: the locale (the site has one
language, the default; its Content-Language header says so on every other page), the
trailing slash (the address matched), allauth (its sign-in flows live on its own
pages), axes (logins only) and the forced password change (every one of these views
applies it itself, accounts.middleware.checks_user_itself). Every other request goes down the full stack,
unchanged.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

# What a save relies on, of settings.MIDDLEWARE's inner layers.
SAVE_LAYERS = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "accounts.middleware.SessionUserMiddleware",
        "contest_portal.bad_input.RefuseMalformedRequestMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "contest_portal.ops.measured.PrometheusAfterMiddleware",
    }
)
# What the attempt's pages rely on besides.
PAGE_LAYERS = SAVE_LAYERS | {"django.contrib.messages.middleware.MessageMiddleware"}
# The view names that take a lane, and their lanes.
LANES = {
    "rounds:attempt-save": SAVE_LAYERS,
    "rounds:attempt-start": PAGE_LAYERS,
    "rounds:attempt": PAGE_LAYERS,
    "rounds:attempt-submit": PAGE_LAYERS,
    "rounds:attempt-result": PAGE_LAYERS,
}
# Where those views' addresses start (rounds/urls.py), to leave every other request
# untouched without resolving it.
LANE_PREFIXES = ("/bai-thi/", "/tuan-thi/")


class _Lane:
    """One short chain: the kept layers around the resolved view."""

    def __init__(self, paths: list[str]) -> None:
        handler = convert_exception_to_response(self._view)
        self.view_hooks: list[Callable] = []
        for path in reversed(paths):
            layer = import_string(path)(handler)
            if hasattr(layer, "process_view"):
                self.view_hooks.insert(0, layer.process_view)
            handler = convert_exception_to_response(layer)
        self.handler = handler

    def _view(self, request: HttpRequest) -> HttpResponse:
        match = request.resolver_match
        for hook in self.view_hooks:
            response = hook(request, match.func, match.args, match.kwargs)
            if response is not None:
                return response
        return match.func(request, *match.args, **match.kwargs)


class LaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        inner = settings.MIDDLEWARE[
            settings.MIDDLEWARE.index(f"{__name__}.{type(self).__name__}") + 1 :
        ]
        chains: dict[frozenset, _Lane] = {}
        self.lanes: dict[str, _Lane] = {}
        for view_name, layers in LANES.items():
            if layers not in chains:
                chains[layers] = _Lane([path for path in inner if path in layers])
            self.lanes[view_name] = chains[layers]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(LANE_PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        lane = self.lanes.get(match.view_name)
        if lane is None:
            return self.get_response(request)
        request.resolver_match = match
        return lane.handler(request)
