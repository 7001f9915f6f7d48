"""Registration without JavaScript: a picture of digits instead of the proof of work."""

import io
import re

import pytest
from django.conf import settings as project_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from accounts.challenge import recent_registrations
from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
from accounts.models import User
from accounts.noscript_challenge import (
    ALPHABET,
    SESSION_KEY,
    normalize_answer,
    picture_answer,
    picture_digits,
    picture_issue,
    picture_render,
    picture_verify,
)
from tests.factories import ContestFactory, UnitFactory, UserFactory, solved_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "Thi-sinh-2024!"
PICTURE_ID = re.compile(r'name="picture_id" value="([^"]+)"')
NOSCRIPT = re.compile(r"<noscript>(.*?)</noscript>", re.S)
SCOPE = "register-picture"


@pytest.fixture
def unit():
    return UnitFactory()


@pytest.fixture(params=["accounts:register", "rounds:contest-register"])
def register_url(request):
    if request.param == "rounds:contest-register":
        return reverse(request.param, kwargs={"slug": ContestFactory().slug})
    return reverse(request.param)


def open_page(client, url: str | None = None) -> tuple[str, str]:
    """The page as a browser without JavaScript gets it, and its picture's id."""
    html = client.get(url or reverse("accounts:register")).content.decode()
    return html, PICTURE_ID.search(html).group(1)


def picture_url(picture_id: str) -> str:
    return reverse("accounts:registration-picture", args=[picture_id])


def read_picture(client, picture_id: str) -> str:
    """Fetch the picture as the browser does and read it as its person would."""
    response = client.get(picture_url(picture_id))
    assert response.status_code == 200
    return picture_answer(picture_id)


def form_data(unit, picture_id: str, answer: str, **overrides: str) -> dict[str, str]:
    # What the form posts with scripts off: the proof of work's nonce stays empty.
    data = {
        "full_name": "Đinh Văn Khánh",
        "date_of_birth": "12/12/1990",
        "gender": User.Gender.MALE,
        "phone": "0912345678",
        "occupation": User.Occupation.WORKER,
        "unit": str(unit.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
        "challenge_token": "",
        "challenge_nonce": "",
        "picture_id": picture_id,
        "picture_answer": answer,
    }
    data.update(overrides)
    return data


def a_wrong_answer(digits: str) -> str:
    return "".join("3" if digit != "3" else "4" for digit in digits)


def picture_codes(response) -> set[str]:
    errors = response.context["form"].errors.as_data().get("picture_answer", [])
    return {error.code for error in errors}


def limit_pictures(settings, count: int) -> None:
    settings.RATE_LIMITS = {
        **project_settings.RATE_LIMITS,
        SCOPE: {"ip": (count, 3600)},
    }


# --- the page ----------------------------------------------------------------------


def test_the_picture_is_offered_only_without_javascript_and_never_gives_the_answer(
    client,
):
    html, picture_id = open_page(client)
    digits = read_picture(client, picture_id)

    blocks = NOSCRIPT.findall(html)
    picture_block = next(block for block in blocks if "<img" in block)
    assert picture_url(picture_id) in picture_block
    assert 'name="picture_answer"' in picture_block
    assert html.count('name="picture_answer"') == 1  # nowhere outside <noscript>
    alt = re.search(r'alt="([^"]+)"', picture_block).group(1)
    assert "chữ số" in alt
    assert not re.search(r"\d", alt)
    assert digits not in html


def test_the_javascript_notice_comes_before_the_form(client):
    html, _picture_id = open_page(client)

    notice = next(b for b in NOSCRIPT.findall(html) if "challenge-noscript" in b)

    assert html.index(notice) < html.index("<form")
    assert "bật JavaScript" in notice
    assert "vẫn đăng ký được" in notice


def test_a_browser_with_javascript_never_makes_a_picture_be_drawn(client):
    _html, picture_id = open_page(client)

    assert picture_answer(picture_id) is None


# --- the picture -------------------------------------------------------------------


def test_the_picture_is_a_png_of_the_digits_served_to_its_session_only(client):
    _html, picture_id = open_page(client)
    stranger = type(client)()
    stranger.get(reverse("accounts:register"))

    refused = stranger.get(picture_url(picture_id))
    first = client.get(picture_url(picture_id))
    again = client.get(picture_url(picture_id))

    assert refused.status_code == 404
    assert first.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert "no-store" in first["Cache-Control"]
    assert Image.open(io.BytesIO(first.content)).size == (240, 90)
    # The same picture again: no second look at the digits under other noise.
    assert again.content == first.content
    digits = picture_answer(picture_id)
    assert len(digits) == project_settings.REGISTRATION_PICTURE_DIGITS
    assert set(digits) <= set(ALPHABET)


def test_an_unknown_picture_is_not_found(client):
    open_page(client)

    response = client.get(picture_url("x" * 22))

    assert response.status_code == 404


def test_the_same_seed_draws_the_same_picture_and_another_seed_another():
    same = picture_render("40538", seed="a")

    assert picture_render("40538", seed="a") == same
    assert picture_render("40538", seed="b") != same


@pytest.mark.parametrize(
    ("typed", "read"),
    [("40538", "40538"), (" 40 538 ", "40538"), ("４０５３８", "40538"), ("", "")],
    ids=["plain", "spaces", "full-width", "empty"],
)
def test_typed_answers_are_normalized(typed, read):
    assert normalize_answer(typed) == read


# --- registering -------------------------------------------------------------------


def test_the_right_answer_registers_and_logs_in(client, unit, register_url):
    _html, picture_id = open_page(client, register_url)
    digits = read_picture(client, picture_id)

    response = client.post(register_url, form_data(unit, picture_id, digits))

    assert response.status_code == 302
    user = User.objects.get()
    assert user.phone == "0912345678"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[CREDENTIAL_SESSION_KEY] == user_credential(user.password)
    assert recent_registrations("127.0.0.1") == 1  # the proof of work's ramp sees it


def test_a_wrong_answer_is_refused_with_a_fresh_picture_and_the_typed_fields(
    client, unit, register_url
):
    _html, picture_id = open_page(client, register_url)
    digits = read_picture(client, picture_id)

    response = client.post(
        register_url, form_data(unit, picture_id, a_wrong_answer(digits))
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert picture_codes(response) == {"picture_wrong"}
    assert "Các chữ số chưa đúng" in html
    fresh = PICTURE_ID.search(html).group(1)
    assert fresh != picture_id
    assert 'value="Đinh Văn Khánh"' in html
    assert PASSWORD not in html
    assert 'id="id_picture_answer" value=""' in html
    assert not User.objects.exists()


def test_a_wrong_answer_spends_the_picture(client, unit):
    _html, picture_id = open_page(client)
    digits = read_picture(client, picture_id)
    client.post(
        reverse("accounts:register"),
        form_data(unit, picture_id, a_wrong_answer(digits)),
    )

    retry = client.post(
        reverse("accounts:register"), form_data(unit, picture_id, digits)
    )

    assert picture_codes(retry) == {"picture_foreign"}
    assert client.get(picture_url(picture_id)).status_code == 404
    assert not User.objects.exists()


def test_a_wrong_answer_learns_nothing_about_registered_people(client, unit):
    UserFactory(phone="0912345678")
    _html, picture_id = open_page(client)
    digits = read_picture(client, picture_id)

    response = client.post(
        reverse("accounts:register"),
        form_data(unit, picture_id, a_wrong_answer(digits)),
    )

    assert "đã được đăng ký" not in response.content.decode()
    assert "phone" not in response.context["form"].errors


def test_an_empty_answer_asks_for_the_digits_with_a_new_picture(client, unit):
    _html, picture_id = open_page(client)
    read_picture(client, picture_id)

    response = client.post(
        reverse("accounts:register"), form_data(unit, picture_id, "")
    )

    assert picture_codes(response) == {"picture_missing"}
    assert "Vui lòng nhập các chữ số trong hình" in response.content.decode()
    assert PICTURE_ID.search(response.content.decode()).group(1) != picture_id
    assert not User.objects.exists()


def test_an_answer_to_a_picture_never_fetched_is_refused(client, unit):
    _html, picture_id = open_page(client)

    response = client.post(
        reverse("accounts:register"), form_data(unit, picture_id, "40538")
    )

    assert picture_codes(response) == {"picture_expired"}
    assert not User.objects.exists()


def test_an_answer_read_in_another_session_is_refused(client, unit):
    _html, picture_id = open_page(client)
    digits = read_picture(client, picture_id)
    other = type(client)()
    open_page(other)

    response = other.post(
        reverse("accounts:register"), form_data(unit, picture_id, digits)
    )

    assert picture_codes(response) == {"picture_foreign"}
    assert not User.objects.exists()
    # Still good for the browser it was drawn for.
    mine = client.post(
        reverse("accounts:register"), form_data(unit, picture_id, digits)
    )
    assert mine.status_code == 302


def test_neither_a_proof_of_work_nor_a_picture_is_refused(client, unit):
    _html, picture_id = open_page(client)
    data = form_data(unit, picture_id, "")
    del data["picture_id"], data["picture_answer"]

    response = client.post(reverse("accounts:register"), data)

    codes = {e.code for e in response.context["form"].non_field_errors().as_data()}
    assert codes == {"challenge_missing"}
    assert not User.objects.exists()


def test_a_solved_proof_of_work_wins_over_a_picture_field(client, unit):
    _html, picture_id = open_page(client)
    data = {**form_data(unit, picture_id, "wrong"), **solved_challenge(client)}

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 302
    assert User.objects.exists()


# --- single use, even in a race ----------------------------------------------------


def test_two_posts_racing_with_one_session_use_a_picture_once():
    session: dict = {}
    picture_id = picture_issue(session)
    digits = picture_digits(session, picture_id)
    # Both requests loaded the session before either saved it.
    racing = dict(session)

    picture_verify(session, picture_id=picture_id, answer=digits)
    with pytest.raises(ValidationError) as second:
        picture_verify(racing, picture_id=picture_id, answer=digits)

    assert second.value.code == "picture_reused"
    assert picture_id not in session[SESSION_KEY]


# --- the rate limit ----------------------------------------------------------------


def test_pictures_over_the_addresss_limit_are_refused(client, settings):
    limit_pictures(settings, 1)
    _html, picture_id = open_page(client)
    client.get(picture_url(picture_id))

    response = client.get(picture_url(picture_id))

    assert response.status_code == 429
    assert "Retry-After" in response


def test_answers_over_the_addresss_limit_get_429_in_vietnamese(
    client, unit, settings, register_url
):
    limit_pictures(settings, 1)
    _html, picture_id = open_page(client, register_url)
    digits = read_picture(client, picture_id)

    response = client.post(register_url, form_data(unit, picture_id, digits))

    assert response.status_code == 429
    assert "Bạn thao tác quá nhanh" in response.content.decode()
    assert not User.objects.exists()


def test_the_proof_of_work_is_not_counted_against_the_pictures(client, unit, settings):
    limit_pictures(settings, 1)
    _html, picture_id = open_page(client)
    read_picture(client, picture_id)
    data = form_data(unit, "", "")
    data.update(solved_challenge(client))

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 302


def test_the_picture_limit_is_far_tighter_than_the_proof_of_works():
    pictures = project_settings.RATE_LIMITS[SCOPE]
    proof_of_work = project_settings.RATE_LIMITS["register"]

    assert set(pictures) == {"ip"}
    assert pictures["ip"][0] * 5 <= proof_of_work["ip"][0]
    assert pictures["ip"][1] == proof_of_work["ip"][1]


def test_the_picture_takes_no_post(client):
    _html, picture_id = open_page(client)
    guarded = type(client)(enforce_csrf_checks=True)

    forged = guarded.post(picture_url(picture_id))
    posted = client.post(picture_url(picture_id))

    assert forged.status_code == 403
    assert posted.status_code == 405
