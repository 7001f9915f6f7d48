"""One-time codes by SMS (accounts.phone_codes), sent through the stand-in gateway
on loopback (tests/sms_gateway.py) by the real HTTP adapter."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import phone_codes
from accounts.models import PhoneCode, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFY = PhoneCode.Purpose.VERIFY
RESET = PhoneCode.Purpose.RESET
NEW_PASSWORD = "Mat-khau-moi-2026"


def send(user, *, now=None, purpose=VERIFY):
    return phone_codes.phone_code_send(phone=user.phone, purpose=purpose, now=now)


def test_a_code_reaches_the_phone_in_international_form(sms_gateway):
    user = UserFactory(phone="0912345678")

    send(user)

    [message] = sms_gateway.messages
    assert message["to"] == "+84912345678"
    assert message["sender"] == "CUOCTHI"
    code = sms_gateway.last_code("+84912345678")
    stored = PhoneCode.objects.get()
    assert code not in stored.digest  # only a keyed digest is kept
    assert stored.expires_at - stored.sent_at == timedelta(minutes=5)


def test_the_right_code_verifies_the_phone_once(sms_gateway):
    user = UserFactory(phone="0912345678")
    send(user)
    code = sms_gateway.last_code("+84912345678")

    phone_codes.user_verify_phone(user=user, code=code)

    user.refresh_from_db()
    assert user.phone_verified_at is not None
    with pytest.raises(ValidationError) as refused:
        phone_codes.user_verify_phone(user=user, code=code)
    assert refused.value.code == phone_codes.NO_CODE


def test_a_wrong_code_verifies_nothing_and_five_void_the_code(sms_gateway):
    user = UserFactory(phone="0912345678")
    send(user)
    code = sms_gateway.last_code("+84912345678")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    codes = []
    for _ in range(5):
        with pytest.raises(ValidationError) as refused:
            phone_codes.user_verify_phone(user=user, code=wrong)
        codes.append(refused.value.code)
    with pytest.raises(ValidationError) as after:
        phone_codes.user_verify_phone(user=user, code=code)

    assert codes == [phone_codes.WRONG] * 4 + [phone_codes.VOIDED]
    assert after.value.code == phone_codes.VOIDED
    user.refresh_from_db()
    assert user.phone_verified_at is None


def test_a_wrong_code_says_how_many_tries_are_left(sms_gateway):
    user = UserFactory(phone="0912345678")
    send(user)
    code = sms_gateway.last_code("+84912345678")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    with pytest.raises(ValidationError) as refused:
        phone_codes.user_verify_phone(user=user, code=wrong)

    assert refused.value.messages == ["Mã xác thực không đúng. Bạn còn 4 lần nhập."]


def test_an_expired_code_is_refused(sms_gateway):
    user = UserFactory()
    sent_at = timezone.now() - timedelta(minutes=6)
    send(user, now=sent_at)
    code = sms_gateway.last_code(sms_gateway.messages[-1]["to"])

    with pytest.raises(ValidationError) as refused:
        phone_codes.user_verify_phone(user=user, code=code)

    assert refused.value.code == phone_codes.EXPIRED


def test_asking_again_voids_the_earlier_code(sms_gateway):
    user = UserFactory(phone="0912345678")
    now = timezone.now()
    send(user, now=now - timedelta(minutes=2))
    first = sms_gateway.last_code("+84912345678")
    send(user, now=now)
    second = sms_gateway.last_code("+84912345678")
    if first == second:  # one chance in a million
        pytest.skip("the two random codes happened to be equal")

    with pytest.raises(ValidationError):
        phone_codes.user_verify_phone(user=user, code=first)
    phone_codes.user_verify_phone(user=user, code=second)

    user.refresh_from_db()
    assert user.phone_verified_at is not None


def test_a_second_code_within_a_minute_is_refused_and_not_sent(sms_gateway):
    user = UserFactory()
    now = timezone.now()
    send(user, now=now)

    with pytest.raises(ValidationError) as refused:
        send(user, now=now + timedelta(seconds=20))

    assert refused.value.code == "sms_wait"
    assert "40 giây" in refused.value.messages[0]
    assert len(sms_gateway.messages) == 1
    assert PhoneCode.objects.count() == 1


def test_five_codes_a_day_per_number(sms_gateway):
    user = UserFactory()
    start = timezone.now() - timedelta(hours=5)
    for hour in range(5):
        send(user, now=start + timedelta(hours=hour))

    with pytest.raises(ValidationError) as refused:
        send(user, now=start + timedelta(hours=5))

    assert refused.value.code == "sms_wait"
    assert "19 giờ" in refused.value.messages[0]
    assert len(sms_gateway.messages) == 5
    # Another purpose has its own count.
    send(user, now=start + timedelta(hours=5), purpose=RESET)
    assert len(sms_gateway.messages) == 6


def test_a_gateway_failure_is_said_and_neither_counts_nor_works(sms_gateway):
    user = UserFactory()
    sms_gateway.status = 503

    with pytest.raises(ValidationError) as refused:
        send(user)

    assert refused.value.code == "sms_failed"
    assert "chưa gửi được tin nhắn" in refused.value.messages[0]
    assert sms_gateway.refused == 1
    assert not PhoneCode.objects.exists()
    sms_gateway.status = 200
    send(user)  # at once: the failed one did not start the cool-down
    assert len(sms_gateway.messages) == 1


def test_a_gateway_that_refuses_the_token_is_a_failure(sms_gateway, settings):
    settings.SMS_HTTP_TOKEN = "wrong"

    with pytest.raises(ValidationError) as refused:
        send(UserFactory())

    assert refused.value.code == "sms_failed"
    assert sms_gateway.refused == 1


def test_an_unreachable_gateway_is_a_failure(sms_gateway, settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/nothing-listens-here"

    with pytest.raises(ValidationError) as refused:
        send(UserFactory())

    assert refused.value.code == "sms_failed"


def test_a_reset_code_sets_the_password_and_verifies_the_phone(sms_gateway):
    user = UserFactory(phone="0912345678")
    send(user, purpose=RESET)
    code = sms_gateway.last_code("+84912345678")

    phone_codes.user_reset_password_by_code(
        phone="0912 345 678", code=code, password=NEW_PASSWORD
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.phone_verified_at is not None


def test_a_verification_code_does_not_reset_a_password(sms_gateway):
    user = UserFactory(phone="0912345678")
    send(user, purpose=VERIFY)
    code = sms_gateway.last_code("+84912345678")

    with pytest.raises(ValidationError):
        phone_codes.user_reset_password_by_code(
            phone=user.phone, code=code, password=NEW_PASSWORD
        )

    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_a_reset_for_a_number_without_account_is_counted_but_never_sent(
    sms_gateway,
):
    now = timezone.now()

    sent = phone_codes.phone_code_send(
        phone="0987654321", purpose=RESET, deliver=False, now=now
    )

    assert not sent.delivered
    assert sms_gateway.messages == []
    assert PhoneCode.objects.filter(phone="0987654321").count() == 1
    with pytest.raises(ValidationError) as refused:
        phone_codes.phone_code_send(
            phone="0987654321", purpose=RESET, deliver=False, now=now
        )
    assert refused.value.code == "sms_wait"
    assert not User.objects.filter(phone="0987654321").exists()
