"""Registration says what personal data is collected, why, for how long and whom to
ask; it needs the person's consent, and records when it was given."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.noscript_challenge import picture_answer
from accounts.services import user_register
from tests.accounts.test_registration import registration_data
from tests.factories import ContestFactory, RoundFactory, UnitFactory

pytestmark = pytest.mark.django_db

PICTURE_ID = re.compile(r'name="picture_id" value="([^"]+)"')
CHECKBOX = re.compile(r'<input type="checkbox" name="privacy_consent"[^>]*>')


@pytest.fixture
def unit():
    return UnitFactory()


def consent_errors(response) -> set[str]:
    errors = response.context["form"].errors.as_data().get("privacy_consent", [])
    return {error.code for error in errors}


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(lambda: reverse("accounts:register"), id="plain"),
        pytest.param(
            lambda: reverse(
                "rounds:contest-register", kwargs={"slug": RoundFactory().contest.slug}
            ),
            id="contest",
        ),
    ],
)
def test_the_form_states_what_is_collected_and_why_with_an_unticked_box(
    client, url, settings
):
    settings.PERSONAL_DATA_RETENTION_DAYS = 400

    html = client.get(url()).content.decode()

    notice = re.search(
        r'<section class="msg" id="privacy-notice".*?</section>', html, re.S
    )
    assert notice
    text = notice.group(0)
    for collected in ("họ và tên", "ngày sinh", "số điện thoại", "số CCCD", "đơn vị"):
        assert collected in text
    for purpose in ("xác định đúng người dự thi", "một tài khoản", "trao giải"):
        assert purpose in text
    assert "thống kê" in text
    assert "400 ngày" in text
    assert "liên hệ Ban Tổ chức" in text
    box = CHECKBOX.search(html).group(0)
    assert "checked" not in box
    assert 'aria-describedby="privacy-notice"' in box
    assert 'href="#privacy-notice"' in html


def test_the_citizen_id_says_what_it_is_for(client):
    html = client.get(reverse("accounts:register")).content.decode()

    assert "Chỉ dùng để xác định đúng người dự thi" in html


def test_registration_records_when_consent_was_given(client, unit):
    before = datetime.now(tz=UTC)

    client.post(reverse("accounts:register"), registration_data(client, unit))

    user = User.objects.get()
    assert user.privacy_consent_at is not None
    assert user.privacy_consent_at >= before
    assert user.privacy_consent_at == user.date_joined


def test_registration_without_consent_is_refused_and_creates_nothing(client, unit):
    data = registration_data(client, unit)
    del data["privacy_consent"]

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 200
    assert consent_errors(response) == {"required"}
    assert "Bạn cần đồng ý với việc thu thập" in response.content.decode()
    assert not User.objects.exists()


def test_contest_registration_without_consent_is_refused(client, unit):
    contest = ContestFactory()
    url = reverse("rounds:contest-register", kwargs={"slug": contest.slug})
    from tests.factories import solved_challenge

    data = {**registration_data(client, unit), **solved_challenge(client, url)}
    data.pop("privacy_consent")

    response = client.post(url, data)

    assert consent_errors(response) == {"required"}
    assert not User.objects.exists()


def test_registration_without_javascript_needs_consent_too(client, unit):
    html = client.get(reverse("accounts:register")).content.decode()
    picture_id = PICTURE_ID.search(html).group(1)
    client.get(reverse("accounts:registration-picture", args=[picture_id]))
    data = {
        **registration_data(client, unit),
        "challenge_token": "",
        "challenge_nonce": "",
        "picture_id": picture_id,
        "picture_answer": picture_answer(picture_id),
    }
    data.pop("privacy_consent")

    response = client.post(reverse("accounts:register"), data)

    assert consent_errors(response) == {"required"}
    assert not User.objects.exists()


def test_a_refused_form_keeps_the_box_as_the_person_left_it(client, unit):
    data = registration_data(client, unit, password2="Khac-mat-khau-1")

    html = client.post(reverse("accounts:register"), data).content.decode()

    assert "checked" in CHECKBOX.search(html).group(0)


def test_the_service_refuses_an_account_without_consent(unit):
    with pytest.raises(ValidationError) as refused:
        user_register(
            phone="0912345678",
            password="Thi-sinh-2024!",
            full_name="Trần Thị Ngọc Ánh",
            date_of_birth=date(2000, 11, 3),
            gender=User.Gender.FEMALE,
            occupation=User.Occupation.CIVIL_SERVANT,
            unit=unit,
            privacy_consent=False,
        )

    assert refused.value.code == "privacy_consent_missing"
    assert not User.objects.exists()
