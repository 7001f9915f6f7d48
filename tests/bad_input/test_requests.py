"""Malformed requests: ids, answers, predictions, sizes, methods, tokens, the last
millisecond of a round. None may be a 500; a refusal changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Unit, User
from rounds import services
from rounds.models import Attempt, Round
from tests.bad_input import tried
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BAD_IDS = ["0", "-1", str(2**31), str(2**63), "abc", "1e3", "9" * 40, "1.0", "%20"]
BAD_STRINGS = [
    "abc",
    "0",
    "-1",
    "' OR 1=1--",
    "<script>",
    "x" * 2000,
    "..%2F..%2F",
    "%00",
    "a%00b",
]
PLACEHOLDER = "918273645"


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def with_id(name: str, bad: str, **kwargs) -> str:
    url = reverse(name, kwargs={key: int(PLACEHOLDER) for key in kwargs})
    return url.replace(PLACEHOLDER, bad)


ID_URLS = [
    ("rounds:attempt-start", {"round_id": 1}),
    ("awards:round-results", {"round_id": 1}),
    ("reports:export-winners", {"round_id": 1}),
    ("reports:export-ranking", {"round_id": 1}),
    ("reports:export-questions", {"round_id": 1}),
    ("reports:export-job", {"job_id": 1}),
    ("reports:export-job-download", {"job_id": 1}),
]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(("name", "kwargs"), ID_URLS, ids=[n for n, _ in ID_URLS])
def test_every_id_url_answers_404_to_a_bad_id(client, superuser, bad, name, kwargs):
    client.force_login(superuser)
    url = with_id(name, bad, **kwargs)
    tried(url)

    get = client.get(url)
    post = client.post(url)

    assert get.status_code == 404
    assert post.status_code in {404, 405}
    assert "Không tìm thấy trang" in get.content.decode()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_every_admin_change_page_survives_a_bad_id(client, superuser, bad):
    client.force_login(superuser)
    models = [m for m in apps.get_models() if admin.site.is_registered(m)]

    for model in models:
        info = (model._meta.app_label, model._meta.model_name)
        url = f"/quan-tri/{info[0]}/{info[1]}/{bad}/change/"
        tried(url)
        response = client.get(url)
        assert response.status_code in {302, 404}, url

    assert len(models) >= 10


@pytest.mark.parametrize("bad", BAD_IDS)
def test_admin_action_with_bad_selected_ids_changes_nothing(client, superuser, bad):
    client.force_login(superuser)
    unit = Unit.objects.create(name="Xã Một", code="X1", level="commune")
    tried(bad)

    response = client.post(
        reverse("admin:accounts_unit_changelist"),
        {"action": "delete_selected", "_selected_action": [bad]},
    )

    assert response.status_code in {200, 302, 400}  # 200: an empty confirmation
    assert Unit.objects.filter(pk=unit.pk).exists()


@pytest.mark.parametrize("bad", BAD_STRINGS)
@pytest.mark.parametrize(
    "name", ["rounds:attempt", "rounds:attempt-result", "certificates:download"]
)
def test_string_ids_answer_404(client, contestant, bad, name):
    client.force_login(contestant)
    key = "code" if name.startswith("certificates") else "public_id"
    url = reverse(name, kwargs={key: "PLACEHOLDER"}).replace("PLACEHOLDER", bad)
    tried(url)

    assert client.get(url).status_code in {400, 404}


@pytest.mark.parametrize("bad", [*BAD_STRINGS, "", "ABCD-EFGH-JKLM-NPQR" * 50])
def test_certificate_verify_survives_any_code(client, bad):
    tried(bad)

    response = client.get(reverse("certificates:verify"), {"ma": bad})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("certificates:verify", {"ma": "AB\x00CD"}),
        ("admin:accounts_user_changelist", {"q": "\x00"}),
        ("admin:accounts_user_changelist", {"q\x00": "x"}),
        ("awards:round-results", {"trang": "\x00"}),
    ],
    ids=["verify", "admin-search", "nul-key", "page"],
)
def test_nul_in_the_query_string_is_a_400(client, superuser, round_, url, params):
    client.force_login(superuser)
    kwargs = {"round_id": round_.pk} if url == "awards:round-results" else {}
    tried(params)

    response = client.get(reverse(url, kwargs=kwargs), params)

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_unknown_fields_on_submit_are_ignored(taker, open_attempt):
    tried({"q-1": "0", "qx": "1"})

    response = taker.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": open_attempt.public_id}),
        {"q-1": "0", "qx": "1", "q0": "0"},
    )

    assert response.status_code == 302
    assert Attempt.objects.get(pk=open_attempt.pk).answers[0] is not None


# --- an attempt's answers ------------------------------------------------------------


@pytest.fixture
def open_attempt(round_, contestant):
    return services.attempt_start(user=contestant, round_=round_).attempt


@pytest.fixture
def taker(client, contestant):
    client.force_login(contestant)
    return client


def state(attempt: Attempt) -> tuple:
    row = Attempt.objects.get(pk=attempt.pk)
    return (row.status, row.answers, row.prediction, row.correct_count)


SAVE_REFUSED = [
    {"seq": "1", "position": "-1", "choice": "0"},
    {"seq": "1", "position": str(2**31), "choice": "0"},
    {"seq": "1", "position": str(2**63), "choice": "0"},
    {"seq": "1", "position": "abc", "choice": "0"},
    {"seq": "1", "position": "1e3", "choice": "0"},
    {"seq": "1", "position": "5", "choice": "0"},  # not drawn: 5 questions, 0..4
    {"seq": "1", "position": "999", "choice": "0"},
    {"seq": "1", "position": "0", "choice": "4"},  # a 5th choice: another question's
    {"seq": "1", "position": "0", "choice": "-1"},
    {"seq": "1", "position": "0", "choice": str(2**63)},
    {"seq": "1", "position": "0", "choice": "0x1"},
    {"seq": "1", "position": "0"},
    {"seq": "1", "choice": "0"},
    {"seq": "-1", "position": "0", "choice": "0"},
    {"seq": str(2**63), "position": "0", "choice": "0"},
    {"seq": "abc", "position": "0", "choice": "0"},
    {"position": "0", "choice": "0"},
    {"seq": "1", "prediction": "-1"},
    {"seq": "1", "prediction": "1e309"},
    {"seq": "1", "prediction": "NaN"},
    {"seq": "1", "prediction": "inf"},
    {"seq": "1", "prediction": "1,5"},
    {"seq": "1", "prediction": "1.5"},
    {"seq": "1", "prediction": "9" * 14},
    {"seq": "1", "prediction": "12\x003"},
    {"seq": "1", "prediction": "0x10"},
]


@pytest.mark.parametrize("data", SAVE_REFUSED, ids=[str(d) for d in SAVE_REFUSED])
def test_save_refuses_bad_fields_and_changes_nothing(taker, open_attempt, data):
    before = state(open_attempt)
    tried(data)

    response = taker.post(
        reverse("rounds:attempt-save", kwargs={"public_id": open_attempt.public_id}),
        data,
    )

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["error"]
    assert state(open_attempt) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.000", 1000),
        ("1 000", 1000),
        ("１２３", 123),
        ("١٢٣", 123),
        (" 42 ", 42),
        ("007", 7),
    ],
)
def test_save_reads_predictions_as_people_type_them(taker, open_attempt, typed, stored):
    tried(typed)

    taker.post(
        reverse("rounds:attempt-save", kwargs={"public_id": open_attempt.public_id}),
        {"seq": "1", "prediction": typed},
    )

    assert Attempt.objects.get(pk=open_attempt.pk).prediction == stored


def test_save_to_someone_elses_attempt_is_404(client, open_attempt):
    client.force_login(UserFactory())
    before = state(open_attempt)
    tried("foreign attempt")

    response = client.post(
        reverse("rounds:attempt-save", kwargs={"public_id": open_attempt.public_id}),
        {"seq": "1", "position": "0", "choice": "0"},
    )

    assert response.status_code == 404
    assert state(open_attempt) == before


SUBMIT_REFUSED = [
    {"q5": "0"},
    {"q999": "0"},
    {"q" + "9" * 30: "0"},
    {"q0": "4"},
    {"q0": "-1"},
    {"q0": "abc"},
    {"q0": "1e3"},
    {"q0": str(2**63)},
    {"q0": ["0", "1"]},
    {"q0": "０"},
    {"q0": "0", "prediction": "-1"},
    {"q0": "0", "prediction": "1e309"},
    {"q0": "0", "prediction": "NaN"},
]


@pytest.mark.parametrize(
    "data", SUBMIT_REFUSED, ids=[str(d)[:40] for d in SUBMIT_REFUSED]
)
def test_submit_refuses_bad_answers_and_keeps_the_attempt_open(
    taker, open_attempt, data
):
    # With a prediction question, so the page has a place to show its error.
    Round.objects.filter(pk=open_attempt.round_id).update(
        prediction_question="Có bao nhiêu người trả lời đúng tất cả?"
    )
    before = state(open_attempt)
    tried(data)

    response = taker.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": open_attempt.public_id}),
        data,
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "không hợp lệ" in page or "Dự đoán phải là một số nguyên" in page
    assert state(open_attempt) == before


def test_ten_thousand_answers_in_one_request_are_a_400(taker, open_attempt):
    before = state(open_attempt)
    data = {f"q{i}": "0" for i in range(10_000)}
    tried("10,000 answers")

    response = taker.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": open_attempt.public_id}),
        data,
    )

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert state(open_attempt) == before


def test_a_50_mb_body_is_a_400_without_a_change(taker, open_attempt):
    before = state(open_attempt)
    body = "prediction=" + "1" * (50 * 1024 * 1024)
    tried("50 MB body")

    response = taker.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": open_attempt.public_id}),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code in {400, 413}
    assert state(open_attempt) == before


def test_a_50_mb_registration_is_a_400_and_creates_nobody(client):
    body = "full_name=" + "A" * (50 * 1024 * 1024)
    tried("50 MB registration")

    response = client.post(
        reverse("accounts:register"),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code in {400, 413}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["rounds:attempt-save", "rounds:attempt-submit"],
)
def test_get_on_a_post_only_attempt_endpoint_is_405(taker, open_attempt, name):
    tried(f"GET {name}")

    response = taker.get(reverse(name, kwargs={"public_id": open_attempt.public_id}))

    assert response.status_code == 405
    assert state(open_attempt)[0] == Attempt.Status.OPEN


@pytest.mark.parametrize("name", ["accounts:logout", "reports:export-job-start"])
def test_get_on_other_post_only_endpoints_is_405(client, superuser, name):
    client.force_login(superuser)
    tried(f"GET {name}")

    assert client.get(reverse(name)).status_code == 405


# --- CSRF (the systematic check is elsewhere; two cases here) ------------------------


def test_registration_without_csrf_token_is_refused_in_vietnamese():
    client = Client(enforce_csrf_checks=True)
    tried("no csrf token")

    response = client.post(reverse("accounts:register"), {"full_name": "A"})

    assert response.status_code == 403
    assert "Phiên làm việc" in response.content.decode() or "CSRF" not in (
        response.content.decode()
    )
    assert not User.objects.exists()


def test_submit_with_another_sessions_csrf_token_is_refused(round_, contestant):
    attempt = services.attempt_start(user=contestant, round_=round_).attempt
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(reverse("accounts:login"))
    foreign_token = stranger.cookies["csrftoken"].value
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(contestant)
    victim.get(reverse("accounts:login"))
    before = state(attempt)
    tried("foreign csrf token")

    response = victim.post(
        reverse("rounds:attempt-submit", kwargs={"public_id": attempt.public_id}),
        {"q0": "0", "csrfmiddlewaretoken": foreign_token + "x"},
    )

    assert response.status_code == 403
    assert state(attempt) == before


# --- the last millisecond of a round --------------------------------------------------


@pytest.fixture
def last_day_round(bank):
    closes = datetime(2024, 9, 29, 23, 59, 59, 999_000, tzinfo=VN)
    round_ = RoundFactory(
        opens_at=datetime(2024, 9, 9, 7, 30, tzinfo=VN),
        closes_at=closes,
        time_limit_seconds=600,
        grace_seconds=10,
    )
    round_.contest.topics.set(bank)
    return round_


def test_start_at_998_ms_is_accepted(last_day_round, contestant):
    at = last_day_round.closes_at - timedelta(milliseconds=1)
    tried(at)

    result = services.attempt_start(user=contestant, round_=last_day_round, now=at)

    assert result.attempt.deadline == last_day_round.closes_at
    assert result.shortened


@pytest.mark.parametrize(
    "after", [timedelta(0), timedelta(microseconds=1), timedelta(milliseconds=1)]
)
def test_start_at_or_after_the_close_is_refused(last_day_round, contestant, after):
    at = last_day_round.closes_at + after
    tried(at)

    with pytest.raises(ValidationError) as caught:
        services.attempt_start(user=contestant, round_=last_day_round, now=at)

    assert caught.value.code == "round_closed"
    assert caught.value.messages == ["Tuần thi đã kết thúc."]
    assert not Attempt.objects.exists()


def test_answer_saved_in_the_last_millisecond_counts(last_day_round, contestant):
    closes = last_day_round.closes_at
    attempt = services.attempt_start(
        user=contestant, round_=last_day_round, now=closes - timedelta(minutes=5)
    ).attempt
    tried(closes - timedelta(milliseconds=1))

    services.attempt_save(
        attempt=attempt,
        seq=1,
        position=0,
        shown_choice=0,
        now=closes - timedelta(milliseconds=1),
    )
    finished = services.attempt_submit(
        attempt=attempt, answers={}, prediction=None, now=closes
    )

    assert finished.answers[0] is not None
    assert finished.finished_by == Attempt.FinishedBy.CONTESTANT
    assert finished.submitted_at == closes


def test_submit_after_deadline_and_grace_is_finished_at_the_deadline(
    last_day_round, contestant
):
    closes = last_day_round.closes_at
    attempt = services.attempt_start(
        user=contestant, round_=last_day_round, now=closes - timedelta(minutes=5)
    ).attempt
    late = closes + timedelta(seconds=last_day_round.grace_seconds, microseconds=1)
    tried(late)

    finished = services.attempt_submit(
        attempt=attempt, answers={0: 0}, prediction=None, now=late
    )

    assert finished.finished_by == Attempt.FinishedBy.DEADLINE
    assert finished.submitted_at == closes
    assert finished.answers[0] is None  # the late answer is not taken


def test_round_shape_is_untouched(last_day_round):
    assert Round.objects.get(pk=last_day_round.pk).closes_at.microsecond == 999_000
