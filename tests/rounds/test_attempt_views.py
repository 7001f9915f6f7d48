import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import PrizeTier, RankingRules
from awards.ranking import DEFAULT_ORDER
from awards.selectors import round_ranking_rows
from quizzes.models import Choice, QuestionRevision
from rounds import services
from rounds.models import Attempt
from tests.factories import (
    ContestFactory,
    RoundFactory,
    TopicFactory,
    UserFactory,
    make_question,
)

pytestmark = pytest.mark.django_db

# Session, user, attempt, draw, plus the few writes of a submit (its audit event
# included): never per question.
MAX_QUERIES = 11
PREDICTION_QUESTION = "Bao nhiêu người trả lời đúng tất cả các câu hỏi?"
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'\s(value|data-[\w-]+)="([^"]*)"')


def start(user, round_, now=None) -> Attempt:
    return services.attempt_start(user=user, round_=round_, now=now).attempt


def correct_shown(attempt: Attempt, position: int) -> int:
    """The shown index of the correct choice, computed the way a cheater cannot."""
    revision_id, permutation = attempt.draw[position]
    key = QuestionRevision.objects.get(pk=revision_id).correct_index
    return permutation.index(key)


def all_correct(attempt: Attempt) -> dict[str, str]:
    return {
        f"q{position}": str(correct_shown(attempt, position))
        for position in range(attempt.question_count)
    }


def attempt_url(name: str, attempt: Attempt) -> str:
    return reverse(name, kwargs={"public_id": attempt.public_id})


def start_url(round_) -> str:
    return reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})


def contest_url(contest) -> str:
    return reverse("rounds:contest-detail", kwargs={"slug": contest.slug})


def radios(html: str) -> dict[str, list[str]]:
    """Radio input values by input name, in page order."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for tag in INPUT.findall(html):
        if 'type="radio"' in tag:
            name = re.search(r'\sname="([^"]*)"', tag).group(1)
            by_name[name].append(re.search(r'\svalue="([^"]*)"', tag).group(1))
    return dict(by_name)


def attribute_values(html: str) -> set[str]:
    """Every value= and data-*= attribute value, the CSRF token excepted."""
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))
    return {value for _, value in ATTRIBUTE.findall(html)} - tokens


def submit(attempt: Attempt, answers: dict[int, int] | None = None, **kwargs):
    return services.attempt_submit(
        attempt=attempt, answers=answers or {}, prediction=None, **kwargs
    )


# --- home and contest page ------------------------------------------------------------


def test_home_with_one_contest_shows_its_page_with_the_start_button(
    client, contestant, round_
):
    client.force_login(contestant)

    response = client.get(reverse("rounds:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert round_.contest.title in html
    assert re.search(r"<button[^>]*>\s*Vào thi\s*</button>", html)
    assert f'action="{start_url(round_)}"' in html


def test_home_with_two_contests_lists_both(client, contestant, round_):
    other = RoundFactory()
    client.force_login(contestant)

    response = client.get(reverse("rounds:home"))

    html = response.content.decode()
    assert "rounds/contest_list.html" in [t.name for t in response.templates]
    assert round_.contest.title in html
    assert other.contest.title in html


def test_home_without_contests_says_none_is_open(client, contestant):
    client.force_login(contestant)

    response = client.get(reverse("rounds:home"))

    assert "Hiện chưa có cuộc thi nào đang mở." in response.content.decode()


def test_contest_page_shows_rounds_with_status_prizes_and_rules(client, contestant):
    now = timezone.now()
    contest = ContestFactory(rules="Mỗi thí sinh được thi nhiều lượt.")
    for name, opens, closes in [
        ("Tuần đã qua", -timedelta(days=9), -timedelta(days=2)),
        ("Tuần đang mở", -timedelta(days=1), timedelta(days=6)),
        ("Tuần sắp tới", timedelta(days=6), timedelta(days=13)),
    ]:
        RoundFactory(
            contest=contest, name=name, opens_at=now + opens, closes_at=now + closes
        )
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=4_000_000,
    )
    client.force_login(contestant)

    response = client.get(contest_url(contest))

    html = response.content.decode()
    status = {
        name: re.search(rf"<td>{name}</td>.*?status-(\w+)", html, re.S).group(1)
        for name in ["Tuần đã qua", "Tuần đang mở", "Tuần sắp tới"]
    }
    assert status == {
        "Tuần đã qua": "closed",
        "Tuần đang mở": "open",
        "Tuần sắp tới": "upcoming",
    }
    assert "Giải nhất" in html
    assert "4.000.000 đồng" in html
    assert "Mỗi thí sinh được thi nhiều lượt." in html


def test_an_unpublished_contest_page_is_not_found(client, contestant, round_):
    round_.contest.is_published = False
    round_.contest.save()
    client.force_login(contestant)

    response = client.get(contest_url(round_.contest))

    assert response.status_code == 404


# --- start -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method", [pytest.param("get", id="get"), pytest.param("post", id="post")]
)
def test_an_anonymous_start_goes_to_the_login_page(client, round_, method):
    response = getattr(client, method)(start_url(round_))

    login = reverse("accounts:login")
    assert response.status_code == 302
    assert response.url == f"{login}?next={contest_url(round_.contest)}"
    assert not Attempt.objects.exists()


def test_start_creates_an_attempt_and_opens_it(client, contestant, round_):
    client.force_login(contestant)

    response = client.post(start_url(round_))

    attempt = Attempt.objects.get()
    assert attempt.user == contestant
    assert attempt.round == round_
    assert attempt.status == Attempt.Status.OPEN
    assert response.status_code == 302
    assert response.url == attempt_url("rounds:attempt", attempt)


def test_a_get_on_start_creates_nothing(client, contestant, round_):
    client.force_login(contestant)

    response = client.get(start_url(round_))

    assert response.status_code == 302
    assert response.url == contest_url(round_.contest)
    assert not Attempt.objects.exists()


def test_start_before_the_round_opens_is_refused_on_the_contest_page(
    client, contestant, bank
):
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    round_.contest.topics.set(bank)
    client.force_login(contestant)

    response = client.post(start_url(round_), follow=True)

    assert response.redirect_chain == [(contest_url(round_.contest), 302)]
    assert "Tuần thi chưa mở" in response.content.decode()
    assert not Attempt.objects.exists()


def test_start_with_an_open_attempt_resumes_it(client, contestant, round_):
    first = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(start_url(round_), follow=True)

    assert response.redirect_chain == [(attempt_url("rounds:attempt", first), 302)]
    assert "Bạn đang có một bài thi chưa nộp" in response.content.decode()
    assert list(Attempt.objects.values_list("public_id", flat=True)) == [
        first.public_id
    ]


# --- the attempt page -------------------------------------------------------------


def test_the_attempt_page_holds_no_answer_key_and_no_database_id(
    client, contestant, round_, bank
):
    # Questions of the second topic only: their ids cannot look like small indexes.
    round_.contest.topics.set([bank[1]])
    attempt = start(contestant, round_)
    revisions = QuestionRevision.objects.in_bulk([item[0] for item in attempt.draw])
    question_ids = {r.question_id for r in revisions.values()}
    ids = {str(pk) for pk in revisions} | {str(pk) for pk in question_ids}
    ids |= {
        str(pk)
        for pk in Choice.objects.filter(question__in=question_ids).values_list(
            "pk", flat=True
        )
    }
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt", attempt))

    html = response.content.decode()
    assert response.status_code == 200
    for marker in ["is_correct", "correct", "đáp án đúng"]:
        assert marker not in html.lower()
    shown = radios(html)
    assert set(shown) == {f"q{i}" for i in range(attempt.question_count)}
    for position, (revision_id, _) in enumerate(attempt.draw):
        count = len(revisions[revision_id].choice_texts)
        assert shown[f"q{position}"] == [str(i) for i in range(count)]
    assert not ids & attribute_values(html)


@pytest.mark.parametrize(
    "correct",
    [pytest.param(i, id=f"correct-is-{'ABCD'[i]}") for i in range(4)],
)
def test_the_radio_values_are_the_same_whatever_the_correct_choice(
    client, contestant, correct
):
    topic = TopicFactory()
    make_question(topic=topic, n=1, correct=correct)
    round_ = RoundFactory(question_count=1)
    round_.contest.topics.set([topic])
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt", attempt))

    assert radios(response.content.decode()) == {"q0": ["0", "1", "2", "3"]}


def test_the_attempt_page_shows_the_drawn_questions_and_the_countdown(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    texts = QuestionRevision.objects.filter(
        pk__in=[item[0] for item in attempt.draw]
    ).values_list("text", flat=True)
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt", attempt))

    html = response.content.decode()
    assert all(text in html for text in texts)
    remaining = int(re.search(r'data-remaining-ms="(\d+)"', html).group(1))
    assert 0 < remaining <= round_.time_limit_seconds * 1000


def test_an_expired_attempt_page_finishes_it_and_shows_the_result(
    client, contestant, bank
):
    now = timezone.now()
    round_ = RoundFactory(opens_at=now - timedelta(days=2))
    round_.contest.topics.set(bank)
    attempt = start(contestant, round_, now - timedelta(hours=1))
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt", attempt))

    assert response.status_code == 302
    assert response.url == attempt_url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.finished_by == Attempt.FinishedBy.DEADLINE
    assert stored.submitted_at == attempt.deadline
    result = client.get(response.url).content.decode()
    assert "<dt>Cách nộp</dt><dd>Hết giờ, hệ thống tự nộp</dd>" in result


# --- save --------------------------------------------------------------------------


def test_save_stores_the_clicked_answer(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-save", attempt),
        {"seq": 1, "position": 0, "choice": 2},
    )

    assert response.status_code == 200
    assert response.json() == {"ok": True, "seq": 1}
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.answers[0] == [attempt.draw[0][1][2], 1]
    assert stored.answers[1:] == [None] * 4


def test_a_stale_save_is_answered_as_stale_not_as_saved(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)
    url = attempt_url("rounds:attempt-save", attempt)
    client.post(url, {"seq": 30, "prediction": "500"})

    response = client.post(url, {"seq": 25, "prediction": "100"})

    assert response.status_code == 409
    assert response.json()["stale"] is True
    assert response.json()["ok"] is False
    assert Attempt.objects.get(pk=attempt.pk).prediction == 500


@pytest.mark.parametrize(
    ("position", "choice"),
    [
        pytest.param(0, 9, id="choice-beyond-a-4-choice-question"),
        pytest.param(99, 0, id="question-not-drawn"),
    ],
)
def test_a_forged_save_is_refused_and_changes_nothing(
    client, contestant, round_, position, choice
):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-save", attempt),
        {"seq": 1, "position": position, "choice": choice},
    )

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert Attempt.objects.get(pk=attempt.pk).answers == [None] * 5


def test_save_refuses_a_get(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt-save", attempt))

    assert response.status_code == 405


def test_save_on_another_users_attempt_is_not_found(client, contestant, round_):
    attempt = start(UserFactory(), round_)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-save", attempt),
        {"seq": 1, "position": 0, "choice": 1},
    )

    assert response.status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).answers == [None] * 5


# --- submit ------------------------------------------------------------------------


def test_submit_scores_the_attempt_and_shows_the_result(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-submit", attempt), all_correct(attempt)
    )

    assert response.status_code == 302
    assert response.url == attempt_url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.finished_by == Attempt.FinishedBy.CONTESTANT
    assert stored.correct_count == 5


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"q0": ["0", "1"]}, id="two-values-for-one-question"),
        pytest.param({"q99": "0"}, id="unknown-question"),
        pytest.param({"q0": "9"}, id="choice-beyond-the-question"),
    ],
)
def test_a_forged_submit_is_refused_and_changes_nothing(
    client, contestant, round_, data
):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.post(attempt_url("rounds:attempt-submit", attempt), data)

    assert response.status_code == 400
    assert "Phương án trả lời không hợp lệ." in response.content.decode()
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.answers == [None] * 5


def test_a_repeated_submit_shows_the_first_result_unchanged(client, contestant, round_):
    attempt = start(contestant, round_)
    client.force_login(contestant)
    url = attempt_url("rounds:attempt-submit", attempt)
    client.post(url, all_correct(attempt))
    first = Attempt.objects.get(pk=attempt.pk)

    response = client.post(url, {"q0": str((correct_shown(attempt, 0) + 1) % 4)})

    assert response.status_code == 302
    assert response.url == attempt_url("rounds:attempt-result", attempt)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.correct_count == first.correct_count == 5
    assert stored.submitted_at == first.submitted_at
    assert stored.answers == first.answers


@pytest.fixture
def prediction_round(round_):
    round_.prediction_question = PREDICTION_QUESTION
    round_.save()
    return round_


def test_submit_without_the_prediction_asks_for_it(
    client, contestant, prediction_round
):
    attempt = start(contestant, prediction_round)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-submit", attempt), all_correct(attempt)
    )

    assert response.status_code == 400
    assert (
        "Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài."
        in response.content.decode()
    )
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.correct_count is None


def test_submit_reads_a_grouped_prediction(client, contestant, prediction_round):
    attempt = start(contestant, prediction_round)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-submit", attempt),
        {**all_correct(attempt), "prediction": "1.250"},
    )

    assert response.status_code == 302
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.FINISHED
    assert stored.prediction == 1250


def test_submit_refuses_a_negative_prediction(client, contestant, prediction_round):
    attempt = start(contestant, prediction_round)
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-submit", attempt),
        {**all_correct(attempt), "prediction": "-1"},
    )

    assert response.status_code == 400
    assert "Dự đoán phải là một số nguyên không âm" in response.content.decode()
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.prediction is None


# --- result ------------------------------------------------------------------------


def test_the_result_shows_score_duration_and_attempts_used(client, contestant, round_):
    started = timezone.now() - timedelta(minutes=5)
    attempt = start(contestant, round_, started)
    submit(
        attempt,
        {i: correct_shown(attempt, i) for i in range(3)},
        now=started + timedelta(minutes=3, milliseconds=456),
    )
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt-result", attempt))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="score">3/5<' in html
    assert "03:00" in html
    assert "180456 mili giây" in html
    assert "<dt>Số lượt đã thi</dt><dd>1 (không giới hạn)</dd>" in html
    assert "<dt>Cách nộp</dt><dd>Thí sinh nộp bài</dd>" in html


@pytest.mark.parametrize(
    ("policy", "label", "counted"),
    [
        pytest.param("first", "Bài nộp đầu tiên", "2/5 câu, lượt 1", id="first"),
        pytest.param("last", "Bài nộp cuối cùng", "5/5 câu, lượt 2", id="last"),
        pytest.param("best", "Bài tốt nhất", "5/5 câu, lượt 2", id="best"),
    ],
)
def test_the_result_names_the_attempt_the_ranking_counts(
    client, contestant, round_, policy, label, counted
):
    RankingRules.objects.create(contest=round_.contest, counted_attempt=policy)
    started = timezone.now() - timedelta(minutes=30)
    first = start(contestant, round_, started)
    submit(first, {i: correct_shown(first, i) for i in range(2)}, now=started)
    second = start(contestant, round_, started + timedelta(minutes=1))
    submit(
        second,
        {i: correct_shown(second, i) for i in range(5)},
        now=started + timedelta(minutes=2),
    )
    rows = round_ranking_rows(
        round_=round_, order=DEFAULT_ORDER, policy=policy, truth=None
    )
    client.force_login(contestant)

    html = client.get(attempt_url("rounds:attempt-result", second)).content.decode()

    assert label in html
    assert f'id="counted">{counted}<' in html
    assert f"lượt {rows[0]['number']}<" in html


def test_the_result_of_an_attempt_whose_time_ran_out_counts_it_as_finished(
    client, contestant, round_
):
    """The page reads the person's attempts with the attempt itself; the attempt,
    found open past its time, is finished at its deadline before the page counts
    it among them."""
    round_.max_attempts = 3
    round_.save(update_fields=["max_attempts"])
    RankingRules.objects.create(contest=round_.contest, counted_attempt="last")
    started = timezone.now() - timedelta(hours=2)
    first = start(contestant, round_, started)
    submit(first, {}, now=started + timedelta(minutes=1))
    second = start(contestant, round_, started + timedelta(minutes=2))
    services.attempt_save(
        attempt=second,
        seq=1,
        position=0,
        shown_choice=correct_shown(second, 0),
        now=started + timedelta(minutes=3),
    )
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt-result", second))

    html = response.content.decode()
    assert response.status_code == 200
    assert Attempt.objects.get(pk=second.pk).status == Attempt.Status.FINISHED
    assert "<dt>Số lượt đã thi</dt><dd>2, còn 1 lượt</dd>" in html
    assert 'id="counted">1/5 câu, lượt 2<' in html


@pytest.mark.parametrize(
    ("policy", "round_closed", "shown"),
    [
        pytest.param("after_close", False, False, id="after-close-while-open"),
        pytest.param("after_close", True, True, id="after-close-once-closed"),
        pytest.param("never", False, False, id="never-while-open"),
        pytest.param("never", True, False, id="never-once-closed"),
    ],
)
def test_the_result_reveals_correct_answers_only_as_the_contest_allows(
    client, contestant, round_, policy, round_closed, shown
):
    round_.contest.review_policy = policy
    round_.contest.save()
    attempt = start(contestant, round_)
    submit(attempt)
    if round_closed:
        round_.closes_at = timezone.now() - timedelta(minutes=1)
        round_.save()
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt-result", attempt))

    assert ("đáp án đúng" in response.content.decode()) is shown


def test_the_result_of_an_open_attempt_sends_back_to_the_attempt(
    client, contestant, round_
):
    attempt = start(contestant, round_)
    client.force_login(contestant)

    response = client.get(attempt_url("rounds:attempt-result", attempt))

    assert response.status_code == 302
    assert response.url == attempt_url("rounds:attempt", attempt)


# --- list, ownership, health ---------------------------------------------------------


def test_the_attempt_list_shows_own_attempts_only(client, contestant, round_):
    own = start(contestant, round_)
    other = start(UserFactory(), round_)
    client.force_login(contestant)

    response = client.get(reverse("rounds:attempt-list"))

    html = response.content.decode()
    assert own.public_id in html
    assert other.public_id not in html


def test_the_attempt_list_needs_a_login(client):
    response = client.get(reverse("rounds:attempt-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("method", "name"),
    [
        pytest.param("get", "rounds:attempt", id="page"),
        pytest.param("get", "rounds:attempt-result", id="result"),
        pytest.param("post", "rounds:attempt-submit", id="submit"),
    ],
)
def test_another_users_attempt_is_not_found(client, contestant, round_, method, name):
    attempt = start(UserFactory(), round_)
    client.force_login(contestant)

    response = getattr(client, method)(attempt_url(name, attempt), all_correct(attempt))

    assert response.status_code == 404
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == Attempt.Status.OPEN
    assert stored.answers == [None] * 5


def test_healthz_answers_ok(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_refuses_a_post(client):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405


# --- query counts ------------------------------------------------------------------


def finished(attempt: Attempt) -> Attempt:
    return submit(attempt)


def unchanged(attempt: Attempt) -> Attempt:
    return attempt


@pytest.mark.parametrize(
    ("prepare", "method", "name", "data", "status"),
    [
        pytest.param(unchanged, "get", "rounds:attempt", {}, 200, id="page"),
        pytest.param(
            unchanged,
            "post",
            "rounds:attempt-save",
            {"seq": 1, "position": 0, "choice": 1},
            200,
            id="save",
        ),
        pytest.param(
            unchanged, "post", "rounds:attempt-submit", {"q0": "1"}, 302, id="submit"
        ),
        pytest.param(finished, "get", "rounds:attempt-result", {}, 200, id="result"),
    ],
)
def test_the_query_count_does_not_grow_with_the_questions(
    client,
    round_,
    django_assert_max_num_queries,
    prepare,
    method,
    name,
    data,
    status,
):
    attempts = {}
    for count in (5, 15):
        round_.question_count = count
        round_.save()
        attempts[count] = prepare(start(UserFactory(), round_))
    client.force_login(attempts[5].user)
    with CaptureQueriesContext(connection) as few:
        small = getattr(client, method)(attempt_url(name, attempts[5]), data)
    client.force_login(attempts[15].user)

    with django_assert_max_num_queries(MAX_QUERIES) as many:
        large = getattr(client, method)(attempt_url(name, attempts[15]), data)

    assert small.status_code == large.status_code == status
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_register_link_goes_to_the_running_contest_so_its_rules_apply(client):
    round_ = RoundFactory()

    response = client.get(reverse("rounds:register"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "rounds:contest-register", kwargs={"slug": round_.contest.slug}
    )


def test_the_register_link_is_the_plain_form_when_several_contests_run(client):
    RoundFactory()
    RoundFactory()

    response = client.get(reverse("rounds:register"))

    assert response["Location"] == reverse("accounts:register")


def test_my_attempts_finishes_an_attempt_left_open_past_its_deadline(
    client, contestant, bank
):
    round_ = RoundFactory(opens_at=timezone.now() - timedelta(days=2))
    round_.contest.topics.set(bank)
    attempt = services.attempt_start(
        user=contestant, round_=round_, now=timezone.now() - timedelta(hours=1)
    ).attempt
    client.force_login(contestant)

    response = client.get(reverse("rounds:attempt-list"))

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert f"0/{attempt.question_count}" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/tuan-thi/9223372036854775808/vao-thi/", id="start-2-63"),
        pytest.param("/ket-qua/tuan-thi/99999999999999999999/", id="results-huge"),
        pytest.param("/tuan-thi/abc/vao-thi/", id="start-letters"),
        pytest.param("/ket-qua/tuan-thi/-1/", id="results-negative"),
    ],
)
def test_ids_out_of_range_are_not_found_rather_than_a_server_error(client, url):
    response = client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("voided", [False, True])
def test_a_question_voided_while_the_round_runs_counts_in_a_later_submit(
    client, contestant, round_, voided
):
    from awards.services import question_void

    attempt = start(contestant, round_)
    answers = all_correct(attempt)
    choices = len(attempt.draw[0][1])
    answers["q0"] = str((correct_shown(attempt, 0) + 1) % choices)  # a wrong one
    if voided:
        question_void(
            round_=round_,
            question=QuestionRevision.objects.get(pk=attempt.draw[0][0]).question,
            reason="Câu hỏi sai đáp án",
            actor=UserFactory(is_staff=True),
        )
    client.force_login(contestant)

    response = client.post(
        attempt_url("rounds:attempt-submit", attempt), {**answers, "prediction": "1"}
    )

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    expected = attempt.question_count - (0 if voided else 1)
    assert attempt.correct_count == expected
