"""Running inside another app: framing refused everywhere by default; with
DJANGO_FRAME_ANCESTORS, the contestant's pages may be framed by those origins only,
their cookies travel in the frame, and nothing else loosens."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from contest_portal.security import (
    CONTENT_SECURITY_POLICY,
    frame_ancestors_from_env,
    policy_for,
)
from tests.test_security_headers import directives, production

pytestmark = pytest.mark.django_db

APP = "https://app.hue.gov.vn"


def test_by_default_no_page_may_be_framed(client):
    response = client.get(reverse("accounts:login"))

    assert response["X-Frame-Options"] == "DENY"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == [
        "'none'"
    ]


def test_an_allowed_origin_may_frame_the_contestants_pages(client, settings):
    settings.FRAME_ANCESTORS = (APP,)

    response = client.get(reverse("accounts:login"))

    assert "X-Frame-Options" not in response
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'", APP]
    # Every other directive is today's.
    default = directives(CONTENT_SECURITY_POLICY)
    del policy["frame-ancestors"], default["frame-ancestors"]
    assert policy == default


def test_the_admin_is_never_framed(client, settings):
    settings.FRAME_ANCESTORS = (APP,)

    response = client.get(reverse("admin:login"))

    assert response["X-Frame-Options"] == "DENY"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == [
        "'none'"
    ]


def test_the_policy_without_framing_or_providers_is_todays():
    assert policy_for((), ()) == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        ([], ()),
        (["https://app.hue.gov.vn/"], ("https://app.hue.gov.vn",)),
        (
            ["https://*.hue.gov.vn", "https://a.vn:8443"],
            ("https://*.hue.gov.vn", "https://a.vn:8443"),
        ),
        (["http://localhost:8001"], ("http://localhost:8001",)),
    ],
    ids=["empty", "trailing-slash", "wildcard-and-port", "loopback-http"],
)
def test_allowed_origins_are_read_from_the_environment(raw, origins):
    assert frame_ancestors_from_env(raw) == origins


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https:",
        "http://app.hue.gov.vn",
        "https://app.hue.gov.vn/path",
        "https://app.hue.gov.vn; script-src *",
        "'unsafe-inline'",
        "app.hue.gov.vn",
    ],
)
def test_anything_but_an_origin_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured):
        frame_ancestors_from_env([value])


@pytest.fixture(scope="module")
def framed_production() -> dict:
    return production(DJANGO_FRAME_ANCESTORS=f"{APP},https://*.hue.gov.vn")


def test_with_an_allow_list_the_cookies_travel_in_a_frame(framed_production):
    assert framed_production["cookie"] == {
        "secure": True,
        "httponly": True,
        "samesite": "None",
    }
    assert framed_production["csrf_cookie_secure"] is True


def test_with_an_allow_list_production_names_the_origins(framed_production):
    headers = framed_production["headers"]

    assert "X-Frame-Options" not in headers
    assert directives(headers["Content-Security-Policy"])["frame-ancestors"] == [
        "'self'",
        APP,
        "https://*.hue.gov.vn",
    ]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_with_an_allow_list_the_frames_cookies_are_partitioned(client, settings):
    settings.FRAME_ANCESTORS = (APP,)
    settings.CSRF_COOKIE_SAMESITE = settings.SESSION_COOKIE_SAMESITE = "None"
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True

    response = client.get(reverse("accounts:login"))

    cookie = response.cookies[settings.CSRF_COOKIE_NAME].output()
    assert "SameSite=None; Partitioned" in cookie
    assert "Secure" in cookie


def test_without_an_allow_list_cookies_stay_lax(client):
    response = client.get(reverse("accounts:login"))

    cookie = response.cookies["csrftoken"].output()
    assert "SameSite=Lax" in cookie
    assert "Partitioned" not in cookie
