import re
import secrets
from types import ModuleType
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from accounts import importer as unit_importer
from accounts import manager_importer
from accounts.forms import PHONE_INVALID_MESSAGE
from accounts.models import Unit, UnitChange, User
from accounts.normalize import (
    clean_text,
    fold,
    legacy_national_phone,
    normalize_phone,
)
from accounts.services import (
    unit_save,
    user_admin_save,
    user_issue_one_time_password,
)
from accounts.spreadsheet import ImportPlan, SheetRow
from contest_portal.numbers import thousands

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Parsed rows wait in the shared cache, not on one server's disk, between the
# preview and the confirmation.
IMPORT_CACHE_SECONDS = 3600
IMPORT_PREVIEW_ROWS = 1000
# New accounts' one-time passwords wait this long, in the clear, for one download.
PASSWORDS_CACHE_SECONDS = 600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )


class SpreadsheetImportMixin:
    """ "Nhập từ Excel" on a changelist: upload, preview, confirm, template download.

    The importer module offers read(upload), parse(rows=), apply(rows=) and
    template(); the confirmation re-validates the stored rows against the database.
    """

    import_module: ModuleType
    import_noun: str = ""
    import_template_filename: str = "mau-nhap.xlsx"

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=f"{info}_import"),
            path(
                "import/confirm/",
                wrap(self.import_confirm_view),
                name=f"{info}_import_confirm",
            ),
            path(
                "import/template/",
                wrap(self.import_template_view),
                name=f"{info}_import_template",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = self.import_module.read(upload)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                token = secrets.token_urlsafe(24)
                cache.set(
                    self._import_cache_key(request, token),
                    {"filename": upload.name, "rows": [row.to_cache() for row in rows]},
                    IMPORT_CACHE_SECONDS,
                )
                plan = self.import_module.parse(rows=rows)
                return self._import_render(
                    request, form=form, plan=plan, token=token, filename=upload.name
                )
        return self._import_render(request, form=form)

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        token = request.POST.get("token", "")
        stored = None
        if request.method == "POST" and _TOKEN.fullmatch(token):
            stored = cache.get(self._import_cache_key(request, token))
        if stored is None:
            self.message_user(
                request,
                _("Phiên nhập đã hết hạn hoặc không còn; hãy tải file lên lại."),
                messages.ERROR,
            )
            return redirect(self._import_url("import"))
        rows = [SheetRow.from_cache(row) for row in stored["rows"]]
        try:
            plan = self.import_module.apply(rows=rows)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return self._import_render(
                request,
                form=SpreadsheetUploadForm(),
                plan=self.import_module.parse(rows=rows),
                token=token,
                filename=stored["filename"],
            )
        cache.delete(self._import_cache_key(request, token))
        return self.import_done(request, result=plan, filename=stored["filename"])

    def import_done(
        self, request: HttpRequest, *, result: Any, filename: str
    ) -> HttpResponse:
        """After a confirmed import: say what it did and go back to the list."""
        self.message_user(
            request,
            _(
                "Đã nhập file “%(file)s”: thêm mới %(create)d, cập nhật %(update)d, "
                "không thay đổi %(unchanged)d %(noun)s."
            )
            % {"file": filename, "noun": self.import_noun, **result.counts},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._import_url("changelist"))

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        response = HttpResponse(
            self.import_module.template(), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.import_template_filename}"'
        )
        return response

    def _import_check(self, request: HttpRequest) -> None:
        if not self.has_import_permission(request):
            raise PermissionDenied

    def _import_cache_key(self, request: HttpRequest, token: str) -> str:
        return f"admin-import:{self.opts.label_lower}:{request.user.pk}:{token}"

    def _import_url(self, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            current_app=self.admin_site.name,
        )

    def _import_render(
        self,
        request: HttpRequest,
        *,
        form: SpreadsheetUploadForm,
        plan: ImportPlan | None = None,
        token: str = "",
        filename: str = "",
    ) -> TemplateResponse:
        shown = []
        if plan is not None:
            shown = [row for row in plan.rows if row.errors or plan.is_valid]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": _("Nhập %(noun)s từ Excel") % {"noun": self.import_noun},
            "form": form,
            "plan": plan,
            "rows": shown[:IMPORT_PREVIEW_ROWS],
            "rows_hidden": max(0, len(shown) - IMPORT_PREVIEW_ROWS),
            "token": token,
            "filename": filename,
            "noun": self.import_noun,
            "max_rows": thousands(self.import_module.MAX_ROWS),
        }
        return TemplateResponse(
            request,
            f"admin/{self.opts.app_label}/{self.opts.model_name}/import.html",
            context,
        )


@admin.register(Unit)
class UnitAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    import_module = unit_importer
    import_noun = _("đơn vị")
    import_template_filename = "mau-nhap-don-vi.xlsx"
    list_display = ("name", "code", "level", "parent", "headcount", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "search_name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    def save_model(self, request: HttpRequest, obj: Unit, form, change: bool) -> None:
        unit_save(unit=obj)


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
        if request.method == "POST" and _TOKEN.fullmatch(token):
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
