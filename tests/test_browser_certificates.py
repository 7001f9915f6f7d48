"""The contestant's certificates in a real headless Chromium at a phone's size: the
download button is in view, big enough to tap, and really gives the PDF."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from awards import services
from awards.models import Certificate, PrizeTier, RankingRules
from quizzes.models import QuestionRevision
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import (
    RoundFactory,
    UnitFactory,
    UserFactory,
    make_bank,
    make_finished_attempt,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "Mat-khau-2024!"

pytestmark = BROWSER_TEST


@pytest.fixture
def winner() -> User:
    """A first prize in an approved round, with a long contest title."""
    round_ = RoundFactory(
        name="Tuần thi thứ nhất",
        opens_at=datetime(2024, 9, 9, 7, 30, tzinfo=VN),
        closes_at=datetime(2024, 9, 29, 23, 50, tzinfo=VN),
        contest__title=(
            "Cuộc thi trực tuyến tìm hiểu Hiến pháp nước Cộng hòa xã hội chủ nghĩa "
            "Việt Nam và pháp luật về phòng, chống tham nhũng"
        ),
    )
    round_.contest.topics.set(make_bank(topics=1, per_topic=5))
    RankingRules.objects.create(contest=round_.contest, certificates_enabled=True)
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    user = User.objects.create_user(
        "0987654323", PASSWORD, full_name="Nguyễn Thị Ánh Tuyết", unit=UnitFactory()
    )
    make_finished_attempt(
        user,
        round_,
        list(QuestionRevision.objects.order_by("pk")[:5]),
        correct=5,
        at=datetime(2024, 9, 10, 10, 0, tzinfo=VN),
    )
    judge = UserFactory(is_staff=True)
    result = services.result_compute(
        round_=round_, actor=judge, now=datetime(2024, 9, 30, 8, 0, tzinfo=VN)
    )
    services.result_approve(result=result, actor=judge)
    return user


def test_the_download_button_fits_a_phone_and_gives_the_pdf(
    live_server, browser, winner
):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "0987 654 323")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{live_server.url}/", timeout=15_000)
    page.goto(f"{live_server.url}/giay-chung-nhan/cua-toi/")
    button = page.get_by_role("link", name="Tải giấy chứng nhận (PDF)")

    box = button.bounding_box()
    with page.expect_download(timeout=15_000) as download_info:
        button.click()

    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 24
    assert button.is_visible()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    download = download_info.value
    certificate = Certificate.objects.get()
    assert download.suggested_filename == (
        f"giay-chung-nhan-{certificate.grouped_code}.pdf"
    )
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
