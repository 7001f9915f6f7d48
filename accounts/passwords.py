"""Django's password validators with Vietnamese messages (Django's `vi` catalogue
has none for them), plus common Vietnamese passwords Django's English list misses."""

import re

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Checked lower-cased with up to four trailing digits removed: "MatKhau123" and
# "anhyeuem2024" are caught.
VIETNAMESE_COMMON = frozenset(
    {
        "matkhau",
        "matkhaumoi",
        "matkhaucuatoi",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "yeuanh",
        "iloveyou",
        "vietnam",
        "hanoi",
        "saigon",
        "abcdef",
        "qwerty",
        "password",
    }
)
_TRAILING_DIGITS = re.compile(r"\d{0,4}$")


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu này quá ngắn: cần ít nhất %d ký tự.") % self.min_length

    def get_help_text(self) -> str:
        return _("Mật khẩu cần ít nhất %(n)d ký tự.") % {"n": self.min_length}


class UserAttributeSimilarityValidator(
    django_validation.UserAttributeSimilarityValidator
):
    def get_error_message(self) -> str:
        return _("Mật khẩu quá giống %(verbose_name)s của bạn.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được giống thông tin cá nhân của bạn.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def validate(self, password: str, user: object = None) -> None:
        super().validate(password, user)
        if _TRAILING_DIGITS.sub("", password.lower()) in VIETNAMESE_COMMON:
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self) -> str:
        return _("Mật khẩu này quá phổ biến, dễ bị đoán ra.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được là mật khẩu phổ biến.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")
