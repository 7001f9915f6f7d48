"""One-time codes by SMS: sending them, checking them, and what a right code does
(a verified phone, a new password). The only writer of PhoneCode and of
User.phone_verified_at.

A code is SMS_CODE_DIGITS random digits, stored as a keyed digest, good for
SMS_CODE_TTL_SECONDS and for one use; SMS_CODE_MAX_TRIES wrong entries void it. Only
the latest code of a number and purpose counts: asking again voids the one before.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.code_policy import send_wait
from accounts.models import PhoneCode, User
from accounts.normalize import normalize_phone
from accounts.services import user_change_password
from accounts.sms import SmsError, sms_send

# SMS text without diacritics: a Vietnamese brand-name SMS with them costs two to
# three times as much, and some older phones show them garbled.
MESSAGES = {
    PhoneCode.Purpose.VERIFY: (
        "Ma xac thuc so dien thoai Cuoc thi truc tuyen: {code}. "
        "Hieu luc {minutes} phut. Khong cung cap ma nay cho bat ky ai."
    ),
    PhoneCode.Purpose.RESET: (
        "Ma dat lai mat khau Cuoc thi truc tuyen: {code}. "
        "Hieu luc {minutes} phut. Khong cung cap ma nay cho bat ky ai."
    ),
}

NO_CODE = "code_missing"
EXPIRED = "code_expired"
WRONG = "code_wrong"
VOIDED = "code_voided"

CHECK_MESSAGES = {
    NO_CODE: gettext_lazy("Chưa có mã xác thực nào được gửi: vui lòng bấm “Gửi mã”."),
    EXPIRED: gettext_lazy("Mã xác thực đã hết hạn: vui lòng yêu cầu mã mới."),
    WRONG: gettext_lazy("Mã xác thực không đúng. Bạn còn %(left)d lần nhập."),
    VOIDED: gettext_lazy(
        "Mã này đã bị hủy vì nhập sai quá nhiều lần: vui lòng yêu cầu mã mới."
    ),
}


@dataclass(frozen=True, slots=True)
class SentCode:
    phone: str
    expires_at: datetime
    delivered: bool  # False for a reset asked for a number with no account


def _digest(*, phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "accounts.phone_codes", f"{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    digits = settings.SMS_CODE_DIGITS
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def phone_code_send(
    *, phone: str, purpose: str, deliver: bool = True, now: datetime | None = None
) -> SentCode:
    """Send a new code to the number, within its limits; ValidationError when refused.

    With deliver=False the code is recorded and counted but goes nowhere (a reset
    for a number without an account looks the same from outside)."""
    now = now or timezone.now()
    phone = normalize_phone(phone) or ""
    code = _new_code()
    with transaction.atomic():
        # Locks the number's earlier codes: two requests at once can't both pass
        # the cool-down (the very first code of a number has nothing to lock).
        earlier = list(
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, sent_at__gt=now - timedelta(days=1))
            .values_list("sent_at", flat=True)
        )
        wait = send_wait(
            sent=earlier,
            now=now,
            cooldown=timedelta(seconds=settings.SMS_CODE_RESEND_SECONDS),
            per_day=settings.SMS_CODE_MAX_PER_DAY,
        )
        if wait is not None:
            raise ValidationError(
                _("Vui lòng chờ %(time)s rồi yêu cầu mã mới.")
                % {"time": _wait_words(wait)},
                code="sms_wait",
            )
        row = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            digest=_digest(phone=phone, purpose=purpose, code=code),
            sent_at=now,
            expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
    if deliver:
        minutes = max(1, settings.SMS_CODE_TTL_SECONDS // 60)
        try:
            sms_send(
                phone=phone,
                text=MESSAGES[purpose].format(code=code, minutes=minutes),
            )
        except SmsError as error:
            # Not sent: it neither counts against the number's limits nor works.
            row.delete()
            raise ValidationError(
                _(
                    "Hệ thống chưa gửi được tin nhắn. Vui lòng thử lại sau ít phút "
                    "hoặc liên hệ Ban Tổ chức."
                ),
                code="sms_failed",
            ) from error
    return SentCode(phone=phone, expires_at=row.expires_at, delivered=deliver)


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return _("%(n)d giây") % {"n": seconds}
    if seconds < 2 * 3600:
        return _("%(n)d phút") % {"n": -(-seconds // 60)}
    return _("%(n)d giờ") % {"n": -(-seconds // 3600)}


def _code_check(*, phone: str, purpose: str, code: str, now: datetime) -> str | None:
    """Spend the number's latest code if `code` is it; else why not. Wrong tries
    are stored even though the caller then refuses."""
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if latest is None or latest.used_at is not None:
            return NO_CODE
        if latest.failed_tries >= settings.SMS_CODE_MAX_TRIES:
            return VOIDED
        if now >= latest.expires_at:
            return EXPIRED
        expected = _digest(phone=phone, purpose=purpose, code=code.strip())
        if not constant_time_compare(latest.digest, expected):
            latest.failed_tries += 1
            latest.save(update_fields=["failed_tries"])
            return (
                WRONG if latest.failed_tries < settings.SMS_CODE_MAX_TRIES else VOIDED
            )
        latest.used_at = now
        latest.save(update_fields=["used_at"])
    return None


def _refusal(*, problem: str, phone: str, purpose: str) -> ValidationError:
    left = 0
    if problem == WRONG:
        latest = (
            PhoneCode.objects.filter(phone=phone, purpose=purpose)
            .order_by("-sent_at", "-pk")
            .first()
        )
        left = settings.SMS_CODE_MAX_TRIES - (latest.failed_tries if latest else 0)
    return ValidationError(CHECK_MESSAGES[problem] % {"left": left}, code=problem)


def user_verify_phone(*, user: User, code: str, now: datetime | None = None) -> User:
    """Mark the user's phone as theirs when `code` is the latest one sent to it."""
    now = now or timezone.now()
    purpose = PhoneCode.Purpose.VERIFY
    problem = _code_check(phone=user.phone, purpose=purpose, code=code, now=now)
    if problem:
        raise _refusal(problem=problem, phone=user.phone, purpose=purpose)
    User.objects.filter(pk=user.pk).update(phone_verified_at=now)
    user.phone_verified_at = now
    return user


def user_reset_password_by_code(
    *, phone: str, code: str, password: str, now: datetime | None = None
) -> User:
    """Set a new password for the account of `phone` when `code` is the latest reset
    code sent to it; the phone counts as verified too."""
    now = now or timezone.now()
    phone = normalize_phone(phone) or ""
    purpose = PhoneCode.Purpose.RESET
    problem = _code_check(phone=phone, purpose=purpose, code=code, now=now)
    user = User.objects.filter(phone=phone, is_active=True).first()
    if problem or user is None:
        # No account: its codes were never sent, so no code can be right.
        raise _refusal(problem=problem or WRONG, phone=phone, purpose=purpose)
    with transaction.atomic():
        user_change_password(user=user, password=password)
        User.objects.filter(pk=user.pk).update(phone_verified_at=now)
    # The owner has proved the number is theirs: lift the login lockouts on it.
    axes_reset(username=user.phone)
    user.phone_verified_at = now
    return user


def phone_has_account(*, phone: str) -> bool:
    return User.objects.filter(
        phone=normalize_phone(phone) or "", is_active=True
    ).exists()
