"""Before an attempt becomes final: the summary step, and nothing lost without a script."""

import difflib
import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import QuestionRevision
from rounds import services
from rounds.models import Attempt
from tests.factories import (
    RoundFactory,
    TopicFactory,
    UserFactory,
    make_bank,
    make_question,
)

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PREDICTION_QUESTION = "Bao nhiêu người trả lời đúng tất cả các câu hỏi?"
CHECKED = re.compile(r'<input type="radio" name="q(\d+)" value="(\d+)" checked>')


def start(user, round_, now=None) -> Attempt:
    return services.attempt_start(user=user, round_=round_, now=now).attempt


def url(name: str, attempt: Attempt) -> str:
    return reverse(name, kwargs={"public_id": attempt.public_id})


def correct_shown(attempt: Attempt, position: int) -> int:
    revision_id, permutation = attempt.draw[position]
    return permutation.index(QuestionRevision.objects.get(pk=revision_id).correct_index)


def checked(html: str) -> dict[int, int]:
    """The ticked radios of a page: position -> shown choice."""
    return {int(q): int(v) for q, v in CHECKED.findall(html)}


def original(attempt: Attempt, position: int, shown: int) -> int:
    return attempt.draw[position][1][shown]


@pytest.fixture
def prediction_round(round_):
    round_.prediction_question = PREDICTION_QUESTION
    round_.save()
    return round_


@pytest.fixture
def long_round():
    """Twenty questions and a prediction: the size the issue was reported at."""
    round_ = RoundFactory(question_count=20, prediction_question=PREDICTION_QUESTION)
    round_.contest.topics.set(make_bank(topics=2, per_topic=10))
    return round_


# --- the summary step -----------------------------------------------------------


def test_the_summary_counts_and_links_the_unanswered_questions(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-summary", attempt), {"q0": "1", "q3": "2"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bạn còn <strong>3</strong>/5 câu chưa trả lời" in html
    page = url("rounds:attempt", attempt)
    links = re.findall(r'<a href="([^"]+)">Câu (\d+)</a>', html)
    assert links == [(f"{page}#q{n}", str(n)) for n in (2, 3, 5)]
    assert 'id="confirm-submit-btn"' in html
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.OPEN


def test_the_summary_saves_the_posted_answers(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    client.post(url("rounds:attempt-summary", attempt), {"q0": "1", "q3": "2"})

    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.answers == [
        [original(attempt, 0, 1), 0],
        None,
        None,
        [original(attempt, 3, 2), 0],
        None,
    ]
    assert stored.status == Attempt.Status.OPEN


def test_going_back_from_the_summary_keeps_every_answer_ticked(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    client.force_login(contestant)
    client.post(url("rounds:attempt-summary", attempt), {"q0": "1", "q3": "2"})

    response = client.get(url("rounds:attempt", attempt))

    assert response.status_code == 200
    assert checked(response.content.decode()) == {0: 1, 3: 2}


def test_confirming_the_summary_sends_the_answers_again_and_finishes(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    client.force_login(contestant)
    posted = {"q0": str(correct_shown(attempt, 0)), "q3": "2"}
    summary = client.post(url("rounds:attempt-summary", attempt), posted)
    hidden = dict(
        re.findall(
            r'<input type="hidden" name="(q\d+|prediction)" value="([^"]*)">',
            summary.content.decode(),
        )
    )

    response = client.post(url("rounds:attempt-submit", attempt), hidden)

    assert hidden == posted
    assert response.status_code == 302
    assert response.url == url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.finished_by == Attempt.FinishedBy.CONTESTANT
    assert sum(entry is not None for entry in stored.answers) == 2


def test_a_complete_attempt_is_submitted_without_a_summary(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)
    answers = {f"q{p}": str(correct_shown(attempt, p)) for p in range(5)}

    response = client.post(url("rounds:attempt-summary", attempt), answers)

    assert response.status_code == 302
    assert response.url == url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.correct_count == 5


def test_a_missing_prediction_is_named_and_no_confirmation_offered(
    client, contestant, prediction_round
):
    attempt = start(contestant, prediction_round)
    client.force_login(contestant)
    answers = {f"q{p}": "0" for p in range(5)}

    response = client.post(url("rounds:attempt-summary", attempt), answers)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bạn đã trả lời tất cả 5 câu." in html
    assert "Bạn chưa trả lời câu hỏi dự đoán." in html
    assert f'href="{url("rounds:attempt", attempt)}#id_prediction"' in html
    assert 'id="confirm-submit-btn"' not in html
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.OPEN


def test_a_get_on_the_summary_goes_back_to_the_attempt(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.get(url("rounds:attempt-summary", attempt))

    assert response.status_code == 302
    assert response.url == url("rounds:attempt", attempt)


def test_the_summary_of_another_users_attempt_is_not_found(client, contestant, round_):
    attempt = start(UserFactory(), round_)
    client.force_login(contestant)

    response = client.post(url("rounds:attempt-summary", attempt), {"q0": "1"})

    assert response.status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).answers == [None] * 5


def test_a_forged_summary_post_is_refused_and_saves_nothing(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(url("rounds:attempt-summary", attempt), {"q0": "9"})

    assert response.status_code == 400
    assert "Phương án trả lời không hợp lệ." in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).answers == [None] * 5


# --- a refused submit loses nothing --------------------------------------------


def eighteen_answers(attempt: Attempt) -> dict[str, str]:
    return {f"q{p}": str(p % 4) for p in range(18)}


def test_a_refused_prediction_keeps_18_answers_ticked_and_the_text_typed(
    client, contestant, long_round
):
    attempt = start(contestant, long_round)
    client.force_login(contestant)
    posted = {**eighteen_answers(attempt), "prediction": "khoảng 1000"}

    response = client.post(url("rounds:attempt-summary", attempt), posted)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Dự đoán phải là một số nguyên không âm" in html
    assert checked(html) == {p: p % 4 for p in range(18)}
    assert 'value="khoảng 1000"' in html
    # A refused request changes nothing; the answers wait on the screen.
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert all(entry is None for entry in stored.answers)
    assert stored.prediction is None


def test_a_refused_final_submit_keeps_18_answers_ticked(client, contestant, long_round):
    attempt = start(contestant, long_round)
    client.force_login(contestant)

    response = client.post(
        url("rounds:attempt-submit", attempt),
        {**eighteen_answers(attempt), "prediction": ""},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài." in html
    assert checked(html) == {p: p % 4 for p in range(18)}
    assert "18</span>/20 câu đã trả lời" in html
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert all(entry is None for entry in stored.answers)


# --- the deadline without a script ----------------------------------------------


def test_the_page_shows_the_deadline_as_a_vietnam_clock_time(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.get(url("rounds:attempt", attempt))

    html = response.content.decode()
    clock = attempt.deadline.astimezone(VIETNAM).strftime("%H:%M:%S")
    assert f'Hạn nộp:</span> <strong class="timer">{clock}</strong>' in html
    day = attempt.deadline.astimezone(VIETNAM).strftime("%d/%m/%Y")
    assert f'<span class="nowrap">{clock} {day}</span>' in html
    assert f'trước <span class="nowrap">{clock}</span>' in html  # the noscript note
    # The countdown is the script's to show: without it, no frozen number.
    assert re.search(r'<div id="countdown" hidden>', html)
    assert "<noscript>" in html
    assert "chưa gửi sẽ không được tính" in html


def test_answers_posted_to_the_summary_count_when_the_deadline_passes(
    client, contestant, round_
):
    began = timezone.now() - timedelta(seconds=round_.time_limit_seconds - 30)
    attempt = start(contestant, round_, now=began)
    client.force_login(contestant)
    posted = {f"q{p}": str(correct_shown(attempt, p)) for p in range(3)}
    client.post(url("rounds:attempt-summary", attempt), posted)
    late = attempt.deadline + timedelta(seconds=round_.grace_seconds + 1)

    finished = services.attempts_finish_expired(now=late)

    assert finished == 1
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.correct_count == 3
    assert stored.submitted_at == attempt.deadline


def test_a_summary_posted_after_the_grace_finishes_from_the_saved_answers(
    client, contestant, round_
):
    began = timezone.now() - timedelta(
        seconds=round_.time_limit_seconds + round_.grace_seconds + 5
    )
    attempt = start(contestant, round_, now=began)
    client.force_login(contestant)
    posted = {f"q{p}": str(correct_shown(attempt, p)) for p in range(5)}

    response = client.post(url("rounds:attempt-summary", attempt), posted)

    assert response.status_code == 302
    assert response.url == url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.correct_count == 0
    assert stored.answers == [None] * 5


# --- no answer key before the submit -------------------------------------------


def one_question_attempt(user, correct: int) -> Attempt:
    """The same question, choices and shuffle; only the correct choice differs."""
    topic = TopicFactory(name="Chuyển đổi số")
    make_question(topic=topic, n=1, correct=correct)
    round_ = RoundFactory(question_count=1, prediction_question=PREDICTION_QUESTION)
    round_.contest.topics.set([topic])
    return services.attempt_start(
        user=user, round_=round_, rng=random.Random(7)
    ).attempt


def neutral(html: str, attempt: Attempt) -> str:
    """The page without what differs from one attempt to another by design."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = html.replace(attempt.public_id, "ID").replace(attempt.round.name, "ROUND")
    html = html.replace(attempt.round.contest.title, "CONTEST")
    html = re.sub(r"\d\d:\d\d:\d\d( \d\d/\d\d/\d{4})?", "TIME", html)
    return re.sub(r'data-remaining-ms="\d+"|>\d\d:\d\d<', "", html)


@pytest.mark.parametrize(
    "step",
    [
        pytest.param(("rounds:attempt-summary", {}), id="summary"),
        pytest.param(
            ("rounds:attempt-summary", {"q0": "1", "prediction": "x"}), id="refused"
        ),
        pytest.param(("rounds:attempt-submit", {"q0": "1"}), id="refused-submit"),
    ],
)
def test_no_page_before_the_submit_depends_on_the_answer_key(client, step):
    name, data = step
    pages: set[str] = set()
    for correct in range(4):
        user = UserFactory(full_name="Nguyễn Văn An")
        attempt = one_question_attempt(user, correct)
        client.force_login(user)

        html = client.post(url(name, attempt), data).content.decode()

        assert "Giải thích" not in html
        assert "đáp án đúng" not in html.lower()
        pages.add(neutral(html, attempt))
    first, *others = sorted(pages)
    diff = [
        line
        for other in others
        for line in difflib.unified_diff(first.splitlines(), other.splitlines())
    ]
    assert not diff, "\n".join(diff)
