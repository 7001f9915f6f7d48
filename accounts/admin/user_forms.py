"""The user admin's forms: phone cleaning, add, edit, password set, permissions."""

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.normalize import clean_text, legacy_national_phone, normalize_phone
from accounts.profile_fields import PHONE_INVALID_MESSAGE


class PhoneCleaningMixin(forms.ModelForm):
    # Wider than the stored 16 characters: the number is normalised in clean_phone.
    phone = forms.CharField(label=_("Số điện thoại"), max_length=40)

    def clean_phone(self) -> str:
        typed = self.cleaned_data.get("phone")
        phone = normalize_phone(typed)
        if (
            phone is None
            and self.instance.pk
            and legacy_national_phone(typed) == self.instance.phone
        ):
            # An old account's number the numbering plans now refuse: editing
            # anything else about the person must not force a new number.
            return self.instance.phone
        if phone is None:
            raise forms.ValidationError(PHONE_INVALID_MESSAGE, code="invalid_phone")
        duplicates = User.objects.filter(phone=phone)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(
                _("Số điện thoại này đã được đăng ký."), code="taken"
            )
        return phone

    def clean_full_name(self) -> str:
        return clean_text(self.cleaned_data.get("full_name"))


class UserAddForm(PhoneCleaningMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "full_name")


class UserEditForm(PhoneCleaningMixin, UserChangeForm):
    class Meta:
        model = User
        fields = (
            "phone",
            "password",
            "full_name",
            "date_of_birth",
            "gender",
            "email",
            "citizen_id",
            "nationality",
            "occupation",
            "unit",
            "managed_unit",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )


class PasswordSetForm(AdminPasswordChangeForm):
    """Django's form, its one untranslatable sentence said in Vietnamese."""

    usable_password_help_text = _(
        "Cho phép người dùng đăng nhập bằng mật khẩu hay không."
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "Nếu tắt, mật khẩu hiện tại của người dùng này sẽ bị xóa.</li></ul>"
    )


PERMISSION_VERBS = {
    "add": _("Được thêm"),
    "change": _("Được sửa"),
    "delete": _("Được xóa"),
    "view": _("Được xem"),
}


def permission_label(permission: Permission) -> str:
    """A permission as an official reads it: Django stores "Can add …" in English."""
    verb, _sep, _rest = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if verb in PERMISSION_VERBS and model is not None:
        return f"{PERMISSION_VERBS[verb]}: {model._meta.verbose_name}"
    return permission.name
