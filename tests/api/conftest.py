"""A small province for the API: a unit tree, a contest with a closed round whose
result and collective result are approved, an open round, and a way to issue tokens."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Unit, User
from awards import services
from awards.models import PrizeTier, RoundResult, UnitGroup, UnitResult
from quizzes.models import QuestionRevision
from reports.api.tokens import api_token_issue
from reports.models import ApiToken
from rounds.models import Contest, Round
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)


@dataclass
class Province:
    province: Unit
    hue: Unit  # a district
    phu_hoi: Unit  # a ward of Huế
    phong_dien: Unit  # another district
    phong_thu: Unit  # a commune of Phong Điền
    contest: Contest
    closed: Round
    open: Round
    result: RoundResult
    unit_result: UnitResult
    judge: User
    winner: User  # first, in Phú Hội
    rural: User  # ranked, in Phong Thu


def _take(user: User, round_: Round, correct: int, minutes: int) -> None:
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    make_finished_attempt(
        user,
        round_,
        revisions,
        correct=correct,
        at=round_.opens_at + timedelta(days=1, minutes=minutes),
        duration_ms=60_000 + minutes,
    )


@pytest.fixture
def province(bank) -> Province:
    now = timezone.now()
    province = UnitFactory(name="Tỉnh Thừa Thiên Huế", level="province", headcount=5)
    hue = UnitFactory(name="Thành phố Huế", level="district", parent=province)
    phu_hoi = UnitFactory(name="Phường Phú Hội", level="commune", parent=hue)
    phong_dien = UnitFactory(name="Huyện Phong Điền", level="district", parent=province)
    phong_thu = UnitFactory(name="Xã Phong Thu", level="commune", parent=phong_dien)
    closed = RoundFactory(
        name="Tuần thứ nhất",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=10),
    )
    contest = closed.contest
    contest.topics.set(bank)
    open_round = RoundFactory(contest=contest, name="Tuần thứ hai")
    PrizeTier.objects.create(
        contest=contest, kind=PrizeTier.Kind.INDIVIDUAL, name="Giải nhất", count=1
    )
    districts = UnitGroup.objects.create(
        contest=contest, name="Cấp huyện", levels=["district"]
    )
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.COLLECTIVE,
        unit_group=districts,
        name="Giải A tập thể",
        count=1,
    )
    winner = UserFactory(
        full_name="Nguyễn Thị Ánh",
        unit=phu_hoi,
        phone="0912345678",
        citizen_id="046190012345",
        date_of_birth=date(1990, 1, 15),
    )
    rural = UserFactory(full_name="Hồ Văn Bình", unit=phong_thu)
    _take(winner, closed, correct=5, minutes=1)
    _take(rural, closed, correct=4, minutes=2)
    _take(UserFactory(unit=phong_thu), closed, correct=3, minutes=3)
    _take(UserFactory(unit=phu_hoi), open_round, correct=2, minutes=4)
    judge = UserFactory(full_name="Trần Văn Giám", is_staff=True)
    result = services.result_compute(round_=closed, actor=judge, now=now)
    result = services.result_approve(result=result, actor=judge, now=now)
    unit_result = services.unit_result_compute(contest=contest, actor=judge, now=now)
    unit_result = services.unit_result_approve(result=unit_result, actor=judge, now=now)
    return Province(
        province=province,
        hue=hue,
        phu_hoi=phu_hoi,
        phong_dien=phong_dien,
        phong_thu=phong_thu,
        contest=contest,
        closed=closed,
        open=open_round,
        result=result,
        unit_result=unit_result,
        judge=judge,
        winner=winner,
        rural=rural,
    )


@pytest.fixture
def issue(province):
    """Issue a token and return (token, secret); by default both scopes, every unit."""

    def make(
        *,
        scopes: tuple[str, ...] = ("participation", "personal"),
        units: tuple[Unit, ...] = (),
        all_units: bool | None = None,
        expires_in: timedelta = timedelta(days=30),
    ) -> tuple[ApiToken, str]:
        now = timezone.now()
        token, secret = api_token_issue(
            token=ApiToken(
                name="Ứng dụng Hue-S",
                scopes=list(scopes),
                all_units=not units if all_units is None else all_units,
                expires_at=now + expires_in,
            ),
            by=province.judge,
            now=now - timedelta(days=1),
        )
        token.units.set(units)
        return token, secret

    return make
