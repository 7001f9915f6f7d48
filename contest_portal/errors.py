"""The 500 handler: a database outage is a 503 to retry, not a server error.

Django calls handler500 for an exception raised anywhere in a request, in a view or in
a middleware (loading the session or the user), with that exception still being
handled, so sys.exc_info() says whether the database was away. Nothing here touches
the database: the page is rendered without the request, hence without the context
processors that would load the user.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults

# Lost or refused connections, restarts, failovers, deadlocks: trying again can work.
# An IntegrityError or a ProgrammingError would fail the same way again: a 500.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
# Endpoints called by our scripts (static/js/attempt.js), which send no Accept header.
JSON_VIEWS = frozenset({"rounds:attempt-save"})


def _wants_json(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        match = None
    if match is not None and match.view_name in JSON_VIEWS:
        return True
    if "x-requested-with" in request.headers:
        return True
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 with Retry-After while the database is away, else the 500."""
    if not isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        return defaults.server_error(request)
    if _wants_json(request):
        message = _("Máy chủ tạm thời chưa lưu được dữ liệu. Trang sẽ tự gửi lại.")
        response = JsonResponse(
            {"ok": False, "retry": True, "error": message}, status=503
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
