"""The strict Content-Security-Policy in a real Chromium: the pages that run our
scripts (registration, the attempt, the admin's forms) work without one violation."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from rounds.models import Attempt
from tests.browser import BROWSER_TEST, PHONE
from tests.test_browser import wait_saved
from tests.websec import build_world

pytestmark = BROWSER_TEST


# Runs before any page script; DevTools-injected, so the policy does not block it.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def open_page(browser, live_server, user=None, **context_options):
    context = browser.new_context(**context_options)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    page.add_init_script(LISTEN)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def violations(page, errors) -> list[str]:
    found = page.evaluate("window.__violations")
    return found + [e for e in errors if "Content Security Policy" in e]


def test_the_attempt_page_runs_without_a_violation(live_server, browser):
    world = build_world()
    page, errors = open_page(browser, live_server, world.alice, viewport=PHONE)

    page.goto(
        live_server.url + reverse("rounds:attempt", args=[world.open_attempt.public_id])
    )
    page.locator("input[name=q0]").nth(1).check()
    page.locator("input[name=q1]").nth(2).check()
    wait_saved(page)

    assert violations(page, errors) == []
    assert errors == []
    # The script really ran under the policy: answers saved, the bar moved.
    width = page.eval_on_selector("#progress-fill", "e => e.style.width")
    assert width == f"{round(2 * 100 / world.open_attempt.question_count)}%"
    assert Attempt.objects.get(pk=world.open_attempt.pk).answers[0] is not None


def test_the_registration_page_runs_without_a_violation(live_server, browser):
    world = build_world()
    page, errors = open_page(browser, live_server, viewport=PHONE)

    page.goto(
        live_server.url + reverse("rounds:contest-register", args=[world.contest.slug])
    )
    page.fill("#id_unit_search", "so")
    page.wait_for_selector(".unit-results button, .unit-results li", timeout=10_000)

    assert violations(page, errors) == []
    assert [e for e in errors if "Content Security Policy" in e] == []


@pytest.mark.parametrize(
    "name",
    ["question-add", "round-change", "contest-change"],
)
def test_the_admin_forms_run_without_a_violation(live_server, browser, name):
    world = build_world()
    page, errors = open_page(browser, live_server, world.superuser)
    url = {
        "question-add": reverse("admin:quizzes_question_add"),
        "round-change": reverse("admin:rounds_round_change", args=[world.current.pk]),
        "contest-change": reverse(
            "admin:rounds_contest_change", args=[world.contest.pk]
        ),
    }[name]

    page.goto(live_server.url + url)
    page.wait_for_load_state("load")
    add_row = page.locator(".add-row a:visible").first
    if add_row.count():
        add_row.click()
    calendar = page.locator(".datetimeshortcuts a:visible").first
    if calendar.count():
        calendar.click()

    assert violations(page, errors) == []


def test_the_policy_really_blocks_an_injected_inline_script(live_server, browser):
    """The control: if the listener heard nothing because nothing is enforced,
    the tests above would pass for the wrong reason."""
    page, errors = open_page(browser, live_server)
    page.goto(live_server.url + reverse("accounts:login"))

    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__ran = true";
          document.body.appendChild(s);
        }"""
    )
    page.wait_for_function("() => window.__violations.length > 0", timeout=5_000)

    assert page.evaluate("window.__ran === undefined")
    assert any(re.match(r"script-src", v) for v in violations(page, errors))
