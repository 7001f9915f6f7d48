"""django-prometheus's PostgreSQL backend (query metrics) with the busy-connection
health check."""

from django_prometheus.db.backends.postgresql.base import (
    DatabaseWrapper as MeasuredWrapper,
)

from contest_portal.db.busy_health import BusyConnectionHealthMixin


class DatabaseWrapper(BusyConnectionHealthMixin, MeasuredWrapper):
    pass
