"""Registering in a real headless Chromium with JavaScript off, at a phone's size."""

import re

import pytest

from accounts.models import User
from accounts.noscript_challenge import picture_answer
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import UnitFactory

PASSWORD = "Thi-sinh-2024!"

pytestmark = BROWSER_TEST


@pytest.fixture
def units():
    district = UnitFactory(name="UBND huyện Đồng Văn", level="district")
    UnitFactory(name="UBND xã Lũng Cú", parent=district)
    UnitFactory(name="UBND thị trấn Phó Bảng", parent=district)


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


def digits_shown(page) -> str:
    """What the person reads in the picture: the digits the server drew for it."""
    picture_id = page.locator("input[name=picture_id]").get_attribute("value")
    digits = picture_answer(picture_id)
    assert digits, "the page's picture was never fetched"
    return digits


def test_register_without_javascript_on_a_phone(live_server, browser, units):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    register_url = f"{live_server.url}/tai-khoan/dang-ky/"
    page.goto(register_url)

    # The notice that JavaScript helps comes before the form, the picture inside it.
    notice = page.locator("#challenge-noscript")
    assert notice.is_visible()
    assert notice.bounding_box()["y"] < page.locator("form.card").bounding_box()["y"]
    picture = page.locator("img.picture-challenge-image")
    assert picture.is_visible()
    assert "chữ số" in picture.get_attribute("alt")
    for shown in (picture, page.locator("form.card")):
        box = shown.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]  # fits the phone
    # Without the unit picker's script the plain list is there to choose from.
    assert page.locator("#id_unit").is_visible()
    assert page.locator("#id_unit_search").count() == 0

    page.fill("#id_full_name", "Nguyễn Thị Hoa")
    page.fill("#id_date_of_birth", "05/09/1995")
    page.check("#id_gender_1")
    page.fill("#id_phone", "0912 345 678")
    page.select_option("#id_occupation", "civil_servant")
    page.select_option("#id_unit", label="UBND xã Lũng Cú")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    wrong = "".join("3" if d != "3" else "4" for d in digits_shown(page))
    page.fill("#id_picture_answer", wrong)
    page.click("button:has-text('Đăng ký')")
    page.wait_for_load_state()

    # Refused: said beside a new picture, the typed fields kept, not the passwords.
    assert "Các chữ số chưa đúng" in page.locator("#picture-challenge").inner_text()
    assert page.input_value("#id_full_name") == "Nguyễn Thị Hoa"
    assert page.input_value("#id_unit") == page.locator(
        "#id_unit option", has_text="UBND xã Lũng Cú"
    ).get_attribute("value")
    assert page.input_value("#id_password1") == ""
    assert page.input_value("#id_picture_answer") == ""
    assert not User.objects.exists()

    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.fill("#id_picture_answer", digits_shown(page))
    page.click("button:has-text('Đăng ký')")
    wait_url(page, re.compile(rf"^{re.escape(live_server.url)}/$"))

    user = User.objects.get(phone="0912345678")
    assert user.unit.name == "UBND xã Lũng Cú"
    assert page.locator("button:has-text('Đăng xuất')").is_visible()
    assert "Đăng ký thành công" in page.locator("main").inner_text()
    context.close()
