"""awards.selectors.round_ranking_get: the contest's ranking rules and the round's
result in one statement, as the result page reads them; what it gives is what the
ORM gives for the same rows, and "published" means approved only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from awards import services
from awards.models import RankingRules, RoundResult
from awards.selectors import counted_attempt_of, result_get_published, round_ranking_get
from quizzes.models import QuestionRevision
from tests.factories import RoundFactory, UserFactory, make_finished_attempt

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)


@pytest.fixture
def closed(bank):
    round_ = RoundFactory(opens_at=OPENS, closes_at=OPENS + timedelta(days=7))
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    person = UserFactory()
    first = make_finished_attempt(
        person, round_, revisions, correct=2, at=OPENS + timedelta(days=1)
    )
    best = make_finished_attempt(
        person, round_, revisions, correct=4, at=OPENS + timedelta(days=2)
    )
    return round_, person, first, best


def test_nothing_stored_reads_as_nothing(closed):
    round_, *_ = closed
    RankingRules.objects.filter(contest_id=round_.contest_id).delete()

    settings = round_ranking_get(round_=round_)

    assert settings.counted_attempt is None
    assert settings.order is None
    assert settings.result is None
    assert settings.published is None
    assert settings.truth is None


def test_the_rules_and_a_provisional_result_as_the_orm_reads_them(closed):
    round_, *_ = closed
    judge = UserFactory(is_staff=True, is_superuser=True)
    rules, _created = RankingRules.objects.get_or_create(contest=round_.contest)
    rules.counted_attempt = RankingRules.Counted.FIRST
    rules.save()
    computed = services.result_compute(round_=round_, actor=judge)

    settings = round_ranking_get(round_=round_)

    assert settings.counted_attempt == RankingRules.Counted.FIRST
    assert list(settings.order) == list(RankingRules.objects.get(pk=rules.pk).order)
    assert settings.result.pk == computed.pk
    assert settings.result.checksum == RoundResult.objects.get(pk=computed.pk).checksum
    assert settings.published is None
    assert result_get_published(round_=round_) is None

    services.result_approve(result=computed, actor=judge)
    approved = round_ranking_get(round_=round_).published
    assert approved is not None
    assert approved.pk == computed.pk
    assert approved.status == RoundResult.Status.APPROVED
    assert result_get_published(round_=round_).pk == computed.pk


@pytest.mark.parametrize(
    ("policy", "counted"),
    [(RankingRules.Counted.BEST, "best"), (RankingRules.Counted.FIRST, "first")],
)
def test_the_counted_attempt_follows_the_stored_policy(closed, policy, counted):
    round_, _person, first, best = closed
    RankingRules.objects.update_or_create(
        contest=round_.contest, defaults={"counted_attempt": policy}
    )

    chosen, used = counted_attempt_of(round_=round_, attempts=[first, best])

    assert used == policy
    assert chosen.pk == {"best": best, "first": first}[counted].pk
