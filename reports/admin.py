"""The API's tokens in the admin: an organizer issues one to a unit or a system, sees
its secret once, and revokes it; a token is never deleted, so its log stays."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from awards.admin_audit import AdminAuditMixin
from reports.api.tokens import api_token_issue, api_token_revoke
from reports.models import ApiToken

# A token nobody remembers should not work for ever: a year, unless set otherwise.
DEFAULT_VALIDITY_DAYS = 365


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "scopes", "all_units", "units", "expires_at")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("all_units") and not cleaned.get("units"):
            raise forms.ValidationError(
                _("Chọn ít nhất một đơn vị, hoặc chọn “mọi đơn vị”."),
                code="no_units",
            )
        expires_at = cleaned.get("expires_at")
        if self.instance.pk is None and expires_at and expires_at <= timezone.now():
            self.add_error(
                "expires_at",
                forms.ValidationError(
                    _("Thời điểm hết hạn phải sau thời điểm hiện tại."),
                    code="expires_in_past",
                ),
            )
        return cleaned


class LiveFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "tinh-trang"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("dung-duoc", _("Đang dùng được")),
            ("het-han", _("Đã hết hạn")),
            ("thu-hoi", _("Đã thu hồi")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        if self.value() == "dung-duoc":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "het-han":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "thu-hoi":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(AdminAuditMixin, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = (
        "name",
        "prefix",
        "scopes_shown",
        "units_shown",
        "created_by",
        "created_at",
        "expires_at",
        "state",
        "use_count",
        "last_used_at",
    )
    list_filter = (LiveFilter,)
    search_fields = ("name", "prefix")
    list_select_related = ("created_by",)
    autocomplete_fields = ("units",)
    readonly_fields = (
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "use_count",
        "last_used_at",
    )
    fields = (
        "name",
        "scopes",
        "all_units",
        "units",
        "expires_at",
        *readonly_fields,
    )
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        # A token being issued has no issuer, secret or use to show yet.
        return ApiTokenForm.Meta.fields if obj is None else self.fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("units")
            .annotate(uses_count=Count("uses"), uses_last=Max("uses__at"))
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"expires_at": timezone.now() + timedelta(days=DEFAULT_VALIDITY_DAYS)}

    @admin.display(description=_("quyền đọc"))
    def scopes_shown(self, token: ApiToken) -> str:
        return ", ".join(ApiToken._meta.get_field("scopes").labels(token.scopes))

    @admin.display(description=_("các đơn vị được xem"))
    def units_shown(self, token: ApiToken) -> str:
        if token.all_units:
            return str(_("Mọi đơn vị"))
        return ", ".join(unit.name for unit in token.units.all())

    @admin.display(description=_("tình trạng"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return str(_("Đã thu hồi"))
        if token.expires_at <= timezone.now():
            return str(_("Đã hết hạn"))
        return str(_("Đang dùng được"))

    @admin.display(description=_("số lần dùng"))
    def use_count(self, token: ApiToken) -> int:
        return getattr(token, "uses_count", 0)

    @admin.display(description=_("lần dùng gần nhất"))
    def last_used_at(self, token: ApiToken):
        return getattr(token, "uses_last", None)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool):
        if change:
            super().save_model(request, obj, form, change)
            return
        _token, secret = api_token_issue(token=obj, by=request.user)
        # Shown once: only its digest is stored.
        messages.warning(
            request,
            _(
                "Mã truy cập của “%(name)s”: %(secret)s — hãy sao chép và gửi cho "
                "đơn vị, hệ thống được cấp ngay bây giờ. Mã chỉ hiện một lần này, "
                "cổng thi không lưu và không xem lại được."
            )
            % {"name": obj.name, "secret": secret},
        )

    @admin.action(description=_("Thu hồi các mã truy cập đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            api_token_revoke(token=token, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Đã thu hồi %(count)d mã truy cập.",
                "Đã thu hồi %(count)d mã truy cập.",
                len(live),
            )
            % {"count": len(live)},
            messages.SUCCESS,
        )
