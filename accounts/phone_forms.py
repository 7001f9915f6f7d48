"""Forms of the one-time codes sent by SMS (accounts.phone_codes)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.normalize import normalize_phone
from accounts.profile_fields import PHONE_INVALID_MESSAGE


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=20,
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        digits = settings.SMS_CODE_DIGITS
        if not (code.isascii() and code.isdigit() and len(code) == digits):
            raise forms.ValidationError(
                _("Mã xác thực gồm %(n)d chữ số trong tin nhắn SMS.") % {"n": digits},
                code="code_format",
            )
        return code


class ResetRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại đã đăng ký"),
        max_length=40,
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(PHONE_INVALID_MESSAGE, code="invalid_phone")
        return phone


class ResetByCodeForm(PhoneCodeForm):
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không quá phổ biến."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, phone: str, **kwargs: Any) -> None:
        self.phone = phone
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error(
                "new_password2",
                forms.ValidationError(
                    _("Hai mật khẩu không khớp."), code="password_mismatch"
                ),
            )
        elif first:
            # The same checks whether the number has an account or not.
            try:
                password_validation.validate_password(first, User(phone=self.phone))
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
