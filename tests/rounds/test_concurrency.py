"""Races on PostgreSQL: simultaneous starts and submits by one contestant."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from rounds import services
from rounds.models import Attempt, AttemptEvent
from tests.conftest import requires_postgres

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_postgres(),
]

THREADS = 20


def run_together(job: Callable[[], object]) -> tuple[list, list]:
    """Run `job` in THREADS threads released at the same instant."""
    barrier = threading.Barrier(THREADS)
    results: list = []
    errors: list = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            outcome = job()
            with lock:
                results.append(outcome)
        except Exception as error:  # every failure is reported, none is lost
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_twenty_simultaneous_starts_give_one_open_attempt(contestant, round_):
    results, errors = run_together(
        lambda: services.attempt_start(user=contestant, round_=round_).attempt.pk
    )

    assert errors == []
    assert Attempt.objects.filter(user=contestant).count() == 1
    assert set(results) == {Attempt.objects.get(user=contestant).pk}


def test_twenty_simultaneous_submits_give_one_result(contestant, round_):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    answers = {position: position % 2 for position in range(attempt.question_count)}

    results, errors = run_together(
        lambda: services.attempt_submit(
            attempt=attempt, answers=answers, prediction=None
        )
    )

    stored = Attempt.objects.get(pk=attempt.pk)
    assert errors == []
    assert stored.status == Attempt.Status.FINISHED
    assert AttemptEvent.objects.filter(attempt=stored).count() == 1
    assert {(r.correct_count, r.duration_ms, r.submitted_at) for r in results} == {
        (stored.correct_count, stored.duration_ms, stored.submitted_at)
    }
