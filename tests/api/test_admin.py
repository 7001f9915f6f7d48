"""Tokens in the admin: an organizer issues one and sees its secret once, only its
digest is kept, the form asks for units, revoking works and everything is audited."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from awards.models import AdminChange
from reports.api.tokens import secret_digest
from reports.models import ApiToken
from tests.api import API, bearer
from tests.websec import admin_form_data, staff_in

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"ctp_[A-Za-z0-9_-]{43}")


def logged_in(group: str) -> Client:
    client = Client()
    client.force_login(staff_in(group))
    return client


def add_form(client: Client, **changes) -> dict:
    data = admin_form_data(client.get(reverse("admin:reports_apitoken_add")))
    data.update({"name": "Ứng dụng Hue-S", "scopes": ["participation"], **changes})
    return data


def test_an_organizer_issues_a_token_and_sees_its_secret_once(province):
    organizer = logged_in("Ban Tổ chức")

    response = organizer.post(
        reverse("admin:reports_apitoken_add"),
        add_form(organizer, all_units="on"),
        follow=True,
    )
    page = response.content.decode()

    token = ApiToken.objects.get()
    secret = SECRET.search(page)[0]
    assert token.digest == secret_digest(secret)
    assert secret not in str(ApiToken.objects.values().get())
    assert token.created_by.groups.filter(name="Ban Tổ chức").exists()
    assert "Mã chỉ hiện một lần này" in page
    again = organizer.get(reverse("admin:reports_apitoken_change", args=[token.pk]))
    assert secret not in again.content.decode()
    api = Client().get(
        f"{API}/contests/{province.contest.pk}/participation", **bearer(secret)
    )
    assert api.status_code == 200


def test_the_issue_is_audited(province):
    organizer = logged_in("Ban Tổ chức")

    organizer.post(
        reverse("admin:reports_apitoken_add"), add_form(organizer, all_units="on")
    )

    token = ApiToken.objects.get()
    entry = AdminChange.objects.get(
        content_type=ContentType.objects.get_for_model(ApiToken),
        object_id=str(token.pk),
    )
    assert entry.action == AdminChange.Action.ADD


def test_a_token_needs_units_or_every_unit(province):
    organizer = logged_in("Ban Tổ chức")

    response = organizer.post(
        reverse("admin:reports_apitoken_add"), add_form(organizer)
    )

    assert response.status_code == 200
    assert "Chọn ít nhất một đơn vị" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_cannot_be_issued_already_expired(province):
    organizer = logged_in("Ban Tổ chức")
    data = add_form(organizer, all_units="on")
    data["expires_at_0"] = "01/01/2020"

    response = organizer.post(reverse("admin:reports_apitoken_add"), data)

    assert response.status_code == 200
    assert "phải sau thời điểm hiện tại" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_for_one_unit(province):
    organizer = logged_in("Ban Tổ chức")

    organizer.post(
        reverse("admin:reports_apitoken_add"),
        add_form(organizer, units=[province.hue.pk]),
    )

    token = ApiToken.objects.get()
    assert list(token.units.all()) == [province.hue]
    assert not token.all_units


def test_revoking_refuses_the_token_and_is_audited(province, issue):
    token, secret = issue()
    organizer = logged_in("Ban Tổ chức")

    response = organizer.post(
        reverse("admin:reports_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    api = Client().get(
        f"{API}/contests/{province.contest.pk}/participation", **bearer(secret)
    )

    token.refresh_from_db()
    assert response.status_code == 200
    assert token.revoked_at is not None
    assert token.revoked_by is not None
    assert api.status_code == 401
    assert AdminChange.objects.filter(
        object_id=str(token.pk), action=AdminChange.Action.ACTION
    ).exists()


def test_no_one_deletes_a_token(province, issue):
    token, _secret = issue()
    organizer = logged_in("Ban Tổ chức")

    response = organizer.get(reverse("admin:reports_apitoken_delete", args=[token.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param("Ban Tổ chức", 200, id="organizer-issues"),
        pytest.param("Ban Giám khảo", 403, id="judge-only-views"),
        pytest.param("Tổ soạn thảo câu hỏi", 403, id="author-nothing"),
    ],
)
def test_who_may_issue_tokens(province, group, status):
    response = logged_in(group).get(reverse("admin:reports_apitoken_add"))

    assert response.status_code == status


def test_the_list_shows_uses_and_state(province, issue):
    _token, secret = issue()
    Client().get(
        f"{API}/contests/{province.contest.pk}/participation", **bearer(secret)
    )

    page = logged_in("Ban Tổ chức").get(reverse("admin:reports_apitoken_changelist"))

    assert page.status_code == 200
    assert "Đang dùng được" in page.content.decode()
