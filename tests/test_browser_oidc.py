"""Sign-in with an identity provider in a real Chromium, against a real OpenID
Connect provider (django-oauth-toolkit, tests/oidc_provider) started on loopback:
the first-time questions, a second sign-in without them, an existing account
linked, and a sign-in whose parameters were tampered with on the way refused."""

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from tests.browser import BROWSER_TEST, PHONE
from tests.factories import UnitFactory
from tests.oidc_provider.portal import PROVIDER_ID, provider_settings
from tests.oidc_provider.server import run_provider
from tests.test_browser import wait_url
from tests.test_browser_axe import phone_context, problems

pytestmark = BROWSER_TEST

PASSWORD = "provider-password-1"
HOA = {
    "name": "Nguyễn Thị Hoa",
    "phone_number": "+84912345678",
    "phone_number_verified": True,
    "birthdate": "1990-09-05",
    "citizen_id": "046190000123",
}
LAN = {
    "name": "Trần Thị Lan",
    "phone_number": "+84987654321",
    "phone_number_verified": True,
    "birthdate": "1985-03-02",
}


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    callback = f"{live_server.url}/tai-khoan/oidc/{PROVIDER_ID}/login/callback/"
    with run_provider(
        tmp_path_factory.mktemp("oidc-provider"),
        users={"hoa": PASSWORD, "lan": PASSWORD},
        redirect_uris=[callback],
    ) as running:
        running.set_claims({"hoa": HOA, "lan": LAN})
        yield running


@pytest.fixture
def portal(settings, provider, live_server):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
    )
    return live_server.url


def press_provider_button(page, portal) -> None:
    page.goto(f"{portal}/tai-khoan/dang-nhap/")
    page.click("button:has-text('Đăng nhập bằng Hue-S')")


def sign_in_at_provider(page, username: str) -> None:
    page.wait_for_selector("button:has-text('Sign in at the provider')")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in at the provider')")


def test_first_sign_in_asks_the_questions_then_the_second_asks_nothing(
    browser, portal, live_server
):
    district = UnitFactory(name="UBND huyện Phú Vang", level="district")
    UnitFactory(name="UBND xã Phú Thuận", parent=district)
    page = phone_context(browser, live_server).new_page()

    page.goto(f"{portal}/tai-khoan/dang-nhap/")
    assert problems(page, "login with a provider", live_server) == []
    press_provider_button(page, portal)
    sign_in_at_provider(page, "hoa")
    wait_url(page, f"{portal}/tai-khoan/oidc/lan-dau/")
    assert page.locator("#id_full_name").count() == 0  # given by the provider
    assert page.locator("#id_date_of_birth").count() == 0
    assert problems(page, "first-time questions", live_server) == []
    page.click("button:has-text('Hoàn tất')")  # nothing answered yet
    assert page.locator(".errorlist").count() >= 3
    assert problems(page, "first-time questions, errors", live_server) == []
    page.check("#id_gender_1")
    page.select_option("#id_occupation", "civil_servant")
    page.fill("#id_unit_search", "phu thuan")
    page.click(".unit-results button:has-text('Phú Thuận')")
    page.check("#id_privacy_consent")
    page.click("button:has-text('Hoàn tất')")
    wait_url(page, f"{portal}/")
    assert "Chào Nguyễn Thị Hoa" in page.locator(".messages").inner_text()
    user = User.objects.get()
    assert (user.phone, user.unit.name) == ("0912345678", "UBND xã Phú Thuận")

    page.click("button:has-text('Đăng xuất')")
    wait_url(page, f"{portal}/")
    assert page.locator("nav >> text=Đăng nhập").count() == 1
    # Still signed in at the provider: straight back, no question, no password.
    press_provider_button(page, portal)
    wait_url(page, f"{portal}/")

    assert page.locator(".topbar").get_by_text("Hoa").count() == 1
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1


def test_an_account_with_the_same_verified_phone_is_linked_not_duplicated(
    browser, portal
):
    existing = User.objects.create_user(
        "0987654321",
        "Mat-khau-2024!",
        full_name="Trần Thị Lan",
        unit=UnitFactory(),
        date_of_birth="1985-03-02",
    )
    page = browser.new_page(viewport=PHONE)

    press_provider_button(page, portal)
    sign_in_at_provider(page, "lan")
    wait_url(page, f"{portal}/")

    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == existing
    assert page.locator(".topbar").get_by_text("Lan").count() == 1


AUTHORIZE = "/o/authorize/"
CALLBACK = "/login/callback/"
PROVIDER_LOGIN = "/login/?next="


def rewrite_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.parametrize(
    ("leg", "changes"),
    [
        (AUTHORIZE, {"nonce": "a-nonce-the-portal-never-issued"}),
        (AUTHORIZE, {"code_challenge": "A" * 43}),
        (CALLBACK, {"state": "a-state-the-portal-never-issued"}),
        (CALLBACK, {"code": "a-code-the-provider-never-issued"}),
    ],
    ids=["nonce", "pkce-challenge", "state", "code"],
)
def test_a_sign_in_tampered_with_on_the_way_signs_nobody_in(
    browser, portal, leg, changes
):
    page = browser.new_page(viewport=PHONE)

    def tamper(route):
        # Where the portal or the provider redirects the browser along the leg,
        # the address is rewritten on the way, as a hostile network or extension
        # could.
        request = route.request
        if request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        at_provider_login = request.method == "POST" and PROVIDER_LOGIN in request.url
        if leg == CALLBACK and at_provider_login and AUTHORIZE in location:
            # After its login form the provider redirects to its authorize step,
            # which redirects to the portal: Playwright routes no request the
            # browser makes by following a redirect, so that one is made here.
            response = page.context.request.get(
                urljoin(request.url, location), max_redirects=0
            )
            location = response.headers.get("location", "")
        if leg in location:
            headers = {"location": rewrite_query(location, **changes)}
            route.fulfill(status=302, headers=headers)
        else:
            route.fulfill(response=response)

    page.route(re.compile(".*"), tamper)
    press_provider_button(page, portal)
    sign_in_at_provider(page, "hoa")
    wait_url(page, re.compile(r".*/tai-khoan/dang-nhap/$"))

    assert "Không đăng nhập được bằng Hue-S" in page.locator(".messages").inner_text()
    assert page.locator("nav >> text=Đăng nhập").count() == 1
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
