"""The portal inside another app: a page on another loopback origin frames it and a
contestant goes through the whole attempt in the frame; with no allow list the
frame is refused. The portal runs on http://localhost, the other app on
http://127.0.0.1: two sites, so the portal's cookies in the frame are third-party
cookies, sent only because they are SameSite=None; Secure (which Chromium accepts
over plain http on loopback, a potentially trustworthy origin)."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings as django_settings

from accounts.models import User
from rounds.models import Attempt
from tests.browser import BROWSER_TEST
from tests.factories import UnitFactory

pytestmark = BROWSER_TEST

PASSWORD = "Mat-khau-2024!"


@contextmanager
def other_app(frame_src: str) -> Iterator[str]:
    """Another app's page that shows the portal in a frame; yields its origin."""
    page = (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<title>Ứng dụng của tỉnh</title></head><body><h1>Ứng dụng của tỉnh</h1>"
        f"<iframe name='portal' src='{frame_src}' width='400' height='700'>"
        "</iframe></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def allow_framing(settings, origin: str) -> None:
    """What contest_portal/settings.py derives from DJANGO_FRAME_ANCESTORS."""
    settings.FRAME_ANCESTORS = (origin,)
    settings.SESSION_COOKIE_SAMESITE = settings.CSRF_COOKIE_SAMESITE = "None"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def wait_frame_url(frame, pattern) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        frame.wait_for_url(pattern, timeout=15_000)
    except PlaywrightTimeout as error:
        shown = frame.locator("main").inner_text()[:800]
        raise AssertionError(f"frame at {frame.url}; it shows:\n{shown}") from error


def test_a_contestant_takes_the_attempt_inside_another_apps_frame(
    browser, live_server, settings, round_
):
    User.objects.create_user(
        "0987654321", PASSWORD, full_name="Lò Văn Pó", unit=UnitFactory()
    )
    slug = round_.contest.slug
    start = f"{live_server.url}/tai-khoan/dang-nhap/?next=/cuoc-thi/{slug}/"
    with other_app(start) as origin:
        allow_framing(settings, origin)
        page = browser.new_page()
        page.goto(origin)
        frame = page.frame(name="portal")
        frame.wait_for_selector("#id_username")

        frame.fill("#id_username", "0987654321")
        frame.fill("#id_password", PASSWORD)
        frame.click("button:has-text('Đăng nhập')")
        wait_frame_url(frame, f"{live_server.url}/cuoc-thi/{slug}/")
        frame.click("button:has-text('Vào thi')")
        wait_frame_url(frame, re.compile(r".*/bai-thi/[\w-]+/$"))
        for position in range(round_.question_count):
            frame.locator(f"input[name=q{position}]").first.check()
        frame.click("#submit-btn")
        wait_frame_url(frame, re.compile(r".*/ket-qua/$"))

        attempt = Attempt.objects.get(user__phone="0987654321")
        assert attempt.status == Attempt.Status.FINISHED
        score = frame.locator("#score").text_content()
        assert score == f"{attempt.correct_count}/{round_.question_count}"
        assert page.url == origin + "/"  # all of it inside the frame
        cookies = {c["name"]: c for c in page.context.cookies(live_server.url)}
        session = cookies[django_settings.SESSION_COOKIE_NAME]
        assert (session["sameSite"], session["secure"]) == ("None", True)
        # Kept in a jar of the embedding site, as CHIPS does.
        assert session["partitionKey"] == origin.rsplit(":", 1)[0]


def test_without_an_allow_list_the_frame_is_refused(browser, live_server, settings):
    assert settings.FRAME_ANCESTORS == ()
    refused: list[str] = []
    with other_app(f"{live_server.url}/tai-khoan/dang-nhap/") as origin:
        page = browser.new_page()
        page.on("console", lambda m: refused.append(m.text))
        page.goto(origin)
        page.wait_for_timeout(1_000)
        frame = page.frame(name="portal")

        assert frame.locator("#id_username").count() == 0
        assert any("frame-ancestors 'none'" in text for text in refused), refused
