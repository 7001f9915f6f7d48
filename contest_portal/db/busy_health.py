"""The health check of a reused PostgreSQL connection, skipped while it is busy.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every
request that reuses a connection: one more round trip to the server on every
request, about a tenth of a save's CPU on these machines. A connection that served
the previous request within BUSY_SECONDS, without an error, has just answered; it is
taken as healthy without asking again. During the rush a worker's connection is
never idle, so the check is skipped; after a pause (when a restart of the server may
have closed it) it is checked exactly as Django checks it. A server restarted within
that second fails the request's first query instead: a save is answered 503 with a
retry hint and the page sends it again (contest_portal/errors.py), and Django closes
the broken connection when that request ends.
"""

from time import monotonic

BUSY_SECONDS = 1.0


class BusyConnectionHealthMixin:
    """For a DatabaseWrapper: the health check skipped on a connection in use."""

    _answered_at: float = float("-inf")

    def close_if_health_check_failed(self) -> None:
        now = monotonic()
        busy = (
            self.connection is not None
            and not self.errors_occurred
            and now - self._answered_at < BUSY_SECONDS
        )
        if busy:
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        self._answered_at = now

    def close(self) -> None:
        super().close()
        self._answered_at = float("-inf")
