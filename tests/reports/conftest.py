"""Fixtures of the printed lists' tests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from awards import services
from awards.models import PrizeTier, RoundResult, Signatory
from quizzes.models import QuestionRevision
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_finished_attempt,
)
from tests.websec import staff_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 15, 23, 50, tzinfo=VN)


@pytest.fixture
def approved(bank, settings) -> RoundResult:
    """A closed round whose approved list has six winners, and two signatories."""
    settings.SITE_URL = "https://cuocthi.hagiang.gov.vn"
    round_ = RoundFactory(
        opens_at=OPENS,
        closes_at=CLOSES,
        name="Tuần thi thứ nhất",
        contest__title="Tìm hiểu Đề án 06",
        contest__organizer_name="Ban Tổ chức cuộc thi Đề án 06",
        contest__parent_body="UBND tỉnh Hà Giang",
        contest__document_place="Hà Giang",
    )
    round_.contest.topics.set(bank)
    contest = round_.contest
    for order, (name, count, amount) in enumerate(
        [
            ("Giải Nhất", 1, 4_000_000),
            ("Giải Nhì", 2, 3_000_000),
            ("Giải Ba", 3, 2_000_000),
        ],
        start=1,
    ):
        PrizeTier.objects.create(
            contest=contest,
            kind=PrizeTier.Kind.INDIVIDUAL,
            name=name,
            count=count,
            amount_vnd=amount,
            order=order,
        )
    Signatory.objects.create(
        contest=contest, order=1, title="Người lập biểu", name="Lò Thị Mai"
    )
    Signatory.objects.create(
        contest=contest,
        order=2,
        title="Trưởng Ban Tổ chức",
        name="Nguyễn Văn Sơn",
    )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    unit = UnitFactory(name="UBND xã Lũng Cú")
    for n in range(8):
        make_finished_attempt(
            UserFactory(full_name=f"Thí sinh số {n}", unit=unit),
            round_,
            revisions,
            correct=5 - n // 2,
            at=OPENS + timedelta(days=1, minutes=n),
            duration_ms=60_000 + n,
        )
    judge = staff_in("Ban Giám khảo")
    result = services.result_compute(round_=round_, actor=judge)
    return services.result_approve(result=result, actor=judge)
