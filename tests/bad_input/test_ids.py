"""Every id a request carries goes through one guarded parser: no value is a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from contest_portal.converters import row_id
from tests.factories import RoundFactory
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "١٢", "1e5", "abc", "-1", " 1", "1 ", "", "9" * 19, "0x10"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_value_that_is_no_id_is_none(value):
    assert row_id(value) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0), ("42", 42), ("9" * 18, 10**18 - 1)]
)
def test_an_id_is_its_number(value, expected):
    assert row_id(value) == expected


@pytest.fixture
def judge() -> Client:
    RoundFactory()
    client = Client()
    client.force_login(staff_in("Ban Giám khảo"))
    return client


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_dashboard_ignores_a_week_that_is_no_id(judge, value):
    response = judge.get(reverse("reports:dashboard"), {"tuan": value})

    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["winners", "ranking", "questions"])
@pytest.mark.parametrize("value", ["abc", "²", "1e5", "99999999999999999999"])
def test_a_background_export_of_no_id_is_not_found(judge, kind, value):
    response = judge.post(
        reverse("reports:export-job-start"), {"kind": kind, "key": value}
    )

    assert response.status_code == 404
