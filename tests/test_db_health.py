"""A reused PostgreSQL connection is checked with Django's `SELECT 1` only after a
pause or an error (contest_portal/db/busy_health.py); a connection the server
closed meanwhile is replaced before the request's first query."""

import pytest
from django.db import connections

from contest_portal.db import busy_health

connection = connections["default"]

pytestmark = [
    # serialized_rollback like the fault tests that run after it: a plain transactional
    # test's flush re-creates the content types under new ids, which the next
    # serialized set-up (tests/test_faults_worker.py) then collides with.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the busy-connection health check is PostgreSQL's backend",
    ),
]


@pytest.fixture(autouse=True)
def reused():
    """Connections kept between requests, as production keeps them."""
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    yield
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.close()


@pytest.fixture
def checks(monkeypatch) -> list[bool]:
    """Every health check Django's backend runs, with its answer."""
    done: list[bool] = []
    original = type(connection).is_usable

    def is_usable(self):
        done.append(original(self))
        return done[-1]

    monkeypatch.setattr(type(connection), "is_usable", is_usable)
    return done


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(busy_health, "monotonic", lambda: now[0])
    return now


def _request() -> None:
    """What Django does around a request: the start and end signals' check, then
    the first query's health check."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    connection.close_if_unusable_or_obsolete()


def test_a_busy_connection_is_not_asked_again(checks, clock):
    _request()  # connects: nothing to check yet
    for _ in range(5):
        clock[0] += 0.2
        _request()
    assert checks == []  # Django alone would have checked five times


def test_after_a_pause_it_is_checked_as_django_checks_it(checks, clock):
    _request()
    clock[0] += busy_health.BUSY_SECONDS + 0.1
    _request()
    assert checks == [True]


def test_a_connection_closed_by_the_server_during_a_pause_is_replaced(clock):
    _request()
    pid = connection.connection.info.backend_pid
    # Another connection ends this one, as a server restart would.
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    clock[0] += busy_health.BUSY_SECONDS + 0.1

    _request()  # checked, found closed, reconnected: no error

    assert connection.connection.info.backend_pid != pid


def test_after_an_error_the_connection_is_checked(checks, clock):
    _request()
    connection.errors_occurred = True
    clock[0] += 0.1
    _request()
    assert checks
    assert checks[0] is True
