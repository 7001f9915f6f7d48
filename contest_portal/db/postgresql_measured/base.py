"""The portal's PostgreSQL backend (contest_portal.db.postgresql) with
django-prometheus's connection and query metrics, the query series bound once
(contest_portal.ops.measured)."""

from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper
from django.utils.functional import cached_property
from django_prometheus.db.common import DatabaseWrapperMixin

from contest_portal.db.busy_health import BusyConnectionHealthMixin
from contest_portal.db.prepared import PreparedCursor, PreparedStatementsMixin
from contest_portal.ops.measured import measured_cursor_class


class DatabaseWrapper(
    PreparedStatementsMixin,
    BusyConnectionHealthMixin,
    DatabaseWrapperMixin,  # connections counted
    DjangoWrapper,
):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["cursor_factory"] = measured_cursor_class(
            params["cursor_factory"], self.alias, self.vendor
        )
        return params

    def create_cursor(self, name=None):
        # psycopg builds the measured cursors (the factory above); the mixin's own
        # create_cursor is written for psycopg 2, as django-prometheus notes.
        return DjangoWrapper.create_cursor(self, name=name)

    @cached_property
    def prepared_cursor_class(self) -> type:
        return measured_cursor_class(PreparedCursor, self.alias, self.vendor)
