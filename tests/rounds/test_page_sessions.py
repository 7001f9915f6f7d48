"""The attempt page, the submit and the result read the contestant's user row in
the same statement as the attempt, the start in the statement that locks it, and
every other signed-in page reads the user
with their unit in one statement written once per process; Django's own session
check still decides: a password changed elsewhere, a deactivated account and an
unverified session end there as on any page, and a session signed with a rotated
secret is still accepted as Django accepts it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from rounds import services
from rounds.models import Attempt, Round

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@2024"
NEW_PASSWORD = "Doi#MatKhau2025"


@pytest.fixture
def attempt(round_, contestant) -> Attempt:
    return services.attempt_start(user=contestant, round_=round_).attempt


def _page(client: Client, attempt: Attempt):
    return client.get(
        reverse("rounds:attempt", kwargs={"public_id": attempt.public_id})
    )


def _result(client: Client, attempt: Attempt):
    return client.get(
        reverse("rounds:attempt-result", kwargs={"public_id": attempt.public_id})
    )


def _submit(client: Client, attempt: Attempt):
    return client.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": attempt.public_id}), {}
    )


def _start(client: Client, attempt: Attempt):
    return client.post(
        reverse("rounds:attempt-start", kwargs={"round_id": attempt.round_id})
    )


STEPS = {"page": _page, "submit": _submit, "result": _result, "start": _start}


def _signed_in(attempt: Attempt) -> Client:
    client = Client()
    client.login(username=attempt.user.phone, password=PASSWORD)
    return client


def _user_reads(queries) -> list[str]:
    table = User._meta.db_table
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


@pytest.mark.parametrize("step", ["page", "submit", "result"])
def test_the_user_row_comes_with_the_attempt(attempt, step):
    client = _signed_in(attempt)
    if step == "result":
        _submit(client, attempt)
    with CaptureQueriesContext(connection) as queries:
        response = {"page": _page, "submit": _submit, "result": _result}[step](
            client, attempt
        )

    assert response.status_code == (302 if step == "submit" else 200)
    if step == "submit":
        assert response["Location"].endswith("/ket-qua/")
    reads = _user_reads(queries)
    assert len(reads) == 1
    assert Attempt._meta.db_table in reads[0]  # the attempt's own statement


def test_the_start_reads_the_round_and_the_user_once_and_stores_in_one_statement(
    attempt,
):
    client = _signed_in(attempt)
    _submit(client, attempt)
    with CaptureQueriesContext(connection) as queries:
        response = _start(client, attempt)

    assert response.status_code == 302
    assert response["Location"].startswith("/bai-thi/")
    assert Attempt.objects.filter(user=attempt.user).count() == 2
    reads = _user_reads(queries)
    assert len(reads) == 1
    assert "LEFT" in reads[0].upper()  # with the unit
    # The round with its contest comes in the same statement.
    round_table = Round._meta.db_table
    assert round_table in reads[0]
    assert [q["sql"] for q in queries if round_table in q["sql"]] == [reads[0]]
    # The second attempt is counted and stored by one statement, no lock taken
    # (the session store aside: the database's in tests, Redis in production).
    statements = [q["sql"] for q in queries if "django_session" not in q["sql"]]
    assert [sql.split()[0].upper() for sql in statements] == ["SELECT", "INSERT"]
    assert "FOR UPDATE" not in " ".join(statements).upper()


def test_other_signed_in_pages_read_the_user_and_unit_once(attempt):
    client = _signed_in(attempt)
    contest_url = reverse(
        "rounds:contest-detail", kwargs={"slug": attempt.round.contest.slug}
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(contest_url)

    assert response.status_code == 200
    assert attempt.user.get_short_name() in response.text  # signed in, by name
    reads = _user_reads(queries)
    assert len(reads) == 1
    assert "LEFT" in reads[0].upper()  # with the unit


@pytest.mark.parametrize("step", ["page", "submit", "result", "start", "contest"])
def test_a_password_changed_elsewhere_ends_the_session(attempt, step):
    client = _signed_in(attempt)
    if step == "result":
        _submit(client, attempt)
    elsewhere = _signed_in(attempt)
    changed = elsewhere.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302

    if step == "contest":
        url = reverse("rounds:attempt-list")
        response = client.get(url)
    else:
        response = STEPS[step](client, attempt)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session  # Django ended the session
    assert Attempt.objects.filter(user=attempt.user).count() == 1
    attempt.refresh_from_db()
    assert attempt.status == (
        Attempt.Status.FINISHED if step == "result" else Attempt.Status.OPEN
    )
    # The session that changed the password goes on.
    assert _page(elsewhere, attempt).status_code in {200, 302}


@pytest.mark.parametrize("step", ["page", "submit", "start"])
def test_a_deactivated_user_is_sent_to_login(attempt, step):
    client = _signed_in(attempt)
    if step == "start":
        _submit(client, attempt)
    User.objects.filter(pk=attempt.user_id).update(is_active=False)

    response = STEPS[step](client, attempt)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Attempt.objects.filter(user=attempt.user).count() == 1
    attempt.refresh_from_db()
    assert attempt.status == (
        Attempt.Status.FINISHED if step == "start" else Attempt.Status.OPEN
    )


def test_a_user_held_at_the_password_form_is_sent_there(attempt):
    client = _signed_in(attempt)
    User.objects.filter(pk=attempt.user_id).update(must_change_password=True)

    for step in ("page", "submit", "start"):
        response = STEPS[step](client, attempt)
        assert response.status_code == 302, step
        assert response["Location"] == reverse("accounts:password-change"), step
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.OPEN
    assert Attempt.objects.filter(user=attempt.user).count() == 1


def test_a_session_under_a_rotated_secret_is_still_accepted(attempt, settings):
    settings.SECRET_KEY = "the-secret-of-last-year-" + "x" * 40
    client = _signed_in(attempt)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-secret-of-this-year-" + "y" * 40

    response = _page(client, attempt)

    assert response.status_code == 200
    assert 'id="attempt-form"' in response.text
    # Django re-signed the session with the current secret: the next page is the
    # one-statement path again.
    with CaptureQueriesContext(connection) as queries:
        assert _page(client, attempt).status_code == 200
    assert len(_user_reads(queries)) == 1


def test_someone_elses_attempt_is_not_found(attempt):
    other = User.objects.create_user(phone="0912345678", password=PASSWORD)
    client = Client()
    client.force_login(other)

    assert _page(client, attempt).status_code == 404
    assert _result(client, attempt).status_code == 404
    assert _submit(client, attempt).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.OPEN


def test_anonymous_visitors_go_to_login(attempt):
    for step in ("page", "submit", "start"):
        response = STEPS[step](Client(), attempt)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
