"""The endpoints that need a token: per scope, per unit subtree, refused when
revoked or expired, limited per token, and every use logged like a download."""

from datetime import timedelta

import pytest
from django.test import Client

from reports.api.tokens import api_token_revoke
from reports.models import ExportLog
from tests.api import API, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def participation(province) -> str:
    return f"{API}/contests/{province.contest.pk}/participation"


def personal(province) -> str:
    return f"{API}/rounds/{province.closed.pk}/results/personal"


@pytest.mark.parametrize(
    "url", [participation, personal], ids=["participation", "personal"]
)
@pytest.mark.parametrize(
    "header",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer "}, id="empty"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer ctp_wrong"}, id="unknown"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic YTpi"}, id="basic"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000}, id="huge"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer ctp_Nguyễn"}, id="unicode"),
    ],
)
def test_a_token_endpoint_without_a_valid_token_is_401(client, province, url, header):
    response = client.get(url(province), **header)

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ExportLog.objects.exists()


def test_public_endpoints_need_no_token(client, province):
    response = client.get(f"{API}/rounds/{province.closed.pk}/results")

    assert response.status_code == 200


def test_a_participation_token_sees_only_its_subtree(client, province, issue):
    _token, secret = issue(scopes=("participation",), units=(province.hue,))

    response = client.get(participation(province), **bearer(secret))

    body = response.json()
    assert response.status_code == 200
    assert {u["name"] for u in body["units"]} == {"Thành phố Huế", "Phường Phú Hội"}
    # The winner in Phú Hội (closed round) and one person in the open round.
    assert (body["participants"], body["attempts"]) == (2, 2)


def test_participation_of_one_round(client, province, issue):
    _token, secret = issue(scopes=("participation",), units=(province.hue,))

    response = client.get(
        participation(province), {"round_id": province.closed.pk}, **bearer(secret)
    )

    assert response.json()["round_id"] == province.closed.pk
    assert response.json()["participants"] == 1


def test_a_round_of_another_contest_is_a_404(client, province, issue):
    from tests.factories import RoundFactory

    _token, secret = issue(scopes=("participation",))
    other = RoundFactory()

    response = client.get(
        participation(province), {"round_id": other.pk}, **bearer(secret)
    )

    assert response.status_code == 404


def test_a_unit_outside_the_tokens_subtree_is_403(client, province, issue):
    _token, secret = issue(scopes=("participation",), units=(province.hue,))

    response = client.get(
        participation(province),
        {"unit_id": province.phong_thu.pk},
        **bearer(secret),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "unit_out_of_scope"


def test_a_unit_inside_the_subtree_narrows_the_answer(client, province, issue):
    _token, secret = issue(scopes=("participation",), units=(province.hue,))

    response = client.get(
        participation(province), {"unit_id": province.phu_hoi.pk}, **bearer(secret)
    )

    assert [u["name"] for u in response.json()["units"]] == ["Phường Phú Hội"]


def test_an_every_unit_token_sees_the_whole_tree(client, province, issue):
    _token, secret = issue(scopes=("participation",), all_units=True)

    response = client.get(participation(province), **bearer(secret))

    assert {u["name"] for u in response.json()["units"]} >= {
        "Tỉnh Thừa Thiên Huế",
        "Thành phố Huế",
        "Phường Phú Hội",
        "Huyện Phong Điền",
        "Xã Phong Thu",
    }
    assert response.json()["participants"] == 4


def test_personal_columns_need_the_personal_scope(client, province, issue):
    _token, secret = issue(scopes=("participation",))

    response = client.get(personal(province), **bearer(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert "0912345678" not in response.content.decode()


def test_participation_needs_the_participation_scope(client, province, issue):
    _token, secret = issue(scopes=("personal",))

    response = client.get(participation(province), **bearer(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


def test_a_personal_token_reads_personal_columns_of_its_units_only(
    client, province, issue
):
    _token, secret = issue(scopes=("personal",), units=(province.hue,))

    response = client.get(personal(province), **bearer(secret))

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1
    (row,) = body["items"]
    assert (row["full_name"], row["phone"], row["citizen_id"]) == (
        "Nguyễn Thị Ánh",
        "0912345678",
        "046190012345",
    )
    assert row["date_of_birth"] == "1990-01-15"


def test_a_personal_every_unit_token_reads_the_full_list(client, province, issue):
    _token, secret = issue(scopes=("personal",), all_units=True)

    response = client.get(personal(province), **bearer(secret))

    assert [row["rank"] for row in response.json()["items"]] == [1, 2, 3]


def test_a_token_with_no_unit_sees_no_one(client, province, issue):
    _token, secret = issue(scopes=("personal",), all_units=False)

    response = client.get(personal(province), **bearer(secret))

    assert response.json()["items"] == []


def test_a_revoked_token_is_refused(client, province, issue):
    token, secret = issue()
    api_token_revoke(token=token, by=province.judge)

    response = client.get(participation(province), **bearer(secret))

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_an_expired_token_is_refused(client, province, issue):
    _token, secret = issue(expires_in=-timedelta(hours=1))

    response = client.get(participation(province), **bearer(secret))

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_over_the_token_limit_is_429_with_retry_after(
    client, province, issue, settings
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "api": {"ip": (1000, 60), "token": (2, 60)},
    }
    _token, secret = issue()
    _other, other_secret = issue()

    statuses = [
        client.get(participation(province), **bearer(secret)).status_code
        for _ in range(3)
    ]
    refused = client.get(participation(province), **bearer(secret))
    other = client.get(participation(province), **bearer(other_secret))

    assert statuses == [200, 200, 429]
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert other.status_code == 200  # each token has its own budget


def test_every_use_is_logged_like_a_download(client, province, issue):
    token, secret = issue(units=(province.hue,))

    client.get(participation(province), **bearer(secret))
    client.get(personal(province), **bearer(secret))

    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.api_token_id, log.user_id) for log in logs] == [
        (token.pk, None),
        (token.pk, None),
    ]
    assert [log.kind for log in logs] == ["api-participation", "api-personal-results"]
    assert [log.includes_personal_data for log in logs] == [False, True]
    assert logs[1].rows == 1
    assert "Tuần thứ nhất" in logs[1].description


def test_a_refused_call_is_not_logged(client, province, issue):
    _token, secret = issue(scopes=("participation",))

    client.get(personal(province), **bearer(secret))

    assert not ExportLog.objects.exists()


def test_only_the_digest_of_the_secret_is_stored(province, issue):
    token, secret = issue()

    assert secret.startswith("ctp_")
    assert secret not in str(token.__dict__)
    assert len(token.digest) == 64


def test_a_token_reads_an_unpublished_contest_the_public_cannot(
    client, province, issue
):
    province.contest.is_published = False
    province.contest.save()
    _token, secret = issue(scopes=("participation",))

    public = client.get(f"{API}/contests/{province.contest.pk}")
    with_token = client.get(participation(province), **bearer(secret))

    assert public.status_code == 404
    assert with_token.status_code == 200
