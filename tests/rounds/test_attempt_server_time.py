"""The server alone decides times, scores and ownership; the grace is honoured."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import QuestionRevision
from rounds import services
from rounds.models import Attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATE_MESSAGE = "Đã hết giờ làm bài; bài thi được chấm theo các câu trả lời đã lưu."


def start(user, round_, now=None) -> Attempt:
    return services.attempt_start(user=user, round_=round_, now=now).attempt


def url(name: str, attempt: Attempt) -> str:
    return reverse(name, kwargs={"public_id": attempt.public_id})


def correct_shown(attempt: Attempt, position: int) -> int:
    revision_id, permutation = attempt.draw[position]
    return permutation.index(QuestionRevision.objects.get(pk=revision_id).correct_index)


def forged_fields(other: Attempt) -> dict[str, str]:
    """What a tampering client might add: results, times, owners, ids."""
    return {
        "correct_count": "30",
        "correct": "30",
        "score": "30",
        "is_correct": "true",
        "duration_ms": "1",
        "user": str(other.user_id),
        "user_id": str(other.user_id),
        "attempt": str(other.pk),
        "public_id": other.public_id,
        "started_at": "2000-01-01T00:00:00+07:00",
        "deadline": "2100-01-01T00:00:00+07:00",
        "submitted_at": "2000-01-01T00:00:01+07:00",
        "status": "finished",
        "finished_by": "contestant",
        "question_count": "1",
        "number": "99",
        "is_practice": "true",
    }


def row(attempt: Attempt) -> dict:
    return Attempt.objects.filter(pk=attempt.pk).values().get()


def started_in_the_past(user, round_, *, seconds_past_deadline: int) -> Attempt:
    """An attempt whose server deadline passed `seconds_past_deadline` ago."""
    now = timezone.now()
    began = now - timedelta(seconds=round_.time_limit_seconds + seconds_past_deadline)
    return start(user, round_, began)


def test_save_stores_the_answer_and_nothing_the_client_added(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    other = start(UserFactory(), round_)
    before, other_before = row(attempt), row(other)
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-save", attempt),
        {"seq": 1, "position": 0, "choice": 2, **forged_fields(other)},
    )

    assert response.status_code == 200
    assert response.json() == {"ok": True, "seq": 1}
    after = row(attempt)
    assert after.pop("answers")[0] == [attempt.draw[0][1][2], 1]
    before.pop("answers")
    assert after == before
    assert row(other) == other_before


def test_submit_scores_on_the_server_and_ignores_what_the_client_added(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    other = start(UserFactory(), round_)
    other_before = row(other)
    client.force_login(contestant)
    sent_at = timezone.now()

    response = client.post(
        url("rounds:attempt-submit", attempt),
        {"q0": str(correct_shown(attempt, 0)), **forged_fields(other)},
    )

    received_by = timezone.now()
    assert response.status_code == 302
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.correct_count == 1
    assert stored.user_id == contestant.pk
    assert (stored.started_at, stored.deadline) == (
        attempt.started_at,
        attempt.deadline,
    )
    assert (stored.number, stored.question_count, stored.is_practice) == (1, 5, False)
    assert sent_at <= stored.submitted_at <= received_by
    assert stored.duration_ms == (stored.submitted_at - stored.started_at) // timedelta(
        milliseconds=1
    )
    assert row(other) == other_before


def test_a_save_inside_the_grace_is_accepted(client, contestant, round_):
    attempt = started_in_the_past(contestant, round_, seconds_past_deadline=5)
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-save", attempt), {"seq": 1, "position": 3, "choice": 1}
    )

    assert response.status_code == 200
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.answers[3] == [attempt.draw[3][1][1], 1]


def test_a_submit_inside_the_grace_counts_until_the_servers_receipt(
    client, contestant, round_
):
    attempt = started_in_the_past(contestant, round_, seconds_past_deadline=5)
    client.force_login(contestant)
    sent_at = timezone.now()

    response = client.post(
        url("rounds:attempt-submit", attempt),
        {"q1": str(correct_shown(attempt, 1)), "duration_ms": "1"},
    )

    received_by = timezone.now()
    assert response.status_code == 302
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.finished_by == Attempt.FinishedBy.CONTESTANT
    assert stored.correct_count == 1
    assert sent_at <= stored.submitted_at <= received_by
    assert stored.submitted_at > stored.deadline
    assert stored.duration_ms == (stored.submitted_at - stored.started_at) // timedelta(
        milliseconds=1
    )


def test_a_save_after_the_grace_is_refused_and_the_attempt_scored_as_saved(
    client, contestant, round_
):
    attempt = started_in_the_past(contestant, round_, seconds_past_deadline=11)
    services.attempt_save(
        attempt=attempt,
        seq=1,
        position=0,
        shown_choice=correct_shown(attempt, 0),
        now=attempt.deadline - timedelta(seconds=1),
    )
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-save", attempt),
        {"seq": 2, "position": 1, "choice": correct_shown(attempt, 1)},
    )

    assert response.status_code == 409
    assert response.json() == {"ok": False, "error": LATE_MESSAGE, "finished": True}
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.answers[1] is None
    assert stored.correct_count == 1
    assert stored.submitted_at == stored.deadline == attempt.deadline


def test_a_submit_after_the_grace_is_scored_from_answers_saved_in_time(
    client, contestant, round_
):
    attempt = started_in_the_past(contestant, round_, seconds_past_deadline=11)
    services.attempt_save(
        attempt=attempt,
        seq=1,
        position=0,
        shown_choice=correct_shown(attempt, 0),
        now=attempt.deadline - timedelta(seconds=1),
    )
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-submit", attempt),
        {f"q{p}": str(correct_shown(attempt, p)) for p in range(5)},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url("rounds:attempt-result", attempt)
    assert "Bài nộp sau thời hạn" in response.content.decode()
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.correct_count == 1
    assert stored.answers[1:] == [None] * 4
    assert stored.duration_ms == round_.time_limit_seconds * 1000
