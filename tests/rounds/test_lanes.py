"""An attempt's requests take the short lanes (rounds/lanes.py): the same session,
CSRF, user, malformed-request and header layers as every page (and the messages, for
the pages), none of the ones they have no use for; every other request still takes
the whole stack."""

import pytest
from django.middleware.locale import LocaleMiddleware
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import User
from rounds import services
from rounds.lanes import LANES
from rounds.models import Attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(round_, contestant) -> Attempt:
    return services.attempt_start(user=contestant, round_=round_).attempt


@pytest.fixture
def browser(attempt) -> Client:
    """A browser that checks CSRF as a real one is checked, on the attempt page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(pk=attempt.user_id))
    page = client.get(
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id})
    )
    assert page.status_code == 200
    return client


@pytest.fixture
def locale_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = LocaleMiddleware.process_request

    def spy(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(LocaleMiddleware, "process_request", spy)
    return calls


def _save(client: Client, attempt: Attempt, **headers):
    return client.post(
        reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id}),
        {"seq": 1, "position": 0, "choice": 1},
        **headers,
    )


def test_a_save_skips_the_layers_it_has_no_use_for(browser, attempt, locale_calls):
    response = _save(
        browser, attempt, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )

    assert response.json() == {"ok": True, "seq": 1}
    assert locale_calls == []
    attempt.refresh_from_db()
    assert attempt.answers[0] is not None
    # Any other page goes down the whole stack.
    browser.get(reverse("rounds:attempt-list"))
    assert len(locale_calls) == 1


def test_an_attempt_from_start_to_result_skips_them_too(
    round_, contestant, locale_calls
):
    round_.max_attempts = 0
    round_.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(contestant)
    contest = client.get(
        reverse("rounds:contest-detail", kwargs={"slug": round_.contest.slug})
    )
    token = client.cookies["csrftoken"].value
    start_url = reverse("rounds:attempt-start", kwargs={"round_id": round_.pk})
    locale_calls.clear()

    assert client.post(start_url).status_code == 403  # CSRF is still checked
    started = client.post(start_url, {"csrfmiddlewaretoken": token})
    assert started.status_code == 302
    page = client.get(started["Location"])
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    # A message the start leaves reaches the page it leads to.
    again = client.post(start_url, {"csrfmiddlewaretoken": token})
    assert again["Location"] == started["Location"]
    assert "Bạn đang có một bài thi chưa nộp" in client.get(again["Location"]).text
    submitted = client.post(
        started["Location"] + "nop-bai/",
        {"csrfmiddlewaretoken": token, "prediction": "1"},
    )
    assert submitted.status_code == 302
    result = client.get(submitted["Location"])
    assert "Kết quả bài thi" in result.text

    assert contest.status_code == 200
    assert locale_calls == []


def test_a_save_without_the_csrf_token_is_refused(browser, attempt):
    response = _save(browser, attempt)

    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.answers[0] is None


def test_a_save_answer_carries_the_security_headers(browser, attempt):
    response = _save(
        browser, attempt, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_a_nul_in_the_address_is_refused_before_any_read(browser, attempt):
    response = browser.post(
        f"/bai-thi/{attempt.public_id}%00/luu/",
        {"seq": 1, "position": 0, "choice": 1},
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.text
    attempt.refresh_from_db()
    assert attempt.answers[0] is None


def test_another_persons_attempt_is_not_found(attempt, round_):
    other = User.objects.create_user(phone="0912345678", password="MatKhau@2024")
    client = Client()
    client.force_login(other)

    assert _save(client, attempt).status_code == 404


def test_every_view_of_a_lane_applies_the_password_rule_itself():
    """The lanes leave out ForcePasswordChangeMiddleware: each of their views must
    apply the rule itself."""
    for view_name in LANES:
        kwargs = {"round_id": 1} if view_name.endswith("start") else {"public_id": "x"}
        func = resolve(reverse(view_name, kwargs=kwargs)).func
        assert getattr(func, "checks_user_itself", False), view_name
