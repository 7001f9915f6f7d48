"""Django's PostgreSQL backend with the busy-connection health check."""

from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

from contest_portal.db.busy_health import BusyConnectionHealthMixin


class DatabaseWrapper(BusyConnectionHealthMixin, DjangoWrapper):
    pass
