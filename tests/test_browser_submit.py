"""Before an attempt becomes final, in a real Chromium at a phone's size: the summary
with and without JavaScript, a refused submit that loses nothing, the deadline."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from quizzes.models import QuestionRevision
from rounds import services
from rounds.models import Attempt
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import RoundFactory, UnitFactory, make_bank

PASSWORD = "Mat-khau-2024!"
ATTEMPT_PAGE = re.compile(r".*/bai-thi/[\w-]+/$")
SUMMARY_PAGE = re.compile(r".*/bai-thi/[\w-]+/xem-lai/$")
RESULT_PAGE = re.compile(r".*/ket-qua/$")

pytestmark = BROWSER_TEST


def _round(question_count: int):
    round_ = RoundFactory(
        question_count=question_count,
        prediction_question="Có bao nhiêu người trả lời đúng tất cả các câu?",
    )
    round_.contest.topics.set(make_bank(topics=2, per_topic=max(6, question_count)))
    return round_


@pytest.fixture
def open_round():
    return _round(6)


@pytest.fixture
def long_round():
    return _round(20)


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
    page.wait_for_function(
        # A function, not an expression: the page's CSP forbids eval().
        "() => document.getElementById('save-state').textContent === 'Đã lưu'",
        timeout=15_000,
    )


def taking(browser, live_server, round_, phone: str, *, javascript: bool = True):
    """A contestant logged in on a phone, on a fresh attempt's page."""
    User.objects.create_user(
        phone, PASSWORD, full_name="Vàng Thị Mai", unit=UnitFactory()
    )
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    wait_url(page, f"{live_server.url}/")
    page.goto(f"{live_server.url}/cuoc-thi/{round_.contest.slug}/")
    page.click("button:has-text('Vào thi')")
    wait_url(page, ATTEMPT_PAGE)
    return page


def tick(page, positions, choice: int = 1) -> None:
    for position in positions:
        page.locator(f"input[name=q{position}]").nth(choice).check()


def ticked(page, count: int) -> list[int]:
    return [
        position
        for position in range(count)
        if page.locator(f"input[name=q{position}]:checked").count()
    ]


def summary_links(page) -> list[str]:
    return page.locator("#summary-links a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('#')[1])"
    )


def the_attempt(phone: str) -> Attempt:
    return Attempt.objects.get(user__phone=phone)


# --- with JavaScript: a dialog ---------------------------------------------------


def test_the_summary_dialog_names_the_unanswered_and_going_back_keeps_all(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000001")
    tick(page, [0, 1, 2])
    page.fill("#id_prediction", "1250")
    wait_saved(page)

    page.click("#submit-btn")

    dialog = page.locator("#submit-summary")
    assert dialog.is_visible()
    assert page.locator("#summary-count").inner_text() == (
        "Bạn còn 3/6 câu chưa trả lời:"
    )
    assert summary_links(page) == ["q4", "q5", "q6"]
    assert page.evaluate("() => document.activeElement.id") == "summary-title"
    assert not page.locator("#summary-prediction").is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "submit-btn"
    assert ticked(page, 6) == [0, 1, 2]
    assert the_attempt("0912000001").status == Attempt.Status.OPEN
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_link_in_the_dialog_goes_to_the_question(live_server, browser, open_round):
    page = taking(browser, live_server, open_round, "0912000002")
    tick(page, [0])
    page.fill("#id_prediction", "7")
    page.click("#submit-btn")

    page.click("#summary-links a:has-text('Câu 5')")

    assert not page.locator("#submit-summary").is_visible()
    assert page.url.endswith("#q5")
    page.wait_for_function("() => document.activeElement.name === 'q4'")
    assert page.locator("#q5").is_visible()


def test_confirming_the_dialog_finishes_with_the_answers_given(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000003")
    tick(page, [1, 3])
    page.fill("#id_prediction", "42")
    page.click("#submit-btn")

    page.click("#summary-back-btn")
    page.click("#submit-btn")
    page.click("#confirm-submit-btn")

    wait_url(page, RESULT_PAGE)
    attempt = the_attempt("0912000003")
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.finished_by == Attempt.FinishedBy.CONTESTANT
    assert [i for i, a in enumerate(attempt.answers) if a] == [1, 3]
    assert attempt.prediction == 42


def test_the_dialog_asks_for_a_missing_prediction_and_offers_no_submit(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000004")
    tick(page, range(6))

    page.click("#submit-btn")

    assert page.locator("#summary-count").inner_text() == "Bạn đã trả lời tất cả 6 câu."
    assert page.locator("#summary-prediction").is_visible()
    assert not page.locator("#confirm-submit-btn").is_visible()
    page.click("#summary-back-btn")
    assert not page.locator("#submit-summary").is_visible()
    assert the_attempt("0912000004").status == Attempt.Status.OPEN


def test_with_javascript_the_countdown_replaces_the_clock_time(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000005")

    assert page.locator("#countdown").is_visible()
    assert re.fullmatch(r"\d\d:\d\d", page.locator("#timer").inner_text())
    assert not page.locator("#deadline-clock").is_visible()
    assert not page.get_by_text("chưa gửi sẽ không được tính").is_visible()
    assert "Giải thích" not in page.content()


# --- without JavaScript: a summary step --------------------------------------------


def test_without_javascript_the_summary_is_a_page_and_going_back_keeps_all(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000006", javascript=False)
    tick(page, [0, 4], choice=2)
    page.fill("#id_prediction", "1.250")

    page.click("#submit-btn")

    wait_url(page, SUMMARY_PAGE)
    assert page.locator("#summary-count").inner_text() == (
        "Bạn còn 4/6 câu chưa trả lời:"
    )
    assert summary_links(page) == ["q2", "q3", "q4", "q6"]
    assert "Giải thích" not in page.content()
    page.click("#summary-back-btn")
    wait_url(page, ATTEMPT_PAGE)
    assert ticked(page, 6) == [0, 4]
    assert page.input_value("#id_prediction") == "1250"
    assert the_attempt("0912000006").status == Attempt.Status.OPEN


def test_without_javascript_confirming_the_summary_finishes(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000007", javascript=False)
    tick(page, [2, 3, 5])
    page.fill("#id_prediction", "9")
    page.click("#submit-btn")
    wait_url(page, SUMMARY_PAGE)

    page.click("#confirm-submit-btn")

    wait_url(page, RESULT_PAGE)
    attempt = the_attempt("0912000007")
    assert attempt.status == Attempt.Status.FINISHED
    assert [i for i, a in enumerate(attempt.answers) if a] == [2, 3, 5]
    assert [attempt.answers[p][0] for p in (2, 3, 5)] == [
        attempt.draw[p][1][1] for p in (2, 3, 5)
    ]


def test_a_refused_submit_without_javascript_keeps_18_answers_and_the_text(
    live_server, browser, long_round
):
    page = taking(browser, live_server, long_round, "0912000008", javascript=False)
    tick(page, range(18))
    page.fill("#id_prediction", "khoảng 1000")

    page.click("#submit-btn")

    assert page.get_by_text("Dự đoán phải là một số nguyên không âm").is_visible()
    assert ticked(page, 20) == list(range(18))
    assert page.input_value("#id_prediction") == "khoảng 1000"
    assert the_attempt("0912000008").status == Attempt.Status.OPEN


def test_without_javascript_the_deadline_is_a_clock_time_and_a_notice(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000009", javascript=False)

    deadline = the_attempt("0912000009").deadline
    clock = deadline.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M:%S")
    assert page.locator("#deadline-clock").inner_text() == f"Hạn nộp: {clock}"
    assert not page.locator("#countdown").is_visible()
    assert page.locator("#noscript-notice").is_visible()
    assert (
        "chưa gửi sẽ không được tính" in page.locator("#noscript-notice").inner_text()
    )


def test_answers_posted_without_javascript_count_when_the_deadline_passes(
    live_server, browser, open_round
):
    page = taking(browser, live_server, open_round, "0912000010", javascript=False)
    attempt = the_attempt("0912000010")
    for position in range(3):
        revision_id, permutation = attempt.draw[position]
        key = QuestionRevision.objects.get(pk=revision_id).correct_index
        page.locator(f"input[name=q{position}]").nth(permutation.index(key)).check()
    page.locator("input[name=q3]").first.check()  # posted with the others
    page.click("#submit-btn")
    wait_url(page, SUMMARY_PAGE)
    page.click("#summary-back-btn")
    wait_url(page, ATTEMPT_PAGE)
    # Ticked after the last post: the server cannot know it, as the page says.
    page.locator("input[name=q5]").first.check()
    late = attempt.deadline + timedelta(seconds=open_round.grace_seconds + 1)

    finished = services.attempts_finish_expired(now=late)

    assert finished == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.finished_by == Attempt.FinishedBy.DEADLINE
    assert [i for i, a in enumerate(attempt.answers) if a] == [0, 1, 2, 3]
    q3_key = QuestionRevision.objects.get(pk=attempt.draw[3][0]).correct_index
    assert attempt.correct_count == 3 + (attempt.draw[3][1][0] == q3_key)
    assert attempt.submitted_at == attempt.deadline
