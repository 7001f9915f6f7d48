"""django-prometheus's request and query metrics, each series looked up once.

prometheus_client's labels() checks and converts the label values and takes a lock
on every call. django-prometheus calls it about ten times per request (its
PrometheusAfterMiddleware) and three times per SQL statement (its cursor wrapper,
which also copies a dict for its exception counter): in the bench's profile of a
save, its request and query metrics were 5% and 3% of the workers' CPU. Here the
same metrics (same names, labels and values, so dashboards and alerts read them as
before) are counted through series kept per label values: looked up once per
process, then only incremented or observed.
"""

import functools
from timeit import default_timer
from typing import Any

from django_prometheus import middleware
from django_prometheus.db import (
    errors_total,
    execute_many_total,
    execute_total,
    query_duration_seconds,
)

# Label values come from the request (a view name, a status, a method django-
# prometheus does not normalise everywhere): the kept series are bounded.
SERIES_MAX = 5_000


class PrometheusAfterMiddleware(middleware.PrometheusAfterMiddleware):
    """django-prometheus's per-view middleware, its labelled series kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._series: dict[tuple, Any] = {}

    def label_metric(
        self, metric: Any, request: Any, response: Any = None, **labels: str
    ) -> Any:
        if not labels:
            return metric
        key = (metric, *labels.items())
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= SERIES_MAX:
                self._series.clear()
            series = self._series[key] = metric.labels(**labels)
        return series


@functools.cache
def measured_cursor_class(cursor_class: type, alias: str, vendor: str) -> type:
    """cursor_class counting and timing its statements into django-prometheus's
    query metrics, as its cursor wrapper does, with the series bound once."""
    executed = execute_total.labels(alias, vendor)
    executed_many = execute_many_total.labels(alias, vendor)
    duration = query_duration_seconds.labels(alias, vendor)

    def _failed(error: BaseException) -> None:
        errors_total.labels(alias, vendor, type(error).__name__).inc()

    class MeasuredCursor(cursor_class):  # type: ignore[misc, valid-type]
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            executed.inc()
            start = default_timer()
            try:
                return super().execute(*args, **kwargs)
            except BaseException as error:
                _failed(error)
                raise
            finally:
                duration.observe(max(default_timer() - start, 0))

        def executemany(self, query: Any, params_seq: Any, *args: Any, **kwargs: Any):
            executed.inc(len(params_seq))
            executed_many.inc(len(params_seq))
            start = default_timer()
            try:
                return super().executemany(query, params_seq, *args, **kwargs)
            except BaseException as error:
                _failed(error)
                raise
            finally:
                duration.observe(max(default_timer() - start, 0))

    MeasuredCursor.__name__ = MeasuredCursor.__qualname__ = (
        f"Measured{cursor_class.__name__}"
    )
    return MeasuredCursor
