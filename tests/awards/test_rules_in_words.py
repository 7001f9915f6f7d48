"""The rules stated in Vietnamese words, from the definitions the ranking uses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import collective, ranking, rules_text, services
from awards.models import AuditEntry, PrizeTier, RankingRules, RoundResult, UnitGroup
from quizzes.models import QuestionRevision
from rounds.models import Round
from tests.factories import RoundFactory, UserFactory, make_bank, make_finished_attempt
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

DEFAULT_SENTENCE = (
    "Xếp hạng theo: số câu đúng nhiều hơn, rồi dự đoán gần đúng hơn, rồi thời gian "
    "làm bài ngắn hơn, rồi nộp sớm hơn."
)


def test_the_default_order_reads_as_the_plans_write_it():
    assert rules_text.ranking_sentence(ranking.DEFAULT_ORDER) == DEFAULT_SENTENCE


def test_an_order_without_the_submission_ends_with_it_as_the_ranking_does():
    sentence = rules_text.ranking_sentence([ranking.CORRECT, ranking.DURATION])

    assert sentence == (
        "Xếp hạng theo: số câu đúng nhiều hơn, rồi thời gian làm bài ngắn hơn, "
        "rồi nộp sớm hơn."
    )
    assert ranking.effective_order([ranking.CORRECT, ranking.DURATION])[-1] == (
        ranking.SUBMITTED
    )


@pytest.mark.parametrize("code", ranking.CRITERIA)
def test_every_criterion_has_a_label_and_a_phrase(code):
    assert rules_text.CRITERION_LABELS[code]
    assert rules_text.CRITERION_PHRASES[code]


@pytest.mark.parametrize("code", collective.METRICS)
def test_every_collective_criterion_has_a_label_and_a_phrase(code):
    assert rules_text.UNIT_CRITERION_LABELS[code]
    assert rules_text.UNIT_CRITERION_PHRASES[code]


def test_the_collective_order_and_minimum_read_in_words():
    sentences = rules_text.unit_rules_sentences(
        order=[collective.PARTICIPANTS, collective.PERFECT_PEOPLE],
        min_rate_percent=70,
    )

    assert sentences == [
        "Xếp hạng tập thể theo: nhiều người dự thi hơn, rồi nhiều người trả lời "
        "đúng tất cả hơn.",
        "Đơn vị có tỷ lệ tham gia dưới 70% không được xếp giải tập thể.",
    ]


@pytest.fixture
def closed():
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=8),
        closes_at=now - timedelta(days=1),
        prediction_question="Bao nhiêu người đúng tất cả?",
    )
    round_.contest.topics.set(make_bank(topics=1, per_topic=5))
    PrizeTier.objects.create(
        contest=round_.contest, kind="individual", name="Giải nhất", count=1, order=1
    )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    for correct in (5, 3):
        make_finished_attempt(
            UserFactory(),
            round_,
            revisions,
            correct=correct,
            at=round_.opens_at + timedelta(days=1),
            prediction=1,
        )
    return round_


def test_the_contest_page_states_its_rules_in_words(client, closed):
    UnitGroup.objects.create(contest=closed.contest, name="Cấp xã", levels=["commune"])

    html = client.get(
        reverse("rounds:contest-detail", kwargs={"slug": closed.contest.slug})
    ).content.decode()

    assert DEFAULT_SENTENCE in html
    assert "Mỗi người được tính bài thi tốt nhất của mình trong tuần." in html
    assert "Xếp hạng tập thể theo: nhiều người dự thi hơn" in html


def test_the_approved_list_states_the_rules_it_was_ranked_by(client, closed):
    judge = UserFactory(is_staff=True)
    result = services.result_compute(round_=closed, actor=judge)
    services.result_approve(result=result, actor=judge)
    # Changed afterwards: the published list keeps the rules it was ranked by.
    RankingRules.objects.update_or_create(
        contest=closed.contest, defaults={"order": [ranking.DURATION]}
    )

    html = client.get(
        reverse("awards:round-results", kwargs={"round_id": closed.pk})
    ).content.decode()

    assert DEFAULT_SENTENCE in html
    assert "số người trả lời đúng tất cả các câu" in html


def test_the_review_page_states_the_rules_in_words(client, closed):
    judge = staff_in("Ban Giám khảo")
    result = services.result_compute(round_=closed, actor=judge)
    client.force_login(judge)

    html = client.get(
        reverse("admin:awards_roundresult_change", args=[result.pk])
    ).content.decode()

    assert DEFAULT_SENTENCE in html


# --- the preview ------------------------------------------------------------------


@pytest.fixture
def open_round(closed) -> Round:
    closed.closes_at = timezone.now() + timedelta(days=1)
    closed.save()
    return closed


def preview(client, round_):
    return client.post(
        reverse("admin:rounds_round_changelist"),
        {"action": "preview_results", "_selected_action": [round_.pk]},
        follow=True,
    )


def test_a_judge_previews_who_would_win_an_open_round_and_nothing_is_kept(
    client, open_round
):
    client.force_login(staff_in("Ban Giám khảo"))

    response = preview(client, open_round)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bản xem trước, không được lưu, không công bố." in html
    assert "5/5" in html
    assert "Giải nhất" in html
    assert DEFAULT_SENTENCE in html
    assert not RoundResult.objects.exists()
    assert not AuditEntry.objects.exists()
    public = client.get(
        reverse("awards:round-results", kwargs={"round_id": open_round.pk})
    )
    assert "Giải nhất" not in public.content.decode()


def test_a_preview_keeps_a_provisional_result_as_it_was(client, closed):
    judge = staff_in("Ban Giám khảo")
    result = services.result_compute(round_=closed, actor=judge)
    rows = list(result.rows.values_list("rank", "user_id", "prize_name"))
    client.force_login(judge)

    preview(client, closed)

    kept = RoundResult.objects.get(pk=result.pk)
    assert (kept.computed_at, kept.computed_by) == (result.computed_at, judge)
    assert list(kept.rows.values_list("rank", "user_id", "prize_name")) == rows


def test_the_preview_of_an_approved_round_is_refused_with_a_message(client, closed):
    judge = staff_in("Ban Giám khảo")
    services.result_approve(
        result=services.result_compute(round_=closed, actor=judge), actor=judge
    )
    client.force_login(judge)

    response = preview(client, closed)

    assert "đã được phê duyệt" in response.content.decode()


def test_the_preview_needs_the_compute_permission(client, open_round):
    client.force_login(staff_in("Tổ soạn thảo câu hỏi"))

    response = preview(client, open_round)

    assert "Bản xem trước" not in response.content.decode()
