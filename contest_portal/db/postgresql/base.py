"""Django's PostgreSQL backend with the busy-connection health check and prepared
statements for the hot paths."""

from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

from contest_portal.db.busy_health import BusyConnectionHealthMixin
from contest_portal.db.prepared import PreparedStatementsMixin


class DatabaseWrapper(
    PreparedStatementsMixin, BusyConnectionHealthMixin, DjangoWrapper
):
    pass
