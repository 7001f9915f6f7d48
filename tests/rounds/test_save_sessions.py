"""A save identifies its contestant from the session without loading the user row;
a password change made elsewhere, a one-time password and a logout still end the
session for saves, as Django ends it for every other page."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
from accounts.models import User
from accounts.services import user_issue_one_time_password
from rounds import services
from rounds.models import Attempt

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@2024"
NEW_PASSWORD = "Doi#MatKhau2025"


@pytest.fixture
def attempt(round_, contestant) -> Attempt:
    return services.attempt_start(user=contestant, round_=round_).attempt


def _save_url(attempt: Attempt) -> str:
    return reverse("rounds:attempt-save", kwargs={"public_id": attempt.public_id})


def _save(client: Client, attempt: Attempt, seq: int, position: int = 0):
    return client.post(
        _save_url(attempt), {"seq": seq, "position": position, "choice": 1}
    )


@pytest.fixture
def saving_client(attempt) -> Client:
    """A contestant's browser whose session has saved once (so keeps a credential)."""
    client = Client()
    client.force_login(User.objects.get(pk=attempt.user_id))
    assert _save(client, attempt, seq=1).json() == {"ok": True, "seq": 1}
    assert CREDENTIAL_SESSION_KEY in client.session
    return client


def _user_rows_read(queries) -> int:
    table = User._meta.db_table
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    )


def test_a_login_keeps_the_credential_so_the_attempt_page_writes_no_session(
    attempt,
):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": attempt.user.phone, "password": PASSWORD},
    )
    assert response.status_code == 302

    page = client.get(
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id})
    )

    assert page.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in page.cookies  # the session unwritten
    assert client.session[CREDENTIAL_SESSION_KEY] == user_credential(
        User.objects.get(pk=attempt.user_id).password
    )
    with CaptureQueriesContext(connection) as queries:
        assert _save(client, attempt, seq=1).json() == {"ok": True, "seq": 1}
    assert _user_rows_read(queries) == 0  # the first save takes the one statement


def test_a_save_does_not_load_the_user_row(saving_client, attempt):
    with CaptureQueriesContext(connection) as queries:
        response = _save(saving_client, attempt, seq=2, position=1)

    assert response.json() == {"ok": True, "seq": 2}
    assert _user_rows_read(queries) == 0
    attempt.refresh_from_db()
    assert attempt.answers[1][1] == 2


def test_healthz_does_not_load_the_user_row(saving_client):
    with CaptureQueriesContext(connection) as queries:
        response = saving_client.get("/healthz")

    assert response.status_code == 200
    assert _user_rows_read(queries) == 0


def test_a_password_changed_elsewhere_ends_the_session_for_saves(
    saving_client, attempt
):
    elsewhere = Client()
    elsewhere.login(username=attempt.user.phone, password=PASSWORD)
    changed = elsewhere.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302

    response = _save(saving_client, attempt, seq=2, position=1)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    attempt.refresh_from_db()
    assert attempt.answers[1] is None
    # The session that changed the password goes on saving.
    assert _save(elsewhere, attempt, seq=3, position=2).json() == {
        "ok": True,
        "seq": 3,
    }


def test_a_one_time_password_issued_by_an_official_ends_the_session_for_saves(
    saving_client, attempt
):
    user_issue_one_time_password(user=User.objects.get(pk=attempt.user_id))

    response = _save(saving_client, attempt, seq=2, position=1)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    attempt.refresh_from_db()
    assert attempt.answers[1] is None


def test_a_user_held_at_the_password_form_is_sent_there_not_saved(
    saving_client, attempt
):
    User.objects.filter(pk=attempt.user_id).update(must_change_password=True)

    response = _save(saving_client, attempt, seq=2, position=1)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change")
    attempt.refresh_from_db()
    assert attempt.answers[1] is None


def test_after_logout_the_old_session_cannot_save(saving_client, attempt):
    cookie = saving_client.cookies[settings.SESSION_COOKIE_NAME].value
    saving_client.post(reverse("accounts:logout"))
    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie

    response = _save(replayed, attempt, seq=2, position=1)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    attempt.refresh_from_db()
    assert attempt.answers[1] is None


def test_a_deactivated_user_cannot_save(saving_client, attempt):
    User.objects.filter(pk=attempt.user_id).update(is_active=False)

    response = _save(saving_client, attempt, seq=2, position=1)

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.answers[1] is None


def test_anonymous_save_goes_to_login_without_counting(client, attempt):
    response = _save(client, attempt, seq=1)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_after_the_attempt_page_the_first_save_is_one_statement(attempt):
    client = Client()
    client.force_login(User.objects.get(pk=attempt.user_id))
    client.get(reverse("rounds:attempt", kwargs={"public_id": attempt.public_id}))

    with CaptureQueriesContext(connection) as queries:
        response = _save(client, attempt, seq=1)

    assert response.json() == {"ok": True, "seq": 1}
    assert _user_rows_read(queries) == 0
    assert [q for q in queries if "FOR UPDATE" in q["sql"].upper()] == []
