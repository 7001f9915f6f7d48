from collections.abc import Callable

from django.db import connections
from django.http import HttpRequest, HttpResponse


class QueryCountHeaderMiddleware:
    """Say in a response header how many SQL queries the request ran (benchmarks only).

    Enabled by DJANGO_QUERY_COUNT_HEADER; counts on every database alias.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [conn.execute_wrapper(counter) for conn in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Query-Count"] = str(count)
        return response
