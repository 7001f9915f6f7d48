"""While the database is away a request is a 503 to retry, never an HTML 500.

contest_portal/errors.py is handler500; static/js/attempt.js sends a save again on any
answer but an acknowledgement. tests/test_faults.py stops a real PostgreSQL.
"""

from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from contest_portal import errors
from rounds import services

pytestmark = pytest.mark.django_db

OUTAGE = OperationalError("connection to server failed: Connection refused")


@pytest.fixture
def browser(contestant) -> Client:
    """A logged-in contestant whose exceptions become responses, as in production."""
    client = Client(raise_request_exception=False)
    client.force_login(contestant)
    return client


@pytest.fixture
def attempt(contestant, round_):
    return services.attempt_start(user=contestant, round_=round_).attempt


def save(client: Client, attempt, **headers: str):
    return client.post(
        reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id}),
        {"seq": 1, "position": 0, "choice": 0},
        headers=headers,
    )


def session_load_fails(error: Exception):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return mock.patch.object(store, "load", side_effect=error)


@pytest.mark.parametrize(
    "error",
    [OUTAGE, InterfaceError("connection already closed")],
    ids=["operational-error", "interface-error"],
)
def test_a_save_the_database_refuses_is_a_json_503_to_retry(browser, attempt, error):
    with mock.patch.object(services, "attempt_save_own", side_effect=error):
        response = save(browser, attempt)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["ok"], body["retry"]) == (False, True)
    assert body["error"]
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)


def test_a_save_whose_session_cannot_be_loaded_is_a_json_503(browser, attempt):
    with session_load_fails(OUTAGE):
        response = save(browser, attempt)

    assert response.status_code == 503
    assert response.json()["retry"] is True
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)


def test_a_page_whose_session_cannot_be_loaded_is_an_html_503(browser):
    with session_load_fails(OUTAGE):
        response = browser.get(reverse("rounds:attempt-list"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Hệ thống tạm gián đoạn" in response.content.decode()
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)


@pytest.mark.parametrize(
    "headers",
    [{"Accept": "application/json"}, {"X-Requested-With": "XMLHttpRequest"}],
    ids=["accept-json", "x-requested-with"],
)
def test_a_script_asking_for_any_page_gets_the_json_503(browser, headers):
    with session_load_fails(OUTAGE):
        response = browser.get(reverse("rounds:attempt-list"), headers=headers)

    assert response.status_code == 503
    assert response.json()["retry"] is True


def test_the_503_page_reads_nothing_from_the_database(django_assert_num_queries):
    request = RequestFactory().get(reverse("rounds:home"))

    with django_assert_num_queries(0):
        try:
            raise OUTAGE
        except OperationalError:
            response = errors.server_error(request)

    assert response.status_code == 503


@pytest.mark.parametrize(
    "error",
    [RuntimeError("a bug"), IntegrityError("duplicate key")],
    ids=["not-a-database-error", "integrity-error"],
)
def test_any_other_error_is_still_the_500_page(browser, attempt, error):
    with mock.patch.object(services, "attempt_save_own", side_effect=error):
        response = save(browser, attempt)

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Hệ thống đang bận" in response.content.decode()
