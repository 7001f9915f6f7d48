"""Every page a contestant can reach, checked in a real headless Chromium at a phone's
size: axe-core finds no serious or critical accessibility violation, the page is no
wider than the phone, every link and button is at least 24 px tall, and no date,
time, score or number is broken over two lines. Each form is checked twice: as
served, and with its errors shown.

axe-core is vendored in tests/vendor/axe-core (from the npm package) so the test
needs no network."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from awards.models import ResultRow
from tests.browser import BROWSER_TEST, PHONE
from tests.websec import World, build_world

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# Served by a Playwright route at the live server's origin: the pages' CSP allows
# scripts from 'self' only, so an inline copy (add_script_tag(path=...)) would be
# refused, and bypassing the CSP would hide what the real pages do.
AXE_PATH = "/__axe-core__/axe.min.js"
MIN_TARGET_PX = 24

pytestmark = BROWSER_TEST

# Functions, not expressions: the pages' CSP forbids eval().
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} -> ` +
      v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(" | "));
}"""

SMALL_TARGETS = """(minimum) => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && !el.closest("[hidden], dialog:not([open])")
      && getComputedStyle(el).visibility !== "hidden";
  };
  return [...document.querySelectorAll(
      "a[href], button, input[type=submit], input[type=button], summary")]
    .filter((el) => !el.classList.contains("skip") && shown(el))
    .filter((el) => el.getBoundingClientRect().height < minimum)
    .map((el) => `<${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 40)}"` +
      ` is ${el.getBoundingClientRect().height.toFixed(1)} px tall`);
}"""

# A value wraps when the boxes of its characters sit on more than one line.
WRAPPED_VALUES = """() => {
  const value = /\\d{1,2}\\/\\d{1,2}\\/\\d{4}|\\d{1,2}:\\d{2}(:\\d{2})?|\\d{1,3}(\\.\\d{3})+|\\d+\\/\\d+/g;
  const lines = (range) => new Set([...range.getClientRects()]
    .filter((box) => box.width > 0).map((box) => Math.round(box.bottom))).size;
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, [hidden]")) continue;
    for (const match of node.data.matchAll(value)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (lines(range) > 1) broken.push(`"${match[0]}" in <${parent.tagName.toLowerCase()}>`);
    }
  }
  for (const el of document.querySelectorAll(".nowrap")) {
    const range = document.createRange();
    range.selectNodeContents(el);
    if (lines(range) > 1) broken.push(`.nowrap "${el.textContent.trim()}" on 2+ lines`);
  }
  return broken;
}"""


@pytest.fixture
def world() -> World:
    return build_world()


def phone_context(browser, live_server, user=None):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    context.route(
        f"{live_server.url}{AXE_PATH}",
        lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def problems(page, label: str, live_server) -> list[str]:
    """What is wrong with the page as the browser shows it now."""
    page.add_script_tag(url=f"{live_server.url}{AXE_PATH}")
    found = [f"axe {line}" for line in page.evaluate(RUN_AXE)]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        found.append(f"the page is {width} px wide")
    found += page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)
    found += page.evaluate(WRAPPED_VALUES)
    return [f"{label}: {line}" for line in found]


def post_with_errors(page, button: str, fill: Callable | None = None) -> None:
    """Send the button's form without the browser's own checks: empty, or as filled."""
    form = page.locator(button).first.locator("xpath=ancestor::form")
    form.evaluate(
        """(form) => {
          form.noValidate = true;
          for (const input of form.querySelectorAll(
              "input[type=text], input[type=email], input[type=tel], input[type=password]," +
              " input[type=search], input:not([type])")) input.value = "";
        }"""
    )
    if fill is not None:
        fill(page)
    with page.expect_navigation():
        page.locator(button).first.click()
    page.wait_for_load_state()
    shown = page.locator(".errorlist, .msg-error, [role=alert]").count()
    assert shown, f"{page.url}: no error shown after posting the form"


def test_public_pages_on_a_phone(live_server, browser, world, sms_gateway, settings):
    context = phone_context(browser, live_server)
    page = context.new_page()
    base = live_server.url
    row = ResultRow.objects.get(result=world.result, user=world.alice)
    results_url = f"{base}/ket-qua/tuan-thi/{world.past.pk}/"
    found: list[str] = []

    def visit(label: str, url: str) -> None:
        page.goto(url)
        found.extend(problems(page, label, live_server))

    def with_errors(label: str, button: str, fill: Callable | None = None) -> None:
        post_with_errors(page, button, fill)
        found.extend(problems(page, f"{label} (errors)", live_server))

    visit("home", f"{base}/")
    visit("contest", f"{base}/cuoc-thi/{world.contest.slug}/")
    visit("results", results_url)
    visit("results searched", f"{results_url}?tim=anh#bang-xep-hang")
    visit("results not found", f"{results_url}?tim=khong-co-ai#bang-xep-hang")
    visit("share", f"{base}/ket-qua/chia-se/{row.pk}/{row.share_token}/")
    visit("certificate verify", f"{base}/giay-chung-nhan/xac-minh/")
    visit(
        "certificate verified",
        f"{base}/giay-chung-nhan/xac-minh/?ma={world.certificate.code}",
    )
    visit("certificate unknown", f"{base}/giay-chung-nhan/xac-minh/?ma=ABCD-0000")
    visit("list check", f"{base}/ket-qua/kiem-tra/")
    visit("list check bad", f"{base}/ket-qua/kiem-tra/?ma=khong-hop-le")
    if world.result.checksum:
        visit("list check found", f"{base}/ket-qua/kiem-tra/{world.result.checksum}/")
    visit("404", f"{base}/khong-co-trang-nay/")

    visit("login", f"{base}/tai-khoan/dang-nhap/")
    with_errors("login", "main button[type=submit]")
    visit("register", f"{base}/tai-khoan/dang-ky/")
    with_errors("register", "main form button[type=submit]:has-text('Đăng ký')")
    visit("contest register", f"{base}/cuoc-thi/{world.contest.slug}/dang-ky/")
    with_errors("contest register", "main form button[type=submit]:has-text('Đăng ký')")
    visit("password forgotten", f"{base}/tai-khoan/quen-mat-khau/")
    visit("password reset email", f"{base}/tai-khoan/quen-mat-khau/email/")
    with_errors("password reset email", "main button[type=submit]")
    visit("password reset sms", f"{base}/tai-khoan/quen-mat-khau/sms/")
    with_errors("password reset sms", "main button[type=submit]")
    page.fill("#id_phone", world.alice.phone)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/nhap-ma/" in page.url, page.url
    found.extend(problems(page, "password reset sms code", live_server))
    with_errors("password reset sms code", "main button[type=submit]")

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password-reset": {"ip": (0, 60)}}
    page.goto(f"{base}/tai-khoan/quen-mat-khau/email/")
    page.fill("#id_email", "ai.do@example.vn")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("#rate-limit-message").count(), page.url
    found.extend(problems(page, "429", live_server))
    context.close()

    assert not found, "\n".join(found)


def test_contestant_pages_on_a_phone(live_server, browser, world, sms_gateway):
    context = phone_context(browser, live_server, user=world.alice)
    page = context.new_page()
    base = live_server.url
    found: list[str] = []

    def visit(label: str, url: str) -> None:
        page.goto(url)
        found.extend(problems(page, label, live_server))

    def with_errors(label: str, button: str, fill: Callable | None = None) -> None:
        post_with_errors(page, button, fill)
        found.extend(problems(page, f"{label} (errors)", live_server))

    visit("home", f"{base}/")
    visit("contest", f"{base}/cuoc-thi/{world.contest.slug}/")
    visit("my attempts", f"{base}/bai-thi/")
    visit("result", f"{base}/bai-thi/{world.finished.public_id}/ket-qua/")
    visit("results with my rank", f"{base}/ket-qua/tuan-thi/{world.past.pk}/")
    visit("my certificates", f"{base}/giay-chung-nhan/cua-toi/")
    visit("attempt", f"{base}/bai-thi/{world.open_attempt.public_id}/")
    page.locator("input[name=q0]").first.check()
    # The step without a script: the form posted to the summary, past the dialog.
    with page.expect_navigation():
        page.eval_on_selector(
            "#submit-btn",
            """(button) => {
              button.form.action = button.formAction;
              HTMLFormElement.prototype.submit.call(button.form);
            }""",
        )
    assert "/xem-lai/" in page.url, page.url
    found.extend(problems(page, "attempt summary", live_server))

    visit("profile", f"{base}/tai-khoan/ca-nhan/")
    with_errors("profile", "main button[type=submit]:has-text('Lưu')")
    visit("password change", f"{base}/tai-khoan/doi-mat-khau/")
    with_errors("password change", "main button[type=submit]")
    visit("phone verify", f"{base}/tai-khoan/xac-thuc-so-dien-thoai/")
    with_errors(
        "phone verify",
        "main button[type=submit]:has-text('Xác thực')",
        lambda page: page.fill("#id_code", "12"),
    )
    context.close()

    assert not found, "\n".join(found)


def test_the_checks_catch_a_wrapped_date_and_a_small_link(live_server, browser, world):
    """The layout checks themselves: a date squeezed into a narrow box and a small
    link are reported."""
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/khong-co-trang-nay/")

    page.eval_on_selector(
        "main",
        """(main) => {
          const p = document.createElement("p");
          p.style.width = "3ch";
          p.style.overflowWrap = "anywhere";
          p.textContent = "02/12/2026";
          main.append(p);
          const a = document.createElement("a");
          a.href = "/";
          a.textContent = "nhỏ";
          a.style.fontSize = "10px";
          a.style.lineHeight = "1";
          a.style.display = "inline-block";
          main.append(a);
        }""",
    )
    found = problems(page, "probe", live_server)
    context.close()

    assert any(re.search(r'"02/12/2026" in <p>', line) for line in found), found
    assert any('"nhỏ" is' in line for line in found), found
