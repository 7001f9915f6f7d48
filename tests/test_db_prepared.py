"""The hot paths' statements are bound and prepared on the PostgreSQL server
(contest_portal/db/prepared.py), and are still counted, timed and wrapped as every
other query is."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, connections
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY
from psycopg.types.json import Jsonb

from contest_portal.db.prepared import prepared_cursor
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="statements are prepared on PostgreSQL only; SQLite takes the "
        "ordinary cursor",
    ),
]

STATEMENT = "SELECT %s::bigint + 1, %s::text"


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_is_planned_once_per_connection():
    answers = []
    for n in range(3):
        with prepared_cursor(connection) as cursor:
            cursor.execute(STATEMENT, [n, f"n{n}"])
            answers.append(cursor.fetchone())
    # Bound on the server: the text the server keeps has $1, $2, not the values.
    assert [s for s in _prepared_here() if "::bigint + 1" in s] == [
        "SELECT $1::bigint + 1, $2::text"
    ]
    assert answers == [(n + 1, f"n{n}") for n in range(3)]


def test_the_ordinary_cursor_still_sends_values_in_the_text():
    for n in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::bigint + 2", [n])
    assert not [s for s in _prepared_here() if "::bigint + 2" in s]


def test_its_statements_are_counted_like_any_query():
    with (
        CaptureQueriesContext(connection) as queries,
        prepared_cursor(connection) as cursor,
    ):
        cursor.execute(STATEMENT, [1, "a"])
    # Logged with its values, as Django logs its own cursors' statements.
    assert [q["sql"] for q in queries] == ["SELECT 1::bigint + 1, 'a'::text"]


def test_its_statements_are_in_the_query_metrics():
    def executed() -> float:
        return sum(
            sample.value
            for metric in REGISTRY.collect()
            if metric.name == "django_db_execute"
            for sample in metric.samples
            if sample.name == "django_db_execute_total"
        )

    if "measured" not in type(connections["default"]).__module__:
        pytest.skip("metrics are off in this configuration")
    before = executed()
    with prepared_cursor(connection) as cursor:
        cursor.execute(STATEMENT, [1, "a"])
    assert executed() == before + 1


def test_its_errors_are_djangos():
    with pytest.raises(DataError), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1 / %s::int", [0])


def test_rows_read_as_the_ordinary_cursor_reads_them():
    """Timestamps in the connection's time zone, JSON as Django's loaders give it."""
    user = UserFactory()
    sql = (
        "SELECT date_joined, %s::jsonb, %s::timestamptz FROM accounts_user "
        "WHERE id = %s"
    )
    params = [Jsonb([[3, [1, 0]], None]), datetime(2026, 12, 5, 7, 30, tzinfo=UTC)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, user.pk])
        expected = cursor.fetchone()
    for _ in range(3):  # prepared at the first, then executed as prepared
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [*params, user.pk])
            assert cursor.fetchone() == expected
    assert expected[0] == user.date_joined
    assert expected[2].utcoffset() == params[1].utcoffset()
