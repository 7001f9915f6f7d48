"""The endpoints anyone may call: public rows only, approved results only, JSON
errors with a Vietnamese detail, and no server error for odd input."""

import pytest
from django.test import Client

from awards import services
from awards.models import UnitResult
from awards.selectors import PUBLIC_ROW_FIELDS
from rounds.models import Contest
from tests.api import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def test_the_contest_list_holds_published_contests_only(client, province):
    hidden = Contest.objects.create(title="Cuộc thi nội bộ", slug="noi-bo")
    hidden.is_published = False
    hidden.save()

    response = client.get(f"{API}/contests")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [province.contest.pk]


def test_a_contest_lists_its_rounds_with_their_state(client, province):
    response = client.get(f"{API}/contests/{province.contest.pk}")

    rounds = response.json()["rounds"]
    assert [(r["name"], r["status"], r["result_approved"]) for r in rounds] == [
        ("Tuần thứ nhất", "closed", True),
        ("Tuần thứ hai", "open", False),
    ]
    assert "prediction_truth_value" not in rounds[0]


def test_an_approved_result_shows_exactly_the_public_columns(client, province):
    response = client.get(f"{API}/rounds/{province.closed.pk}/results")

    body = response.json()
    assert response.status_code == 200
    assert body["version"] == 1
    assert body["checksum"] == province.result.checksum
    assert body["count"] == 3
    assert set(body["items"][0]) == set(PUBLIC_ROW_FIELDS)
    assert body["items"][0]["full_name"] == "Nguyễn Thị Ánh"
    assert body["items"][0]["prize_name"] == "Giải nhất"
    assert "0912345678" not in response.content.decode()


def test_results_are_paged(client, province):
    response = client.get(
        f"{API}/rounds/{province.closed.pk}/results", {"offset": 1, "limit": 1}
    )

    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (3, 1, 1)
    assert [row["rank"] for row in body["items"]] == [2]


def test_a_round_without_an_approved_result_is_a_404_saying_so(client, province):
    response = client.get(f"{API}/rounds/{province.open.pk}/results")

    assert response.status_code == 404
    assert response.json()["code"] == "result_not_approved"
    assert "chưa được phê duyệt" in response.json()["detail"]


def test_a_revoked_list_is_withdrawn_until_its_next_version_is_approved(
    client, province
):
    # A collective result approved over the week would refuse the revocation.
    UnitResult.objects.filter(pk=province.unit_result.pk).delete()
    url = f"{API}/rounds/{province.closed.pk}/results"
    services.result_revoke(
        result=province.result, actor=province.judge, reason="Sai đáp án câu 3."
    )

    withdrawn = client.get(url)
    again = services.result_compute(round_=province.closed, actor=province.judge)
    services.result_approve(result=again, actor=province.judge)
    current = client.get(url)

    assert withdrawn.status_code == 404
    assert withdrawn.json()["code"] == "result_not_approved"
    assert current.json()["version"] == 2
    assert [old["version"] for old in current.json()["revoked"]] == [1]
    assert current.json()["revoked"][0]["reason"] == "Sai đáp án câu 3."


def test_collective_results_list_the_ranked_units(client, province):
    response = client.get(f"{API}/contests/{province.contest.pk}/unit-results")

    body = response.json()
    assert response.status_code == 200
    assert body["checksum"] == province.unit_result.checksum
    assert [(r["unit_name"], r["rank"]) for r in body["items"]] == [
        ("Huyện Phong Điền", 1),
        ("Thành phố Huế", 2),
    ]


def test_the_unit_list_is_public(client, province):
    response = client.get(f"{API}/units")

    assert {u["name"] for u in response.json()} >= {"Phường Phú Hội", "Xã Phong Thu"}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        pytest.param("/contests/999999", 404, "not_found", id="unknown-id"),
        pytest.param("/contests/abc", 422, "invalid_params", id="not-a-number"),
        pytest.param("/contests/0", 422, "invalid_params", id="zero"),
        pytest.param("/contests/-1", 422, "invalid_params", id="negative"),
        pytest.param(
            "/contests/99999999999999999999999", 422, "invalid_params", id="huge"
        ),
        pytest.param("/contests/%C3%A9", 422, "invalid_params", id="unicode"),
        pytest.param("/contests/1e3", 422, "invalid_params", id="exponent"),
        pytest.param("/contests/%EF%BC%91", 422, "invalid_params", id="fullwidth-1"),
        pytest.param("/rounds/1/results?limit=0", 422, "invalid_params", id="limit-0"),
        pytest.param(
            "/rounds/1/results?offset=99999999999999999999",
            422,
            "invalid_params",
            id="huge-offset",
        ),
        pytest.param("/no/such/thing", 404, "not_found", id="unknown-path"),
        pytest.param("/", 404, "not_found", id="root"),
    ],
)
def test_bad_input_is_a_json_error_never_a_500(client, province, path, status, code):
    response = client.get(f"{API}{path}")

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_only_get_is_allowed(province):
    client = Client()  # Django's test client skips the CSRF check, as a server would

    response = client.post(f"{API}/contests", {})

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


def test_public_reads_are_limited_per_address(client, province, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": {"ip": (2, 60)}}

    statuses = [client.get(f"{API}/contests").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_vietnamese_is_sent_as_is(client, province):
    response = client.get(f"{API}/rounds/{province.open.pk}/results")

    assert "phê duyệt".encode() in response.content


def test_a_page_of_results_reads_a_fixed_number_of_queries(
    client, province, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/rounds/{province.closed.pk}/results")

    assert response.status_code == 200
