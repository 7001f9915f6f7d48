"""The contestant's whole journey in a real headless Chromium at a phone's size."""

import re

import pytest

from accounts.models import User
from rounds.models import Attempt
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import RoundFactory, UnitFactory, make_bank

pytestmark = BROWSER_TEST


@pytest.fixture
def open_round():
    district = UnitFactory(name="UBND huyện Đồng Văn", level="district")
    UnitFactory(name="UBND xã Lũng Cú", parent=district)
    UnitFactory(name="UBND thị trấn Phó Bảng", parent=district)
    round_ = RoundFactory(
        question_count=6,
        prediction_question="Có bao nhiêu người trả lời đúng tất cả các câu?",
    )
    round_.contest.topics.set(make_bank(topics=2, per_topic=6))
    return round_


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


def wait_saved(page) -> None:
    """Wait until the page says every clicked answer is acknowledged by the server."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            # A function, not an expression: the page's CSP forbids eval().
            "() => document.getElementById('save-state').textContent === 'Đã lưu'",
            timeout=15_000,
        )
    except PlaywrightTimeout as error:
        state = page.locator("#save-state").inner_text()
        raise AssertionError(
            f"answers not acknowledged; the page says: {state}"
        ) from error


def test_register_take_reload_and_submit_on_a_phone(live_server, browser, open_round):
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    contest_url = f"{live_server.url}/cuoc-thi/{open_round.contest.slug}/"

    page.goto(contest_url + "dang-ky/")
    page.fill("#id_full_name", "Nguyễn Thị Hoa")
    page.fill("#id_date_of_birth", "05/09/1995")
    page.check("#id_gender_1")
    page.fill("#id_phone", "0912 345 678")
    page.select_option("#id_occupation", "civil_servant")
    page.fill("#id_unit_search", "lung cu")
    page.click(".unit-results button:has-text('Lũng Cú')")
    page.fill("#id_password1", "Thi-sinh-2024!")
    page.fill("#id_password2", "Thi-sinh-2024!")
    page.check("#id_privacy_consent")
    page.click("button:has-text('Đăng ký')")
    wait_url(page, contest_url)
    page.click("button:has-text('Vào thi')")
    wait_url(page, re.compile(r".*/bai-thi/[\w-]+/$"))

    # Answer half the questions, then reload: the server must give them back.
    for position in range(3):
        page.locator(f"input[name=q{position}]").nth(position % 2).check()
    wait_saved(page)
    page.reload()
    kept = [
        page.locator(f"input[name=q{position}]").nth(position % 2).is_checked()
        for position in range(3)
    ]
    assert kept == [True, True, True]
    assert page.locator("#answered-count").text_content() == "3"

    for position in range(3, 6):
        page.locator(f"input[name=q{position}]").first.check()
    page.fill("#id_prediction", "1.250")
    wait_saved(page)
    page.click("#submit-btn")
    wait_url(page, re.compile(r".*/ket-qua/$"))

    attempt = Attempt.objects.get(user=User.objects.get(phone="0912345678"))
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.prediction == 1250
    assert all(answer is not None for answer in attempt.answers)
    assert page.locator("#score").text_content() == f"{attempt.correct_count}/6"
    assert (
        f"{attempt.duration_ms} mili giây" in page.locator("#duration").text_content()
    )
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_second_device_resumes_with_the_answers_given(
    live_server, browser, open_round
):
    User.objects.create_user(
        "0987654321", "Mat-khau-2024!", full_name="Lò Văn Pó", unit=UnitFactory()
    )
    first = browser.new_context(viewport=PHONE)
    second = browser.new_context(viewport={"width": 1280, "height": 900})

    def login(context):
        page = context.new_page()
        page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        page.fill("#id_username", "+84 987 654 321")
        page.fill("#id_password", "Mat-khau-2024!")
        page.click("button:has-text('Đăng nhập')")
        wait_url(page, f"{live_server.url}/")
        page.goto(f"{live_server.url}/cuoc-thi/{open_round.contest.slug}/")
        page.click("button:has-text('Vào thi')")
        wait_url(page, re.compile(r".*/bai-thi/[\w-]+/$"))
        return page

    phone_page = login(first)
    phone_page.locator("input[name=q2]").nth(3).check()
    wait_saved(phone_page)
    desktop_page = login(second)

    assert desktop_page.url == phone_page.url
    assert desktop_page.locator("input[name=q2]").nth(3).is_checked()


def test_the_attempt_works_as_one_form_without_javascript(
    live_server, browser, open_round
):
    User.objects.create_user(
        "0987654322", "Mat-khau-2024!", full_name="Hà Văn Chư", unit=UnitFactory()
    )
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "0987 654 322")
    page.fill("#id_password", "Mat-khau-2024!")
    page.click("button:has-text('Đăng nhập')")
    wait_url(page, f"{live_server.url}/")
    page.goto(f"{live_server.url}/cuoc-thi/{open_round.contest.slug}/")
    page.click("button:has-text('Vào thi')")
    wait_url(page, re.compile(r".*/bai-thi/[\w-]+/$"))

    for position in range(6):
        page.locator(f"input[name=q{position}]").nth(1).check()
    page.fill("#id_prediction", "42")
    page.click("#submit-btn")
    wait_url(page, re.compile(r".*/ket-qua/$"))

    attempt = Attempt.objects.get(user__phone="0987654322")
    assert attempt.status == Attempt.Status.FINISHED
    assert [answer[0] for answer in attempt.answers] == [
        permutation[1] for _, permutation in attempt.draw
    ]
    assert page.locator("#score").text_content() == f"{attempt.correct_count}/6"
