"""A contestant whose connection drops: answers wait in the browser, none is lost."""

# The fixture `open_round` comes from tests/test_browser.py.
# ruff: noqa: F811

import re

import pytest

from accounts.models import User
from rounds.models import Attempt
from tests.factories import UnitFactory
from tests.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    open_round,
    pytestmark,
    wait_saved,
    wait_url,
)

PHONE_NUMBER = "0977000111"
PASSWORD = "Mat-khau-2024!"
UNSAVED = "chưa lưu được"


def taking_an_attempt(context, live_server, round_):
    """Log in and open a fresh attempt; return the page."""
    User.objects.create_user(
        PHONE_NUMBER, PASSWORD, full_name="Vàng Thị Mai", unit=UnitFactory()
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", PHONE_NUMBER)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    wait_url(page, f"{live_server.url}/")
    page.goto(f"{live_server.url}/cuoc-thi/{round_.contest.slug}/")
    page.click("button:has-text('Vào thi')")
    wait_url(page, re.compile(r".*/bai-thi/[\w-]+/$"))
    return page


def stored_answers() -> list:
    return Attempt.objects.get(user__phone=PHONE_NUMBER).answers


def expected_answers(clicks: dict[int, int]) -> list:
    """Original choice per position for the shown choices clicked."""
    attempt = Attempt.objects.get(user__phone=PHONE_NUMBER)
    return [
        attempt.draw[p][1][clicks[p]] if p in clicks else None
        for p in range(attempt.question_count)
    ]


def wait_unsaved(page) -> str:
    """Wait until the page says, visibly, that answers are not saved yet."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            # A function, not an expression: the page's CSP forbids eval().
            "() => document.getElementById('save-state').textContent"
            f".includes('{UNSAVED}')",
            timeout=15_000,
        )
    except PlaywrightTimeout as error:
        state = page.locator("#save-state").inner_text()
        raise AssertionError(f"no unsaved warning; the page says: {state}") from error
    assert page.locator("#save-state").is_visible()
    return page.locator("#save-state").inner_text()


def test_answers_clicked_offline_reach_the_server_once_back_online(
    live_server, browser, open_round
):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = taking_an_attempt(context, live_server, open_round)
    clicks = {0: 1, 2: 3, 3: 0, 5: 2}
    page.locator("input[name=q1]").nth(2).check()
    wait_saved(page)
    clicks[1] = 2

    context.set_offline(True)
    for position, shown in clicks.items():
        if position != 1:
            page.locator(f"input[name=q{position}]").nth(shown).check()
    state = wait_unsaved(page)
    page.wait_for_timeout(2_500)  # a few retries go by while still offline

    assert "4 câu trả lời chưa lưu được" in state
    assert "error" in page.locator("#save-state").get_attribute("class")
    assert UNSAVED in page.locator("#save-state").inner_text()
    assert [a and a[0] for a in stored_answers()] == expected_answers({1: 2})

    context.set_offline(False)
    wait_saved(page)

    assert [a and a[0] for a in stored_answers()] == expected_answers(clicks)
    assert (
        page.evaluate(
            "Object.keys(JSON.parse(localStorage.getItem("
            "'attempt:' + document.getElementById('attempt-form').dataset.saveUrl)"
            " || '{}')).length"
        )
        == 0
    )


def test_answers_survive_a_reload_while_offline(live_server, browser, open_round):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = taking_an_attempt(context, live_server, open_round)
    attempt_url = page.url
    clicks = {0: 3, 1: 1, 4: 2}

    context.set_offline(True)
    for position, shown in clicks.items():
        page.locator(f"input[name=q{position}]").nth(shown).check()
    wait_unsaved(page)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
    context.set_offline(False)
    page.goto(attempt_url)
    checked = [
        page.locator(f"input[name=q{p}]").nth(s).is_checked() for p, s in clicks.items()
    ]
    wait_saved(page)

    assert checked == [True, True, True]
    assert [a and a[0] for a in stored_answers()] == expected_answers(clicks)


def test_a_save_the_server_cannot_take_is_retried_after_a_reload(
    live_server, browser, open_round
):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = taking_an_attempt(context, live_server, open_round)
    # The page loads but every save fails, as when the database is away.
    page.route(
        "**/luu/",
        lambda route: route.fulfill(status=503, body="Service Unavailable"),
    )
    clicks = {2: 1, 5: 3}

    for position, shown in clicks.items():
        page.locator(f"input[name=q{position}]").nth(shown).check()
    wait_unsaved(page)
    page.reload()
    state = wait_unsaved(page)
    nothing_yet = stored_answers()
    page.unroute("**/luu/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_saved(page)

    assert "2 câu trả lời chưa lưu được" in state
    assert nothing_yet == [None] * 6
    assert [a and a[0] for a in stored_answers()] == expected_answers(clicks)
