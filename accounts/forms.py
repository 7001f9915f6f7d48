"""The account forms: registration, the profile page, login."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.challenge import Challenge, Session, challenge_issue, challenge_verify
from accounts.countries import NATIONALITY_CHOICES, VIETNAM
from accounts.models import User
from accounts.normalize import normalize_phone
from accounts.noscript_challenge import picture_issue, picture_verify
from accounts.profile_fields import (
    LOGIN_MAX_LENGTH,
    PHONE_INVALID_MESSAGE,
    ProfileFields,
    translate_null_character_error,
)

# Re-exported: code written before the shared fields moved imports them here.
from accounts.profile_fields import MAX_NAME_LENGTH as MAX_NAME_LENGTH
from accounts.profile_fields import NAME_MESSAGES as NAME_MESSAGES
from accounts.services import PRIVACY_CONSENT_MISSING


class RegistrationForm(ProfileFields):
    nationality = forms.ChoiceField(
        label=_("Quốc tịch"),
        choices=NATIONALITY_CHOICES,
        initial=VIETNAM,
        # A form posted without the field (an old page, a script) means Vietnam,
        # as the pre-selected option does.
        required=False,
        error_messages={
            "invalid_choice": _("Vui lòng chọn quốc tịch trong danh sách.")
        },
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=40,
        help_text=_(
            "Dùng để đăng nhập. Số nước ngoài ghi kèm mã quốc gia (+...), ví dụ "
            "+1 202 555 0123."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không quá phổ biến."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Unticked by default; the template draws it after the personal data notice
    # (templates/accounts/_privacy_notice.html) that its label points to.
    privacy_consent = forms.BooleanField(
        label=_(
            "Tôi đã đọc thông báo về dữ liệu cá nhân ở trên và đồng ý để Ban Tổ "
            "chức thu thập, sử dụng dữ liệu của tôi cho các mục đích đã nêu."
        ),
        required=True,
        error_messages={"required": PRIVACY_CONSENT_MISSING},
    )
    # Read only from a browser without JavaScript: the template draws it inside
    # <noscript>, beside its picture, never with the other fields.
    picture_answer = forms.CharField(
        label=_("Nhập các chữ số trong hình"), required=False, strip=False
    )

    field_order = [
        "full_name",
        "date_of_birth",
        "gender",
        "nationality",
        "phone",
        "email",
        "citizen_id",
        "occupation",
        "unit",
        "password1",
        "password2",
        "privacy_consent",
    ]

    def __init__(
        self,
        *args: Any,
        session: Session | None = None,
        client: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # True with the unit picker's search box and without it (a plain list, when
        # JavaScript is off); the search box says itself that typing finds a unit.
        self.fields["unit"].help_text = _(
            "Chọn xã, phường hoặc cơ quan của bạn (xếp theo quận, huyện)."
        )
        # The challenge belongs to the browser's session (a form built without one,
        # to check a field, gets a throwaway session and can never be accepted).
        self.session: Session = {} if session is None else session
        self.client = client
        self.challenge: Challenge | None = None
        self.picture_id = ""
        # Seconds the address must wait before answering another picture; set by
        # the view, which answers 429 instead of the page.
        self.picture_wait: int | None = None

    @property
    def picture_digit_count(self) -> int:
        return settings.REGISTRATION_PICTURE_DIGITS

    @property
    def answers_picture(self) -> bool:
        """Posted by a browser without JavaScript: a picture, no proof of work."""
        return bool(self.data.get("picture_id")) and not self.data.get(
            "challenge_nonce"
        )

    def issue_challenge(self) -> Challenge:
        """A fresh challenge for the page: a re-shown form needs a new solution.

        Also a picture for a browser without JavaScript, drawn only if fetched."""
        self.challenge = challenge_issue(self.session, client=self.client)
        self.picture_id = picture_issue(self.session)
        return self.challenge

    def clean_nationality(self) -> str:
        return self.cleaned_data["nationality"] or VIETNAM

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(PHONE_INVALID_MESSAGE, code="invalid_phone")
        return phone

    def verify_challenge(self) -> None:
        """A solved proof of work, or else a right answer to the picture."""
        if self.picture_wait is not None:
            raise forms.ValidationError(
                _("Bạn thao tác quá nhanh. Vui lòng thử lại sau."),
                code="picture_rate_limited",
            )
        if self.answers_picture:
            try:
                picture_verify(
                    self.session,
                    picture_id=self.data.get("picture_id", ""),
                    answer=self.data.get("picture_answer", ""),
                    client=self.client,
                )
            except forms.ValidationError as error:
                # A field error: the picture and its box are where it shows.
                raise forms.ValidationError({"picture_answer": error}) from error
            return
        challenge_verify(
            self.session,
            token=self.data.get("challenge_token", ""),
            nonce=self.data.get("challenge_nonce", ""),
            client=self.client,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            self.verify_challenge()
        except forms.ValidationError as error:
            # Whether a phone, email or CCCD is registered is told only to a
            # solved challenge.
            self.add_error(None, error)
        else:
            self.add_conflict_errors()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error(
                "password2",
                forms.ValidationError(
                    _("Hai mật khẩu không khớp."), code="password_mismatch"
                ),
            )
        elif first:
            probe = User(
                phone=cleaned.get("phone") or "",
                full_name=cleaned.get("full_name") or "",
                email=cleaned.get("email") or None,
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(ProfileFields):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.exclude_user_pk = user.pk
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_conflict_errors()
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Số điện thoại hoặc số CCCD"),
        max_length=LOGIN_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("Số điện thoại/CCCD hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_null_character_error(self)
        # Django caps this at the stored phone's 16 characters, which cuts off
        # "+84 (0) 912 345 678" and "+1 (202) 555-0123" as they are typed.
        self.fields["username"].max_length = LOGIN_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)
