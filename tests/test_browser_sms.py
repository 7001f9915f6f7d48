"""A contest that asks for a verified phone, in a real headless Chromium at a phone's
size: register, receive the code on the stand-in gateway (tests/sms_gateway.py),
type it in, and take the attempt."""

import re

from rounds.models import Attempt
from tests import test_browser
from tests.test_browser import PHONE, wait_url

pytestmark = test_browser.pytestmark
# The journey's round, open now with its unit tree.
open_round = test_browser.open_round


def test_register_verify_the_phone_and_take_the_attempt(
    live_server, browser, open_round, sms_gateway
):
    open_round.contest.require_phone_verification = True
    open_round.contest.save()
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
    wait_url(page, re.compile(r".*/xac-thuc-so-dien-thoai/.*"))

    page.click("button:has-text('Gửi mã')")
    page.wait_for_selector("text=Đã gửi mã xác thực")
    page.fill("#id_code", sms_gateway.last_code("+84912345678"))
    page.click("button:has-text('Xác thực')")
    wait_url(page, contest_url)
    page.click("button:has-text('Vào thi')")
    wait_url(page, re.compile(r".*/bai-thi/[\w-]+/$"))

    assert Attempt.objects.get().user.phone_verified_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
