"""django-prometheus's PostgreSQL backend (query metrics) with the busy-connection
health check and prepared statements for the hot paths."""

from django.utils.functional import cached_property
from django_prometheus.db.backends.postgresql.base import (
    DatabaseWrapper as MeasuredWrapper,
)
from django_prometheus.db.common import ExportingCursorWrapper

from contest_portal.db.busy_health import BusyConnectionHealthMixin
from contest_portal.db.prepared import PreparedCursor, PreparedStatementsMixin


class DatabaseWrapper(
    PreparedStatementsMixin, BusyConnectionHealthMixin, MeasuredWrapper
):
    @cached_property
    def prepared_cursor_class(self) -> type:
        # Counted and timed as django-prometheus counts the connection's cursors.
        return ExportingCursorWrapper(PreparedCursor, self.alias, self.vendor)
