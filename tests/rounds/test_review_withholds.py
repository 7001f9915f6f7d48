"""A review never hands out the answer of a question a round still open or to come
can draw (issue 12): not on the result page, nor on any page a contestant reaches."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import services as award_services
from awards.models import RankingRules
from quizzes.models import Question
from rounds import selectors, services
from tests.factories import RoundFactory, TopicFactory, UserFactory, make_question

pytestmark = pytest.mark.django_db

MARKERS = ("(đáp án đúng)", 'class="right"', "Giải thích")


@pytest.fixture(autouse=True)
def _fresh_caches():
    selectors.draw_pools_forget()
    selectors.revisions_forget()
    yield
    selectors.draw_pools_forget()
    selectors.revisions_forget()


@pytest.fixture
def weeks():
    """Week 1 closed, week 2 open, both drawing the same five questions."""
    now = timezone.now()
    topic = TopicFactory()
    for n in range(5):
        make_question(topic=topic, n=n, correct=n % 4)
    week_1 = RoundFactory(
        question_count=5,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=3),
    )
    contest = week_1.contest
    contest.topics.set([topic])
    week_2 = RoundFactory(
        contest=contest,
        question_count=5,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=5),
    )
    person = UserFactory()
    attempt = services.attempt_start(
        user=person, round_=week_1, now=week_1.opens_at + timedelta(hours=1)
    ).attempt
    attempt = services.attempt_submit(
        attempt=attempt,
        answers=dict.fromkeys(range(5), 0),
        prediction=None,
        now=week_1.opens_at + timedelta(hours=1, minutes=5),
    )
    return week_1, week_2, person, attempt, topic


def result_html(client, person, attempt) -> str:
    client.force_login(person)
    url = reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id})
    return client.get(url).content.decode()


def test_the_review_withholds_answers_a_round_still_open_can_draw(client, weeks):
    _week_1, _week_2, person, attempt, _topic = weeks

    html = result_html(client, person, attempt)

    assert 'id="withheld-note"' in html
    assert "Đáp án của 5 câu hỏi" in html
    for marker in MARKERS:
        assert marker not in html
    assert html.count("(đáp án chưa công bố)") == 5


def test_the_review_shows_the_answers_once_no_round_can_draw_them(client, weeks):
    _week_1, week_2, person, attempt, _topic = weeks
    week_2.closes_at = timezone.now() - timedelta(minutes=1)
    week_2.save()

    html = result_html(client, person, attempt)

    assert "(đáp án đúng)" in html
    assert "Giải thích" in html
    assert 'id="withheld-note"' not in html


def test_another_contests_coming_round_on_the_same_topic_withholds_them(client, weeks):
    _week_1, week_2, person, attempt, topic = weeks
    week_2.closes_at = timezone.now() - timedelta(minutes=1)
    week_2.save()
    later = RoundFactory(
        opens_at=timezone.now() + timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=37),
    )
    later.contest.topics.set([topic])

    html = result_html(client, person, attempt)

    assert "(đáp án đúng)" not in html
    assert "Đáp án của 5 câu hỏi" in html


def test_a_coming_round_without_topics_draws_the_whole_bank(client, weeks):
    _week_1, week_2, person, attempt, _topic = weeks
    week_2.closes_at = timezone.now() - timedelta(minutes=1)
    week_2.save()
    RoundFactory(
        opens_at=timezone.now() + timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=37),
    )

    html = result_html(client, person, attempt)

    assert "(đáp án đúng)" not in html


def test_only_the_drawable_questions_are_withheld():
    now = timezone.now()
    kept, free = TopicFactory(), TopicFactory()
    drawable = [make_question(topic=kept, n=n) for n in range(2)]
    retired = [make_question(topic=free, n=10 + n) for n in range(2)]
    RoundFactory(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1)
    ).contest.topics.set([kept])

    withheld = selectors.questions_still_drawable(now=now)

    assert {q.pk for q in drawable} <= withheld
    assert not {q.pk for q in retired} & withheld
    Question.objects.filter(pk=drawable[0].pk).update(is_active=False)
    assert drawable[0].pk not in selectors.questions_still_drawable(now=now)


def test_no_page_a_contestant_reaches_reveals_a_drawable_answer(client, weeks):
    week_1, _week_2, person, attempt, _topic = weeks
    contest = week_1.contest
    RankingRules.objects.create(contest=contest, certificates_enabled=True)
    judge = UserFactory(is_staff=True)
    award_services.result_approve(
        result=award_services.result_compute(round_=week_1, actor=judge), actor=judge
    )
    client.force_login(person)
    pages = [
        reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id}),
        reverse("rounds:attempt-list"),
        reverse("rounds:contest-detail", kwargs={"slug": contest.slug}),
        reverse("awards:round-results", kwargs={"round_id": week_1.pk}),
        reverse("certificates:mine"),
        reverse("certificates:verify"),
    ]

    shown = {url: client.get(url) for url in pages}

    for url, response in shown.items():
        html = response.content.decode()
        assert response.status_code == 200, url
        for marker in MARKERS:
            assert marker not in html, (url, marker)
