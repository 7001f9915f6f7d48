from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from awards import selectors, services
from awards.models import PrizeTier, RankingRules, RoundResult, UnitGroup
from quizzes.models import QuestionRevision
from rounds.models import Attempt, Round
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)

PRIVATE = {
    "phone": "0987654321",
    "email": "rieng.tu.an@example.vn",
    "citizen_id": "079187654321",
    "date_of_birth": date(1987, 6, 5),
}
PRIVATE_TEXTS = [
    "0987654321",
    "rieng.tu.an@example.vn",
    "079187654321",
    "05/06/1987",
    "1987-06-05",
    "5 tháng 6 năm 1987",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The live leaderboard is cached per round id; ids are reused across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def judge() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def revisions(bank) -> list[QuestionRevision]:
    return list(QuestionRevision.objects.order_by("pk")[:5])


def finished(
    user: User,
    round_: Round,
    revisions: Sequence[QuestionRevision],
    *,
    correct: int,
    at: datetime,
    duration_ms: int = 60_000,
    prediction: int | None = None,
) -> Attempt:
    """A finished attempt whose stored answers score `correct`: the first ones right."""
    return make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=at,
        duration_ms=duration_ms,
        prediction=prediction,
    )


def results_url(round_: Round, **query) -> str:
    url = reverse("awards:round-results", kwargs={"round_id": round_.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def computed(revisions, judge) -> RoundResult:
    """A closed round with a prediction, a first prize, and a provisional result."""
    round_ = RoundFactory(
        opens_at=OPENS,
        closes_at=CLOSES,
        prediction_question="Bao nhiêu người dự thi?",
    )
    RankingRules.objects.create(
        contest=round_.contest, truth_kind=RankingRules.Truth.PARTICIPANTS
    )
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải Nhất tuần",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    winner = UserFactory(
        full_name="Lê Thị Quán Quân",
        unit=UnitFactory(name="UBND phường Hòa Bình"),
        **PRIVATE,
    )
    other = UserFactory(
        full_name="Phạm Văn Á Quân",
        unit=UnitFactory(name="UBND xã Tân Phú"),
        phone="0912345678",
        email="khac.nua@example.vn",
        citizen_id="001099001234",
        date_of_birth=date(1999, 12, 31),
    )
    at = OPENS + timedelta(days=1)
    finished(winner, round_, revisions, correct=5, at=at, prediction=2)
    finished(other, round_, revisions, correct=4, at=at, prediction=2)
    return services.result_compute(round_=round_, actor=judge)


@pytest.fixture
def approved(computed, judge) -> RoundResult:
    return services.result_approve(result=computed, actor=judge)


def test_results_before_approval_are_not_published(client, computed):
    response = client.get(results_url(computed.round))

    assert response.status_code == 200
    content = response.content.decode()
    assert "chưa được công bố" in content
    assert "Quán Quân" not in content
    assert "Giải Nhất tuần" not in content


def test_results_after_approval_show_the_winners(client, approved):
    response = client.get(results_url(approved.round))

    assert response.status_code == 200
    content = response.content.decode()
    assert "chưa được công bố" not in content
    assert "Lê Thị Quán Quân" in content
    assert "Phạm Văn Á Quân" in content
    assert "UBND phường Hòa Bình" in content
    assert "UBND xã Tân Phú" in content
    assert "Giải Nhất tuần" in content
    assert [row["full_name"] for row in response.context["winners"]] == [
        "Lê Thị Quán Quân"
    ]


def test_results_after_approval_show_the_statistics(client, approved):
    response = client.get(results_url(approved.round))

    content = response.content.decode()
    assert "<dt>Số người dự thi</dt><dd>2</dd>" in content
    assert "<dt>Số lượt thi</dt><dd>2</dd>" in content
    assert "<dt>Đáp án câu dự đoán</dt><dd>2</dd>" in content


def test_a_signed_in_contestant_sees_their_own_rank(client, approved):
    other = User.objects.get(full_name="Phạm Văn Á Quân")
    client.force_login(other)

    response = client.get(results_url(approved.round))

    assert response.context["mine"]["rank"] == 2
    assert "Bạn xếp hạng <strong>2</strong>/2: 4/5 câu đúng" in response.text


def test_someone_not_ranked_sees_no_rank(client, approved):
    client.force_login(UserFactory())

    response = client.get(results_url(approved.round))

    assert response.context["mine"] is None
    assert 'id="my-rank"' not in response.text


def test_results_never_show_personal_data(client, approved):
    response = client.get(results_url(approved.round))

    content = response.content.decode()
    for text in [
        *PRIVATE_TEXTS,
        "0912345678",
        "khac.nua@example.vn",
        "001099001234",
        "31/12/1999",
    ]:
        assert text not in content, text


def test_results_of_an_unpublished_contest_are_not_found(client, approved):
    approved.round.contest.is_published = False
    approved.round.contest.save()

    response = client.get(results_url(approved.round))

    assert response.status_code == 404


def test_results_of_an_unknown_round_are_not_found(client):
    response = client.get(reverse("awards:round-results", kwargs={"round_id": 999999}))

    assert response.status_code == 404


def test_results_refuse_post(client, approved):
    response = client.post(results_url(approved.round))

    assert response.status_code == 405


@pytest.fixture
def many(revisions, judge) -> Round:
    """An approved round of 150 ranked people, "Thí sinh 001" first."""
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    unit = UnitFactory(name="Trường THPT Chuyên")
    at = OPENS + timedelta(days=1)
    for i in range(1, 151):
        user = UserFactory(full_name=f"Thí sinh {i:03d}", unit=unit)
        finished(user, round_, revisions, correct=5, at=at, duration_ms=10_000 + i)
    services.result_approve(
        result=services.result_compute(round_=round_, actor=judge), actor=judge
    )
    return round_


def test_results_show_100_rows_on_the_first_page(client, many):
    response = client.get(results_url(many))

    content = response.content.decode()
    assert [row["rank"] for row in response.context["page"].object_list] == list(
        range(1, 101)
    )
    assert "Thí sinh 100" in content
    assert "Thí sinh 101" not in content
    assert "?trang=2" in content


def test_results_show_the_rest_on_the_second_page(client, many):
    response = client.get(results_url(many, trang=2))

    content = response.content.decode()
    assert [row["rank"] for row in response.context["page"].object_list] == list(
        range(101, 151)
    )
    assert "Thí sinh 101" in content
    assert "Thí sinh 150" in content
    assert "Thí sinh 099" not in content


def test_results_query_count_does_not_grow_with_the_rows(client, approved, many):
    with CaptureQueriesContext(connection) as small:
        client.get(results_url(approved.round))
    with CaptureQueriesContext(connection) as large:
        client.get(results_url(many))

    assert len(large.captured_queries) == len(small.captured_queries)


# --- live leaderboard --------------------------------------------------------------


@pytest.fixture
def open_round(revisions) -> Round:
    """A round open now with two finished attempts and no result yet."""
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=6)
    )
    leader = UserFactory(full_name="Đỗ Dẫn Đầu", unit=UnitFactory(name="Xã Đông"))
    finished(leader, round_, revisions, correct=5, at=now - timedelta(hours=1))
    finished(
        UserFactory(full_name="Vũ Theo Sau", **PRIVATE),
        round_,
        revisions,
        correct=3,
        at=now - timedelta(hours=2),
    )
    return round_


def test_live_leaderboard_shows_the_provisional_top(client, open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)

    response = client.get(results_url(open_round))

    content = response.content.decode()
    assert "Bảng xếp hạng tạm thời" in content
    assert [row["full_name"] for row in response.context["leaderboard"]] == [
        "Đỗ Dẫn Đầu",
        "Vũ Theo Sau",
    ]
    assert "Xã Đông" in content
    assert "5/5" in content
    for text in PRIVATE_TEXTS:
        assert text not in content, text


def test_live_leaderboard_is_ranked_once_a_minute(client, open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)
    with CaptureQueriesContext(connection) as first:
        client.get(results_url(open_round))

    with CaptureQueriesContext(connection) as second:
        response = client.get(results_url(open_round))

    assert any("rounds_attempt" in q["sql"] for q in first.captured_queries)
    assert not any("rounds_attempt" in q["sql"] for q in second.captured_queries)
    assert "Đỗ Dẫn Đầu" in response.content.decode()


def test_live_leaderboard_is_ranked_again_after_a_minute(open_round, revisions):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)
    now = timezone.now()
    first = selectors.leaderboard_top(round_=open_round, now=now)
    newcomer = UserFactory(full_name="Lê Mới Vào")
    finished(newcomer, open_round, revisions, correct=5, at=now - timedelta(hours=3))

    within = selectors.leaderboard_top(
        round_=open_round, now=now + timedelta(seconds=59)
    )
    after = selectors.leaderboard_top(
        round_=open_round, now=now + timedelta(seconds=61)
    )

    assert within == first
    assert [row["full_name"] for row in after] == [
        "Lê Mới Vào",
        "Đỗ Dẫn Đầu",
        "Vũ Theo Sau",
    ]


def test_while_one_worker_ranks_again_the_others_show_the_last_top(open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)
    now = timezone.now()
    last = selectors.leaderboard_top(round_=open_round, now=now)
    cache.add(f"leaderboard:{open_round.pk}:ranking", True, 120)  # another worker

    with CaptureQueriesContext(connection) as queries:
        shown = selectors.leaderboard_top(
            round_=open_round, now=now + timedelta(minutes=5)
        )

    assert shown == last
    assert not any("rounds_attempt" in q["sql"] for q in queries.captured_queries)


def test_the_first_top_being_ranked_elsewhere_says_so(client, open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)
    cache.add(f"leaderboard:{open_round.pk}:ranking", True, 120)  # another worker

    response = client.get(results_url(open_round))

    assert response.status_code == 200
    assert "đang được cập nhật" in response.content.decode()
    assert "leaderboard" not in response.context


def test_live_leaderboard_is_the_top_of_the_full_ranking(revisions):
    now = timezone.now()
    round_ = RoundFactory(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=6)
    )
    for index in range(25):
        user = UserFactory()
        for attempt in range(index % 3 + 1):
            finished(
                user,
                round_,
                revisions,
                correct=(index * 7 + attempt) % 6,
                at=now - timedelta(minutes=index * 3 + attempt),
            )
    rules = selectors.ranking_rules_get(contest=round_.contest)

    top = selectors.leaderboard_top(round_=round_, now=now)

    full = selectors.round_ranking_rows(
        round_=round_, order=rules.order, policy=rules.counted_attempt, truth=None
    )
    assert [(row["full_name"], row["correct"], row["duration_ms"]) for row in top] == [
        (row["user__full_name"], row["correct_count"], row["duration_ms"])
        for row in full[:20]
    ]


def test_no_leaderboard_unless_the_contest_enables_it(client, open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=False)

    response = client.get(results_url(open_round))

    content = response.content.decode()
    assert "leaderboard" not in response.context
    assert "Bảng xếp hạng tạm thời" not in content
    assert "Đỗ Dẫn Đầu" not in content
    assert "chưa được công bố" in content


def test_no_leaderboard_after_the_round_closes(client, open_round):
    RankingRules.objects.create(contest=open_round.contest, live_leaderboard=True)
    open_round.closes_at = timezone.now() - timedelta(minutes=1)
    open_round.save()

    response = client.get(results_url(open_round))

    content = response.content.decode()
    assert "Đỗ Dẫn Đầu" not in content
    assert "chưa được công bố" in content


# --- unit results ------------------------------------------------------------------


@pytest.fixture
def unit_computed(approved, judge):
    contest = approved.round.contest
    group = UnitGroup.objects.create(contest=contest, name="Cấp xã", levels=["commune"])
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.COLLECTIVE,
        unit_group=group,
        name="Giải Nhất tập thể",
        count=1,
        amount_vnd=5_000_000,
        order=5,
    )
    return services.unit_result_compute(contest=contest, actor=judge)


def unit_url(contest) -> str:
    return reverse("awards:unit-results", kwargs={"slug": contest.slug})


def test_unit_results_before_approval_are_not_published(client, unit_computed):
    response = client.get(unit_url(unit_computed.contest))

    assert response.status_code == 200
    content = response.content.decode()
    assert "chưa được công bố" in content
    assert "Giải Nhất tập thể" not in content
    assert "UBND phường Hòa Bình" not in content


def test_unit_results_after_approval_show_the_ranked_units(
    client, unit_computed, judge
):
    services.unit_result_approve(result=unit_computed, actor=judge)

    response = client.get(unit_url(unit_computed.contest))

    content = response.content.decode()
    assert "chưa được công bố" not in content
    assert "Cấp xã" in content
    assert "Giải Nhất tập thể" in content
    assert "UBND phường Hòa Bình" in content
    assert "UBND xã Tân Phú" in content


def test_unit_results_of_an_unpublished_contest_are_not_found(client, unit_computed):
    contest = unit_computed.contest
    contest.is_published = False
    contest.save()

    response = client.get(unit_url(contest))

    assert response.status_code == 404


def test_unit_results_state_the_collective_rules_they_were_ranked_by(
    client, unit_computed, judge
):
    services.unit_result_approve(result=unit_computed, actor=judge)
    RankingRules.objects.update_or_create(
        contest=unit_computed.contest, defaults={"unit_metric": "winners"}
    )

    content = client.get(unit_url(unit_computed.contest)).content.decode()

    assert (
        "Xếp hạng tập thể theo: nhiều người dự thi hơn, rồi tỷ lệ tham gia cao hơn, "
        "rồi điểm trung bình cao hơn." in content
    )
