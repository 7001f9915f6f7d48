"""The personal-details fields, checks and messages of registration and profile."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import names
from accounts.models import Unit, User
from accounts.normalize import (
    clean_text,
    normalize_citizen_id,
    normalize_email,
)
from accounts.selectors import unit_list_selectable, user_find_conflicts

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
NAME_MESSAGES = {
    names.SYMBOLS: _(
        "Họ và tên chỉ gồm chữ cái, dấu cách và các dấu ' - . (không dùng biểu "
        "tượng, ký hiệu)."
    ),
    names.STACKED_MARKS: _("Họ và tên có dấu thanh, dấu phụ bất thường."),
    names.MIXED_SCRIPTS: _(
        "Họ và tên lẫn chữ cái của bảng chữ khác (ví dụ chữ Nga, chữ Hy Lạp trông "
        "giống chữ Việt). Hãy gõ lại bằng bàn phím tiếng Việt."
    ),
    names.NO_LETTERS: _("Họ và tên không hợp lệ."),
}
PHONE_INVALID_MESSAGE = _(
    "Số điện thoại không hợp lệ. Số Việt Nam ví dụ 0912 345 678; số nước ngoài "
    "ghi kèm mã quốc gia, ví dụ +1 202 555 0123."
)
TAKEN_MESSAGES = {
    "phone": _("Số điện thoại này đã được đăng ký."),
    "email": _("Email này đã được đăng ký."),
    "citizen_id": _("Số CCCD này đã được đăng ký."),
}
# Django's own message for this is not translated into Vietnamese.
NULL_CHARACTER_MESSAGE = _("Nội dung có ký tự không hợp lệ (ký tự rỗng).")


def translate_null_character_error(form: forms.Form) -> None:
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NULL_CHARACTER_MESSAGE


MAX_NAME_LENGTH = 150
LOGIN_MAX_LENGTH = 40


def unit_choices(units: list[Unit]) -> list[tuple[str, Any]]:
    """Options grouped by district so a commune is found under its district."""
    with_children = {unit.parent_id for unit in units if unit.parent_id}
    by_id = {unit.pk: unit for unit in units}
    groups: dict[int, list[tuple[int, str]]] = {}
    labels: dict[int, str] = {}
    for unit in units:
        ids = unit.ancestor_ids or [unit.pk]
        # A district heads its own group; everything else sits under the root.
        group_id = ids[1] if len(ids) >= 2 and ids[1] in with_children else ids[0]
        group = by_id.get(group_id)
        labels[group_id] = group.name if group else unit.name
        groups.setdefault(group_id, []).append((unit.pk, unit.name))
    return [("", _("— Chọn đơn vị —"))] + [
        (labels[group_id], options) for group_id, options in groups.items()
    ]


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Unit.objects.filter(is_active=True), **kwargs)
        self.error_messages["invalid_choice"] = _(
            "Vui lòng chọn đơn vị trong danh sách."
        )

    def refresh_choices(self) -> None:
        self.widget.choices = unit_choices(list(unit_list_selectable()))


class ProfileFields(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=1000,
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Dạng ngày/tháng/năm, ví dụ 05/09/1990."),
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "placeholder": "dd/mm/yyyy",
                "inputmode": "numeric",
                "autocomplete": "bday",
            },
        ),
        error_messages={
            "invalid": _("Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 05/09/1990.")
        },
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"), choices=User.Gender.choices, widget=forms.RadioSelect
    )
    occupation = forms.ChoiceField(
        label=_("Đối tượng"), choices=[("", _("— Chọn —")), *User.Occupation.choices]
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"),
        help_text=_("Gõ tên xã, phường hoặc cơ quan để tìm nhanh."),
    )
    email = forms.CharField(
        label=_("Email (không bắt buộc)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD (12 số)"),
        required=False,
        max_length=40,
        help_text=_(
            "Chỉ dùng để xác định đúng người dự thi, bảo đảm mỗi người một tài "
            "khoản và để trao giải; không công bố, chỉ Ban Tổ chức được xem."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    exclude_user_pk: int | None = None
    conflicts_found = False

    def __init__(
        self, *args: Any, require_citizen_id: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        translate_null_character_error(self)
        self.fields["unit"].refresh_choices()
        self.fields["unit"].widget.attrs["data-unit-picker"] = ""
        if require_citizen_id:
            self.fields["citizen_id"].required = True
            self.fields["citizen_id"].label = _("Số CCCD (12 số)")
        self.fields["citizen_id"].error_messages["required"] = _(
            "Cuộc thi này yêu cầu số CCCD."
        )

    def clean_full_name(self) -> str:
        name = clean_text(self.cleaned_data["full_name"])
        if not name:
            raise forms.ValidationError(_("Vui lòng nhập họ và tên."), code="required")
        if len(name) > MAX_NAME_LENGTH:
            raise forms.ValidationError(
                _("Họ và tên không quá %(n)d ký tự.") % {"n": MAX_NAME_LENGTH},
                code="too_long",
            )
        problem = names.name_problem(name)
        if problem:
            raise forms.ValidationError(NAME_MESSAGES[problem], code=problem)
        return name

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(
                _("Ngày sinh không thể ở tương lai."), code="future"
            )
        if born.year < 1900:
            raise forms.ValidationError(_("Ngày sinh không hợp lệ."), code="too_old")
        return born

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if not email:
            return ""
        forms.EmailField().clean(email)
        return email

    def clean_citizen_id(self) -> str:
        raw = self.cleaned_data["citizen_id"]
        if not clean_text(raw):
            return ""
        citizen_id = normalize_citizen_id(raw)
        if citizen_id is None:
            raise forms.ValidationError(
                _("Số CCCD gồm đúng 12 chữ số."), code="invalid_citizen_id"
            )
        return citizen_id

    def add_conflict_errors(self) -> None:
        """Say which of phone, email and citizen ID belong to another account.

        Called only once asking is allowed (the registration's challenge solved),
        so that the answer costs what a registration costs; `conflicts_found`
        tells the view to count the answer against the probing limit.
        """
        cleaned = self.cleaned_data
        taken = user_find_conflicts(
            phone=cleaned.get("phone") or "",
            email=cleaned.get("email") or "",
            citizen_id=cleaned.get("citizen_id") or "",
            exclude_pk=self.exclude_user_pk,
        )
        for field in ("phone", "email", "citizen_id"):
            if field in taken and field in self.fields:
                self.add_error(
                    field, forms.ValidationError(TAKEN_MESSAGES[field], code="taken")
                )
        self.conflicts_found = bool(taken)
