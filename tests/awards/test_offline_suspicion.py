"""The judges' flags read as a stream (one group at a time, issue 16) say exactly
what the pure rules say over every contestant at once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accounts.models import User
from awards import services, suspicion
from awards.models import ResultRow
from awards.suspicion_prediction_selectors import round_prediction_clusters
from awards.suspicion_predictions import (
    BY_ADDRESS,
    BY_BURST,
    PredictionEntry,
    prediction_clusters,
)
from awards.suspicion_selectors import round_suspicion_flags
from quizzes.models import QuestionRevision
from rounds.models import Attempt
from tests.factories import RoundFactory, UserFactory, make_finished_attempt

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2024, 9, 10, 9, 0, tzinfo=VN)
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)
AFTER_CLOSE = datetime(2024, 9, 30, 8, 0, tzinfo=VN)
# One office address written both ways, and one IPv6 /64 written five ways.
OFFICE = ["203.0.113.7", "::ffff:203.0.113.7"] * 3
HOME = [
    "2001:db8:1:2::5",
    "2001:db8:1:2:ffff::1",
    "2001:db8:1:2:a:b:c:d",
    "2001:db8:1:2::",
    "2001:db8:1:2:8000::9",
    "2001:db8:1:2::77",
]
# Near the /64 in the order of the addresses, but other networks.
NEIGHBOURS = ["2001:db8:1:1:ffff::1", "2001:db8:1:3::1", "2001:db8:1:2f::1"]


@pytest.fixture
def judge():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def flagged_round(bank, judge):
    round_ = RoundFactory(
        opens_at=OPENS,
        closes_at=CLOSES,
        question_count=5,
        prediction_question="Có bao nhiêu người trả lời đúng cả 5 câu?",
    )
    round_.contest.topics.set(bank)
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    hour = 0

    def contestant(prediction, address, registered):
        nonlocal hour
        hour += 1
        user = UserFactory(registered_ip=address, date_joined=registered)
        make_finished_attempt(
            user,
            round_,
            revisions,
            correct=5,
            prediction=prediction,
            at=T0 + timedelta(hours=hour),
        )

    apart = T0 - timedelta(days=60)
    for i in range(30):  # honest, each on their own, an hour apart
        contestant(7_000 + 97 * i, f"192.0.2.{i + 1}", apart + timedelta(hours=i))
    for i, address in enumerate(OFFICE):
        contestant(1_000 + 10 * i, address, apart + timedelta(days=2, hours=i))
    for i, address in enumerate(HOME):
        contestant(3_000 + 10 * i, address, apart + timedelta(days=3, hours=i))
    for i, address in enumerate(NEIGHBOURS):
        contestant(6_000 + 10 * i, address, apart + timedelta(days=4, hours=i))
    burst = apart + timedelta(days=5)
    for i in range(6):  # a burst: thirty seconds apart, from addresses of their own
        contestant(
            5_000 + 10 * i, f"198.51.100.{i + 1}", burst + timedelta(seconds=30 * i)
        )
    contestant(None, "203.0.113.7", apart + timedelta(days=2, minutes=30))
    services.result_compute(round_=round_, actor=judge, now=AFTER_CLOSE)
    return round_


def _every_entry(round_):
    return [
        PredictionEntry(
            user_id=user_id,
            prediction=prediction,
            address=address,
            registered_at=registered_at,
        )
        for user_id, prediction, address, registered_at in ResultRow.objects.filter(
            result__round=round_
        ).values_list("user_id", "prediction", "user__registered_ip", "registered_at")
    ]


def test_streamed_prediction_clusters_are_the_pure_rule_over_everyone(flagged_round):
    expected = prediction_clusters(
        _every_entry(flagged_round),
        min_accounts=settings.SUSPICION_PREDICTION_ACCOUNTS,
        density=settings.SUSPICION_PREDICTION_DENSITY,
        burst_gap=timedelta(seconds=settings.SUSPICION_PREDICTION_BURST_SECONDS),
    )

    clusters = round_prediction_clusters(round_=flagged_round)

    assert clusters == expected
    found = {(c.kind, c.address, c.accounts) for c in clusters.values()}
    assert found == {
        (BY_ADDRESS, "203.0.113.7", 6),
        (BY_ADDRESS, "2001:db8:1:2::/64", 6),
        (BY_BURST, "", 6),
    }


def test_streamed_shared_addresses_are_the_pure_rule_over_everyone(bank, judge):
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES, question_count=5)
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    crowd = settings.SUSPICION_ADDRESS_ACCOUNTS
    users = []
    for address, size in (("10.0.0.1", crowd), ("10.0.0.2", crowd - 1), ("::1", crowd)):
        for i in range(size):
            users.append(
                UserFactory(
                    registered_ip=address, date_joined=T0 + timedelta(minutes=2 * i)
                )
            )
    for user in users[::3]:  # the others registered there but did not take part
        make_finished_attempt(user, round_, revisions, correct=3, at=T0)
    registrations = [
        suspicion.Registration(user_id=pk, address=address, registered_at=joined)
        for pk, address, joined in User.objects.values_list(
            "pk", "registered_ip", "date_joined"
        )
    ]
    expected = suspicion.crowded_addresses(
        registrations,
        min_accounts=crowd,
        window=timedelta(minutes=settings.SUSPICION_ADDRESS_WINDOW_MINUTES),
    )

    flags = round_suspicion_flags(round_=round_)

    shared = {
        user_id
        for user_id, user_flags in flags.items()
        if any(flag.code == suspicion.SHARED_ADDRESS for flag in user_flags)
    }
    assert shared == set(expected)
    assert len(shared) == 2 * crowd
    assert Attempt.objects.filter(round=round_).count() == len(users[::3])
