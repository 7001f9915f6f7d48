"""Races through the HTTP layer on PostgreSQL: one test client per thread.

The service-level races are in test_concurrency.py; these go through the views,
the session and the form, as a double-clicking contestant's browser does.
"""

import json
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from quizzes.models import QuestionRevision
from rounds import services
from rounds.models import Attempt, AttemptEvent
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.rounds.test_concurrency import THREADS, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_postgres(),
]

SAVE_SUBMIT_ROUNDS = 25


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    # Twenty submits in a second would meet the per-user limit (a 429, tested in
    # its own module); here every request must reach the row lock.
    settings.RATE_LIMIT_ENABLED = False


def url(name: str, attempt: Attempt) -> str:
    return reverse(name, kwargs={"public_id": attempt.public_id})


def clients_of(user, count: int) -> list[Client]:
    """`count` separate browsers, all logged in as `user` before the race."""
    made = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        made.append(client)
    return made


def each_client(clients: list[Client], job: Callable[[Client], object]):
    """Run `job` once per client, all released together (one client per thread)."""
    queue = list(clients)
    lock = threading.Lock()

    def one() -> object:
        with lock:
            client = queue.pop()
        return job(client)

    return run_together(one)


def correct_shown(attempt: Attempt, position: int) -> int:
    revision_id, permutation = attempt.draw[position]
    return permutation.index(QuestionRevision.objects.get(pk=revision_id).correct_index)


def test_twenty_parallel_starts_over_http_give_one_attempt_and_no_error(
    contestant, round_
):
    clients = clients_of(contestant, THREADS)
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})

    responses, errors = each_client(clients, lambda c: c.post(start_url))

    assert errors == []
    attempt = Attempt.objects.get(user=contestant)
    assert attempt.status == Attempt.Status.OPEN
    assert len(responses) == THREADS
    assert {(r.status_code, r.get("Location")) for r in responses} == {
        (302, url("rounds:attempt", attempt))
    }


def test_twenty_parallel_submits_over_http_give_one_result_and_one_event(
    contestant, round_
):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    answers = {f"q{p}": str(correct_shown(attempt, p)) for p in range(3)}
    clients = clients_of(contestant, THREADS)

    responses, errors = each_client(
        clients, lambda c: c.post(url("rounds:attempt-submit", attempt), answers)
    )
    pages = [c.get(url("rounds:attempt-result", attempt)) for c in clients]

    assert errors == []
    assert {(r.status_code, r.get("Location")) for r in responses} == {
        (302, url("rounds:attempt-result", attempt))
    }
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.correct_count == 3
    assert AttemptEvent.objects.filter(attempt=stored).count() == 1
    scores = {p.content.decode().split('id="score"')[1][:40] for p in pages}
    assert len(scores) == 1
    assert "3/5" in scores.pop()


def test_a_save_racing_a_submit_never_leaves_a_score_that_a_rescore_would_change(
    round_,
):
    outcomes = {"saved-then-counted": 0, "refused-as-finished": 0}
    for _ in range(SAVE_SUBMIT_ROUNDS):
        user = UserFactory()
        attempt = services.attempt_start(user=user, round_=round_).attempt
        saver, submitter = clients_of(user, 2)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def save(saver=saver, attempt=attempt, results=results, barrier=barrier):
            barrier.wait()
            try:
                results["save"] = saver.post(
                    url("rounds:attempt-save", attempt),
                    {"seq": 7, "position": 0, "choice": correct_shown(attempt, 0)},
                )
            finally:
                connection.close()

        def submit(submitter=submitter, attempt=attempt, results=results, b=barrier):
            b.wait()
            try:
                results["submit"] = submitter.post(
                    url("rounds:attempt-submit", attempt),
                    {"q1": str(correct_shown(attempt, 1))},
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=save), threading.Thread(target=submit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        stored = Attempt.objects.get(pk=attempt.pk)
        assert results["submit"].status_code == 302
        assert stored.status == Attempt.Status.FINISHED
        save_response = results["save"]
        if save_response.status_code == 200:
            # Acknowledged before the submit took the lock: it must count.
            assert stored.answers[0] == [
                attempt.draw[0][1][correct_shown(attempt, 0)],
                7,
            ]
            assert stored.correct_count == 2
            outcomes["saved-then-counted"] += 1
        else:
            assert save_response.status_code == 409
            assert save_response.json()["finished"] is True
            assert stored.answers[0] is None
            assert stored.correct_count == 1
            outcomes["refused-as-finished"] += 1

    print(f"\n[races] save vs submit: {outcomes}")
    assert services.round_rescore(round_=round_) == 0
    assert sum(outcomes.values()) == SAVE_SUBMIT_ROUNDS


def test_a_save_is_acknowledged_only_once_another_connection_can_read_it(
    client, contestant, round_
):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    client.force_login(contestant)
    observer = connections.create_connection("default")
    seen = []
    try:
        for seq in range(1, 21):
            position, shown = seq % attempt.question_count, seq % 4

            response = client.post(
                url("rounds:attempt-save", attempt),
                {"seq": seq, "position": position, "choice": shown},
            )

            assert response.json() == {"ok": True, "seq": seq}
            with observer.cursor() as cursor:
                cursor.execute(
                    "SELECT answers FROM rounds_attempt WHERE id = %s", [attempt.pk]
                )
                (answers,) = cursor.fetchone()
            answers = json.loads(answers) if isinstance(answers, str) else answers
            seen.append(answers[position])
            assert seen[-1] == [attempt.draw[position][1][shown], seq]
    finally:
        observer.close()
    assert len(seen) == 20
