"""The user admin: search, roles, one-time passwords, unit managers' import."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from accounts import manager_importer
from accounts.admin.spreadsheet_import import (
    IMPORT_TOKEN,
    XLSX_CONTENT_TYPE,
    SpreadsheetImportMixin,
)
from accounts.admin.user_forms import (
    PasswordSetForm,
    UserAddForm,
    UserEditForm,
    permission_label,
)
from accounts.models import User
from accounts.normalize import fold, normalize_phone
from accounts.services import user_admin_save, user_issue_one_time_password

# New accounts' one-time passwords wait this long, in the clear, for one download.
PASSWORDS_CACHE_SECONDS = 600


@admin.register(User)
class UserAdmin(SpreadsheetImportMixin, BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    change_password_form = PasswordSetForm

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "user_permissions" and field is not None:
            field.label_from_instance = permission_label
        return field

    import_module = manager_importer
    import_noun = _("cán bộ quản lý đơn vị")
    import_template_filename = "mau-nhap-can-bo-quan-ly-don-vi.xlsx"
    ordering = ("-date_joined",)
    list_display = (
        "full_name",
        "phone",
        "unit",
        "occupation",
        "is_staff",
        "date_joined",
    )
    list_filter = (
        "occupation",
        "nationality",
        "is_staff",
        "is_active",
        "unit__level",
        ("managed_unit", admin.EmptyFieldListFilter),
    )
    # Names are matched through their accent-free copies: see get_search_results.
    search_fields = ("search_name", "phone", "email", "citizen_id", "unit__search_name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit", "managed_unit")
    readonly_fields = (
        "last_login",
        "date_joined",
        "must_change_password",
        "phone_verified_at",
        "privacy_consent_at",
        "anonymised_at",
    )
    actions = ["issue_one_time_password"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "phone",
                    "phone_verified_at",
                    "password",
                    "must_change_password",
                )
            },
        ),
        (
            _("Thông tin cá nhân"),
            {
                "fields": (
                    "full_name",
                    "date_of_birth",
                    "gender",
                    "email",
                    "citizen_id",
                    "nationality",
                    "occupation",
                    "unit",
                )
            },
        ),
        (
            _("Vai trò"),
            {
                "fields": (
                    "is_active",
                    "managed_unit",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            _("Thời gian"),
            {
                "fields": (
                    "last_login",
                    "date_joined",
                    "privacy_consent_at",
                    "anonymised_at",
                )
            },
        ),
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

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.Form, change: bool
    ) -> None:
        user_admin_save(user=obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """Every word must match some field; names and units match without accents,
        so "nguyen van a" finds "Nguyễn Văn A" and "dang" finds "Đặng"."""
        if not search_term.strip():
            return queryset, False
        words = Q()
        for word in smart_split(search_term):
            if len(word) > 1 and word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            folded = fold(word)
            # Names match from the start of a word: "a" finds "Văn A", not "Bảy".
            words &= (
                Q(search_name__startswith=folded)
                | Q(search_name__contains=f" {folded}")
                | Q(unit__search_name__startswith=folded)
                | Q(unit__search_name__contains=f" {folded}")
                | Q(phone__contains=word)
                | Q(email__icontains=word)
                | Q(citizen_id__contains=word)
            )
        # A whole number typed in any form: "+84 912 345 678", "0912.345.678".
        phone = normalize_phone(search_term)
        if phone is not None:
            words |= Q(phone=phone)
        return queryset.filter(words), False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/passwords/",
                self.admin_site.admin_view(self.import_passwords_view),
                name="accounts_user_import_passwords",
            ),
            *super().get_urls(),
        ]

    def import_done(
        self,
        request: HttpRequest,
        *,
        result: manager_importer.ManagerImport,
        filename: str,
    ) -> HttpResponse:
        """Show the new accounts' one-time passwords once, with a download."""
        for user in result.created:
            self.log_addition(request, user, [{"added": {}}])
        for user in result.updated:
            self.log_change(request, user, [{"changed": {"fields": ["managed_unit"]}}])
        token = ""
        if result.passwords:
            token = secrets.token_urlsafe(24)
            cache.set(
                self._passwords_cache_key(request, token),
                manager_importer.passwords_file(result.passwords),
                PASSWORDS_CACHE_SECONDS,
            )
        self.message_user(
            request,
            _(
                "Đã nhập file “%(file)s”: tạo %(create)d tài khoản mới, giao quản lý "
                "đơn vị cho %(update)d tài khoản có sẵn, %(unchanged)d tài khoản "
                "không thay đổi."
            )
            % {"file": filename, **result.counts},
            messages.SUCCESS,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": _("Mật khẩu dùng một lần của tài khoản mới"),
            "passwords": result.passwords,
            "token": token,
            "minutes": PASSWORDS_CACHE_SECONDS // 60,
        }
        return TemplateResponse(
            request, "admin/accounts/user/import_done.html", context
        )

    def import_passwords_view(self, request: HttpRequest) -> HttpResponse:
        """The new accounts' passwords as a spreadsheet, downloadable once."""
        self._import_check(request)
        token = request.POST.get("token", "")
        key = self._passwords_cache_key(request, token)
        data = None
        if request.method == "POST" and IMPORT_TOKEN.fullmatch(token):
            data = cache.get(key)
        if data is None:
            self.message_user(
                request,
                _(
                    "Danh sách mật khẩu đã được tải xuống hoặc đã hết hạn. Với tài "
                    "khoản chưa nhận được mật khẩu, hãy dùng thao tác “Cấp mật khẩu "
                    "dùng một lần”."
                ),
                messages.ERROR,
            )
            return redirect(self._import_url("changelist"))
        # Once: the plain passwords do not stay in the shared cache.
        cache.delete(key)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            'attachment; filename="mat-khau-can-bo-quan-ly-don-vi.xlsx"'
        )
        return response

    def _passwords_cache_key(self, request: HttpRequest, token: str) -> str:
        return f"admin-import-passwords:{request.user.pk}:{token}"

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
