"""Where one stands, in a real headless Chromium at a phone's size: back at the
start button after logging in from "Vào thi", the official rank on the result
page, its public share page, and the ranking searched without accents."""

import re
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from awards import services
from awards.models import PrizeTier, ResultRow
from quizzes.models import QuestionRevision
from rounds.models import Attempt
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import RoundFactory, UnitFactory, make_bank, make_finished_attempt

PASSWORD = "Mat-khau-2024!"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2024, 9, 9, 7, 30, tzinfo=VN)
CLOSES = datetime(2024, 9, 29, 23, 50, tzinfo=VN)

pytestmark = BROWSER_TEST


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()


def wait_url(page, pattern) -> None:
    """Wait for a navigation; on a timeout, say where the browser is and what it shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_url(pattern, timeout=15_000)
    except PlaywrightTimeout as error:
        shown = page.locator("main").inner_text()[:800]
        raise AssertionError(
            f"still at {page.url}; the page shows:\n{shown}"
        ) from error


def log_in(page, phone: str, password: str) -> None:
    page.fill("#id_username", phone)
    page.fill("#id_password", password)
    page.click("main button:has-text('Đăng nhập')")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def approved():
    """A closed round whose approved list ranks Nguyễn Văn A first, with a prize."""
    bank = make_bank(topics=1, per_topic=5)
    round_ = RoundFactory(opens_at=OPENS, closes_at=CLOSES)
    round_.contest.topics.set(bank)
    PrizeTier.objects.create(
        contest=round_.contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải Nhất tuần",
        count=1,
        amount_vnd=2_000_000,
        order=1,
    )
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    lung_cu = UnitFactory(name="UBND xã Lũng Cú")
    winner = User.objects.create_user(
        "0912345678",
        PASSWORD,
        full_name="Nguyễn Văn A",
        unit=lung_cu,
        email="rieng.tu@example.vn",
        citizen_id="079187654321",
    )
    other = User.objects.create_user(
        "0987654321", PASSWORD, full_name="Trần Thị Bé", unit=UnitFactory()
    )
    at = OPENS + timedelta(days=1)
    make_finished_attempt(winner, round_, revisions, correct=5, at=at)
    make_finished_attempt(other, round_, revisions, correct=0, at=at)
    judge = User.objects.create_user(
        "0901234567", PASSWORD, full_name="Giám Khảo", is_staff=True
    )
    services.result_approve(
        result=services.result_compute(round_=round_, actor=judge), actor=judge
    )
    return round_


def test_logging_in_from_vao_thi_lands_at_the_start_button(live_server, phone):
    round_ = RoundFactory(question_count=5)
    round_.contest.topics.set(make_bank(topics=1, per_topic=6))
    User.objects.create_user(
        "0911222333", PASSWORD, full_name="Lò Thị Vào", unit=UnitFactory()
    )
    contest_url = f"{live_server.url}/cuoc-thi/{round_.contest.slug}/"
    phone.goto(contest_url)

    phone.click("a:has-text('Vào thi')")
    wait_url(phone, re.compile(r".*/dang-nhap/\?next="))
    log_in(phone, "0911 222 333", "sai-mat-khau")
    phone.wait_for_selector(".errorlist, .msg-error, [role=alert]")
    log_in(phone, "0911 222 333", PASSWORD)
    wait_url(phone, contest_url + "#vao-thi")

    start = phone.locator("#vao-thi button:has-text('Vào thi')")
    assert start.is_visible()
    box = start.bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"]
    start.click()
    wait_url(phone, re.compile(r".*/bai-thi/[\w-]+/$"))


def test_the_winner_finds_the_rank_and_shares_it(
    live_server, phone, approved, settings
):
    settings.SITE_URL = live_server.url
    phone.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    log_in(phone, "0912 345 678", PASSWORD)
    wait_url(phone, f"{live_server.url}/")
    attempt = Attempt.objects.get(user__phone="0912345678")
    phone.goto(f"{live_server.url}/bai-thi/{attempt.public_id}/ket-qua/")

    assert (
        "Hạng 1/2: đạt Giải Nhất tuần" in phone.locator("#standing-rank").inner_text()
    )
    assert fits_the_phone(phone)
    phone.click("#standing a:has-text('Chia sẻ kết quả')")
    wait_url(phone, re.compile(r".*/ket-qua/chia-se/[0-9]+/[0-9a-f]{32}/$"))

    row = ResultRow.objects.get(user__phone="0912345678")
    address = f"{live_server.url}/ket-qua/chia-se/{row.pk}/{row.share_token}/"
    og_url = phone.locator("meta[property='og:url']").get_attribute("content")
    assert og_url == address
    assert phone.locator("#share-link").input_value() == address
    zalo = phone.locator("#share-zalo").get_attribute("href")
    facebook = phone.locator("#share-facebook").get_attribute("href")
    encoded = quote(address, safe="")
    assert zalo == f"https://zalo.me/share?url={encoded}"
    assert facebook == f"https://www.facebook.com/sharer/sharer.php?u={encoded}"
    shown = phone.locator("main").inner_text()
    assert "Nguyễn Văn A" in shown
    assert "UBND xã Lũng Cú" in shown
    for private in ["0912345678", "rieng.tu@example.vn", "079187654321"]:
        assert private not in phone.content()
    assert fits_the_phone(phone)


def test_a_stranger_opens_the_shared_page_without_an_account(
    live_server, phone, approved
):
    row = ResultRow.objects.get(user__phone="0912345678")

    phone.goto(f"{live_server.url}/ket-qua/chia-se/{row.pk}/{row.share_token}/")

    assert "Hạng 1/2" in phone.locator("#share-rank").inner_text()
    title = phone.locator("meta[property='og:title']").get_attribute("content")
    assert title.startswith("Nguyễn Văn A – ")
    assert fits_the_phone(phone)


def test_the_ranking_is_searched_without_accents_on_a_phone(
    live_server, phone, approved
):
    phone.goto(f"{live_server.url}/ket-qua/tuan-thi/{approved.pk}/")

    phone.fill("#tim", "lung cu")
    phone.click("#bang-xep-hang button:has-text('Tìm')")
    wait_url(phone, re.compile(r".*\?tim=lung\+cu#bang-xep-hang$"))

    rows = phone.locator("#bang-xep-hang tbody tr")
    assert rows.count() == 1
    assert "Nguyễn Văn A" in rows.first.inner_text()
    phone.fill("#tim", "khong co ai")
    phone.click("#bang-xep-hang button:has-text('Tìm')")
    wait_url(phone, re.compile(r".*\?tim=khong\+co\+ai#bang-xep-hang$"))
    assert "Không tìm thấy" in phone.locator("#search-summary").inner_text()
    assert fits_the_phone(phone)
