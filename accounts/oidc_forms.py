"""The first-time questions after a first sign-in with an identity provider: the
registration's own fields and rules (accounts.forms), minus what the provider gave."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import RegistrationForm
from accounts.profile_fields import ProfileFields

FIELD_ORDER = [
    "full_name",
    "date_of_birth",
    "gender",
    "phone",
    "citizen_id",
    "occupation",
    "unit",
]


class FirstTimeForm(ProfileFields):
    # The registration's phone field and its check, not a copy of them.
    phone = RegistrationForm.base_fields["phone"]
    clean_phone = RegistrationForm.clean_phone
    # The same consent to the personal data notice as at registration.
    privacy_consent = RegistrationForm.base_fields["privacy_consent"]
    field_order = FIELD_ORDER

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        fixed: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        # The provider's values that passed the rules are not asked: they replace
        # whatever a posted form says about them.
        self.fixed = dict(fixed or {})
        if data is not None and self.fixed:
            data = data.copy()
            for name, value in self.fixed.items():
                data[name] = value  # replaces (a QueryDict's update() appends)
        super().__init__(data, **kwargs)
        del self.fields["email"]
        self.fields["phone"].help_text = _(
            "Dùng để đăng nhập bằng mật khẩu nếu cần. Số nước ngoài ghi kèm mã quốc "
            "gia (+...)."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_conflict_errors()
        return cleaned

    @property
    def asked_fields(self) -> list[forms.BoundField]:
        return [
            field
            for field in self
            if field.name not in self.fixed and field.name != "privacy_consent"
        ]


def as_input(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def accepted_values(provided: Mapping[str, Any]) -> dict[str, str]:
    """The provider's values that pass the registration's rules on their own (a
    name with symbols, a malformed CCCD or a phone already registered is asked)."""
    inputs = {name: as_input(value) for name, value in provided.items()}
    probe = FirstTimeForm(inputs)
    probe.is_valid()
    return {name: value for name, value in inputs.items() if name not in probe.errors}
