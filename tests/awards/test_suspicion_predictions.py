"""Prediction clusters: many accounts of one address or burst guessing densely."""

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from awards import services
from awards.suspicion_predictions import (
    BY_ADDRESS,
    BY_BURST,
    PREDICTION_CLUSTER,
    PredictionEntry,
    address_key,
    prediction_clusters,
)
from awards.suspicion_selectors import round_suspicion_flags
from quizzes.models import QuestionRevision
from tests.factories import RoundFactory, UserFactory, make_finished_attempt

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2024, 9, 10, 9, 0, tzinfo=VN)
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)
HUNTER = "203.0.113.7"
OFFICE = "198.51.100.20"
LAST_WEEK = 36_537  # the figure published last week: many guess it exactly
BRACKET = [37_010 + 10 * i for i in range(8)]  # 37,010 ... 37,080


def guess(rng: random.Random) -> int:
    """A contestant's guess as crowds give them: last week's figure, round numbers,
    or a number of their own, scattered around it."""
    spread = math.exp(rng.gauss(0, 0.4))
    draw = rng.random()
    if draw < 0.15:
        return LAST_WEEK
    if draw < 0.35:
        return round(LAST_WEEK * spread / 1000) * 1000
    if draw < 0.45:
        return round(LAST_WEEK * spread / 100) * 100
    return int(LAST_WEEK * spread)


def crowd(count: int, *, seed: int = 1, first_id: int = 10_000):
    """Honest contestants, each from an address of their own, registered apart."""
    rng = random.Random(seed)
    return [
        PredictionEntry(
            user_id=first_id + i,
            prediction=guess(rng),
            address=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
            registered_at=T0 + timedelta(minutes=5 * i),
        )
        for i in range(count)
    ]


def accounts(predictions, *, address=HUNTER, apart=timedelta(hours=3), first_id=1):
    """One account per prediction, registered `apart` from one another."""
    return [
        PredictionEntry(
            user_id=first_id + i,
            prediction=prediction,
            address=address(i) if callable(address) else address,
            registered_at=T0 - timedelta(days=30) + i * apart,
        )
        for i, prediction in enumerate(predictions)
    ]


# --- the pure rule --------------------------------------------------------------------


def test_accounts_of_one_address_bracketing_a_range_are_flagged():
    hunter = accounts(BRACKET)

    flagged = prediction_clusters([*crowd(2000), *hunter])

    assert set(flagged) == {entry.user_id for entry in hunter}
    cluster = flagged[hunter[0].user_id]
    assert (cluster.kind, cluster.address, cluster.accounts) == (BY_ADDRESS, HUNTER, 8)
    assert (cluster.low, cluster.high, cluster.others) == (37_010, 37_080, 2000)
    assert cluster.others_in_range < 10


def test_the_same_predictions_from_different_addresses_apart_are_not_flagged():
    strangers = accounts(BRACKET, address=lambda i: f"192.0.2.{i + 1}")

    assert prediction_clusters([*crowd(2000), *strangers]) == {}


@pytest.mark.parametrize(
    ("group", "expected"), [(5, True), (4, False)], ids=["five", "four"]
)
def test_a_group_needs_min_accounts(group, expected):
    hunter = accounts(BRACKET[:group])

    flagged = prediction_clusters([*crowd(2000), *hunter], min_accounts=5)

    assert bool(flagged) is expected


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed-1", "seed-2", "seed-3"])
def test_an_office_behind_one_address_guessing_widely_is_not_flagged(seed):
    rng = random.Random(100 + seed)
    office = accounts(
        [guess(rng) for _ in range(300)], address=OFFICE, apart=timedelta(minutes=7)
    )

    assert prediction_clusters([*crowd(3000, seed=seed), *office]) == {}


def test_colleagues_giving_last_weeks_figure_are_not_flagged():
    colleagues = accounts([LAST_WEEK] * 12 + [LAST_WEEK + 1] * 3, address=OFFICE)

    assert prediction_clusters([*crowd(2000), *colleagues]) == {}


def test_a_range_the_crowd_also_guesses_is_not_flagged():
    # Twenty others guess every value the group guesses.
    others = accounts(
        [value for value in BRACKET for _ in range(20)],
        address=lambda i: f"192.0.2.{i % 250}",
        first_id=1000,
    )

    assert prediction_clusters([*crowd(500), *others, *accounts(BRACKET)]) == {}


def test_a_round_of_the_group_alone_says_nothing():
    assert prediction_clusters(accounts(BRACKET)) == {}


@pytest.mark.parametrize(
    ("apart", "expected"),
    [(timedelta(minutes=2), True), (timedelta(minutes=2, seconds=1), False)],
    ids=["two-minutes-apart", "a-second-more"],
)
def test_a_registration_burst_from_many_addresses_is_flagged(apart, expected):
    burst = accounts(BRACKET, address=lambda i: f"192.0.2.{i + 1}", apart=apart)

    flagged = prediction_clusters(
        [*crowd(2000), *burst], burst_gap=timedelta(minutes=2)
    )

    assert bool(flagged) is expected
    if expected:
        cluster = flagged[burst[0].user_id]
        assert (cluster.kind, cluster.address, cluster.accounts) == (BY_BURST, "", 8)
        assert cluster.registered_from == burst[0].registered_at
        assert cluster.registered_to == burst[-1].registered_at


def test_an_account_in_an_address_and_a_burst_carries_the_address():
    hunter = accounts(BRACKET, apart=timedelta(seconds=30))

    flagged = prediction_clusters([*crowd(2000), *hunter])

    assert {cluster.kind for cluster in flagged.values()} == {BY_ADDRESS}


def test_ipv6_accounts_of_one_network_are_one_group():
    hunter = accounts(BRACKET, address=lambda i: f"2001:db8:1:2::{i + 1:x}")

    flagged = prediction_clusters([*crowd(2000), *hunter])

    assert {c.address for c in flagged.values()} == {"2001:db8:1:2::/64"}


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
    ids=["ipv4", "ipv6", "ipv4-mapped"],
)
def test_address_key(address, key):
    assert address_key(address) == key


def test_a_hunter_hidden_in_a_small_office_is_flagged_not_the_office():
    rng = random.Random(7)
    office = accounts(
        [guess(rng) for _ in range(40)], address=HUNTER, apart=timedelta(minutes=7)
    )
    hunter = accounts(BRACKET, first_id=500)

    flagged = prediction_clusters([*crowd(3000), *office, *hunter])

    # A colleague who guessed right beside the range joins it: the judges decide.
    assert {entry.user_id for entry in hunter} <= set(flagged)
    assert len(flagged) <= len(hunter) + 1


def test_people_without_a_prediction_are_ignored():
    silent = accounts([None] * 10, address=OFFICE, first_id=900)

    flagged = prediction_clusters([*crowd(2000), *silent, *accounts(BRACKET)])

    assert len(flagged) == 8


@given(st.randoms(use_true_random=False))
def test_clusters_do_not_depend_on_input_order(rng):
    entries = [*crowd(300), *accounts(BRACKET), *accounts(BRACKET, first_id=100)]
    expected = prediction_clusters(entries)

    rng.shuffle(entries)

    assert prediction_clusters(entries) == expected
    assert len(expected) == 16


# --- through the database, shown to the judge -----------------------------------------


@pytest.fixture
def prediction_round(bank):
    round_ = RoundFactory(
        opens_at=OPENS,
        closes_at=CLOSES,
        question_count=5,
        prediction_question="Có bao nhiêu người trả lời đúng cả 5 câu?",
    )
    round_.contest.topics.set(bank)
    return round_


@pytest.fixture
def revisions(bank):
    return list(QuestionRevision.objects.order_by("pk")[:5])


@pytest.fixture
def judge():
    return UserFactory(is_staff=True, is_superuser=True, full_name="Trần Giám Khảo")


def contestants(round_, revisions, predictions, *, address=None, hours=0):
    """One account per prediction, each registered and submitting an hour apart."""
    users = []
    for i, prediction in enumerate(predictions):
        user = UserFactory(
            registered_ip=address or f"192.0.2.{i + 1}",
            date_joined=T0 - timedelta(days=5, hours=hours + i),
        )
        make_finished_attempt(
            user,
            round_,
            revisions,
            correct=5,
            prediction=prediction,
            at=T0 + timedelta(hours=hours + i),
        )
        users.append(user)
    return users


@pytest.fixture
def hunted_round(prediction_round, revisions):
    """Thirty honest guesses, then six accounts of one address bracketing 1,000."""
    rng = random.Random(3)
    contestants(
        prediction_round, revisions, [rng.randint(200, 9_000) for _ in range(30)]
    )
    return contestants(
        prediction_round,
        revisions,
        [1_000, 1_010, 1_020, 1_030, 1_040, 1_050],
        address=HUNTER,
        hours=100,
    )


def prediction_flags(round_, user):
    flags = round_suspicion_flags(round_=round_).get(user.pk, [])
    return [flag for flag in flags if flag.code == PREDICTION_CLUSTER]


@pytest.mark.django_db
def test_review_screen_shows_the_prediction_cluster(
    client, judge, prediction_round, hunted_round
):
    result = services.result_compute(
        round_=prediction_round, actor=judge, now=AFTER_CLOSE
    )
    client.force_login(judge)

    response = client.get(reverse("admin:awards_roundresult_change", args=[result.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(
        "Dự đoán sát nhau: 6 tài khoản cùng địa chỉ 203.0.113.7 dự đoán trong "
        "khoảng 1.000–1.050 (0 trong 30 dự đoán khác của tuần thi"
    ) == len(hunted_round)


@pytest.mark.django_db
def test_the_flag_reads_the_counted_attempts_prediction(
    judge, prediction_round, revisions, hunted_round
):
    # A worse second attempt far away does not count, so it hides nothing.
    make_finished_attempt(
        hunted_round[0],
        prediction_round,
        revisions,
        correct=2,
        prediction=9_000_000,
        at=T0 + timedelta(days=8),
    )
    services.result_compute(round_=prediction_round, actor=judge, now=AFTER_CLOSE)

    flags = prediction_flags(prediction_round, hunted_round[0])

    assert len(flags) == 1
    assert "1.000–1.050" in flags[0].label


@pytest.mark.django_db
def test_no_prediction_flag_before_a_result_is_computed(prediction_round, hunted_round):
    assert prediction_flags(prediction_round, hunted_round[0]) == []


@pytest.mark.django_db
def test_raising_the_account_threshold_flags_fewer(
    judge, prediction_round, hunted_round, settings
):
    settings.SUSPICION_PREDICTION_ACCOUNTS = 7
    services.result_compute(round_=prediction_round, actor=judge, now=AFTER_CLOSE)

    assert prediction_flags(prediction_round, hunted_round[0]) == []


@pytest.mark.django_db
def test_a_burst_flag_names_its_registration_times(
    judge, prediction_round, revisions, hunted_round
):
    users = []
    for i, prediction in enumerate([5_001, 5_003, 5_005, 5_007, 5_009]):
        user = UserFactory(
            registered_ip=f"198.51.100.{i + 1}",
            date_joined=datetime(2024, 9, 1, 21, 0, tzinfo=VN) + timedelta(minutes=i),
        )
        make_finished_attempt(
            user,
            prediction_round,
            revisions,
            correct=5,
            prediction=prediction,
            at=T0 + timedelta(days=2, hours=i),
        )
        users.append(user)
    services.result_compute(round_=prediction_round, actor=judge, now=AFTER_CLOSE)

    flags = prediction_flags(prediction_round, users[0])

    assert [flag.label for flag in flags] == [
        "Dự đoán sát nhau: 5 tài khoản đăng ký cùng đợt (21:00–21:04 ngày "
        "01/09/2024) dự đoán trong khoảng 5.001–5.009 (0 trong 36 dự đoán khác "
        "của tuần thi nằm trong khoảng này)"
    ]
