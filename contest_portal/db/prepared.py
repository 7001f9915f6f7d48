"""Statements of fixed text, bound and prepared on the PostgreSQL server.

Django's PostgreSQL cursors bind parameters on the client: psycopg quotes every
placeholder's value into the SQL text in Python, and the server parses and plans the
whole text again on every execution. The hot paths of an attempt (the save's one
UPDATE, the attempt's and round's reads, the start's lock, count and insert) run the
same few texts thousands of times a minute. Through prepared_cursor() they are sent
with their values apart (bound on the server) and prepared: the server parses and
plans each text once per connection, and each later execution sends only the
values. psycopg keeps up to `prepared_max` (100) texts per connection and
deallocates the least used beyond that; the hot paths have a few dozen.

The cursor is Django's (and django-prometheus's, where metrics are on) cursor wrapper
around psycopg's server-binding cursor, opened the way Django opens every cursor
(health check, connection, error wrapping), so query counting, metrics and debugging
see these statements like any other. Elsewhere (SQLite) it is the ordinary cursor.
"""

from django.db.backends.postgresql.base import (
    TIMESTAMPTZ_OID,
    ServerBindingCursor,
    register_tzloader,
)
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.backends.utils import CursorWrapper
from django.utils.functional import cached_property
from psycopg import errors
from psycopg.pq import Format


class PreparedCursor(ServerBindingCursor):
    """Django's server-binding cursor whose statements are prepared (Django turns
    psycopg's automatic preparation off for its own cursors)."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class PreparedOperations(DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement with its values, as for Django's cursors, in the queries
        Django logs (DEBUG, tests): psycopg keeps no text of a prepared one."""
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


# psycopg prepares a statement once it has run this many times on a connection,
# unless the cursor says otherwise. Django's cursors bind on the client, which
# psycopg never prepares; the prepared cursor asks for every statement it runs. So
# nothing is prepared by count: only what prepared_cursor() runs is.
_NOT_BY_COUNT = 2**31


class PreparedStatementsMixin:
    """For a PostgreSQL DatabaseWrapper: prepared_cursor()."""

    ops_class = PreparedOperations

    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # Django disables preparation (None) unless OPTIONS sets a threshold, for
        # connection poolers in transaction mode (PgBouncer before 1.21 could not
        # follow protocol-level prepared statements; production connects directly).
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = _NOT_BY_COUNT
        return params

    @cached_property
    def prepared_cursor_class(self) -> type:
        return PreparedCursor

    def prepared_cursor(self) -> CursorWrapper:
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = self.prepared_cursor_class(self.connection)
            # As Django's create_cursor: the connection's time zone for timestamps.
            loader = self.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)


def prepared_cursor(connection) -> CursorWrapper:
    """A cursor for a statement of fixed text run on a hot path (see above)."""
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()
