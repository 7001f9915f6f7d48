from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitChange, User
from accounts.normalize import clean_text, normalize_phone
from accounts.services import unit_save, user_issue_one_time_password


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "headcount", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "search_name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    def save_model(self, request: HttpRequest, obj: Unit, form, change: bool) -> None:
        unit_save(unit=obj)


class PhoneCleaningMixin(forms.ModelForm):
    # Wider than the stored 10 digits: the number is normalised in clean_phone.
    phone = forms.CharField(label=_("Số điện thoại"), max_length=40)

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data.get("phone"))
        if phone is None:
            raise forms.ValidationError(
                _("Số điện thoại không hợp lệ (10 số, ví dụ 0912 345 678)."),
                code="invalid_phone",
            )
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
            "occupation",
            "unit",
            "contest_role",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ("-date_joined",)
    list_display = (
        "full_name",
        "phone",
        "unit",
        "occupation",
        "contest_role",
        "is_staff",
        "date_joined",
    )
    list_filter = ("contest_role", "occupation", "is_staff", "is_active", "unit__level")
    search_fields = ("full_name", "phone", "email", "citizen_id", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    readonly_fields = ("last_login", "date_joined", "must_change_password")
    actions = ["issue_one_time_password"]
    fieldsets = (
        (None, {"fields": ("phone", "password", "must_change_password")}),
        (
            _("Thông tin cá nhân"),
            {
                "fields": (
                    "full_name",
                    "date_of_birth",
                    "gender",
                    "email",
                    "citizen_id",
                    "occupation",
                    "unit",
                )
            },
        ),
        (
            _("Vai trò"),
            {
                "fields": (
                    "contest_role",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "full_name", "password1", "password2"),
            },
        ),
    )

    @admin.action(description=_("Cấp mật khẩu dùng một lần"))
    def issue_one_time_password(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        for user in queryset:
            password = user_issue_one_time_password(user=user)
            self.message_user(
                request,
                _("Mật khẩu dùng một lần của %(name)s (%(phone)s): %(password)s")
                % {"name": user.full_name, "phone": user.phone, "password": password},
                messages.WARNING,
            )


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ("user", "old_unit", "new_unit", "changed_by", "changed_at")
    list_select_related = ("user", "old_unit", "new_unit", "changed_by")
    search_fields = ("user__full_name", "user__phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
