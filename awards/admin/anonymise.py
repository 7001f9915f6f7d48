"""The user admin's "Ẩn danh hóa theo yêu cầu" page: an organizer anonymises one
account on the person's request, with a written reason.

An account with attempts cannot be deleted (their rows are PROTECTed): this is the
way to honour a deletion request. Added to the accounts app's user admin from here,
as the audit trail is, so accounts keeps importing nothing of awards. The admin
change is recorded without the field diff that `AdminAuditMixin.audited` keeps:
the diff would keep the very name, phone and CCCD being removed.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from awards.admin.common import written_reason_field
from awards.admin_audit import admin_change_record
from awards.models import AdminChange, ResultRow
from awards.services.anonymisation import PERSONAL_FIELDS, REMOVED, user_anonymise
from rounds.models import Attempt

PERMISSION = "accounts.anonymise_user"


class AnonymiseForm(forms.Form):
    reason = written_reason_field(
        label=_("Lý do, căn cứ yêu cầu"),
        help_text=_(
            "Ví dụ: đơn đề nghị xóa dữ liệu của thí sinh ngày 05/12/2026. Được ghi "
            "vào nhật ký quyết định."
        ),
        required=_("Vui lòng ghi lý do ẩn danh hóa tài khoản."),
        too_short=_(
            "Vui lòng ghi rõ lý do ẩn danh hóa (ít nhất %(limit_value)d ký tự)."
        ),
    )


class UserAnonymiseViews:
    """Mixed into the user admin: the button on the change page and its page."""

    def has_anonymise_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/an-danh/",
                self.admin_site.admin_view(self.anonymise_view),
                name="accounts_user_anonymise",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_anonymise": self.has_anonymise_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def anonymise_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_anonymise_permission(request):
            raise PermissionDenied
        person = get_object_or_404(User, pk=_pk(object_id))
        form = AnonymiseForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                anonymised = user_anonymise(
                    user=person, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _record(request, anonymised)
                self.message_user(
                    request,
                    _(
                        "Đã ẩn danh hóa tài khoản: nay hiện là “%(name)s”. Bài thi, "
                        "kết quả và danh sách đã phê duyệt được giữ nguyên."
                    )
                    % {"name": anonymised.full_name},
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_user_change", anonymised.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ẩn danh hóa tài khoản theo yêu cầu"),
            "person": person,
            "attempts": Attempt.objects.filter(user=person).count(),
            "result_rows": ResultRow.objects.filter(
                result__round_id__in=Attempt.objects.filter(user=person).values(
                    "round_id"
                ),
                user=person,
            ).count(),
            "form": form,
            "opts": self.model._meta,
            "original": person,
        }
        return TemplateResponse(request, "admin/accounts/user/anonymise.html", context)


def _pk(object_id: str) -> int:
    try:
        return int(object_id)
    except ValueError:
        return 0


def _record(request: HttpRequest, user: User) -> AdminChange:
    return admin_change_record(
        actor=request.user,
        model=User,
        object_id=user.pk,
        object_repr=str(user),
        action=AdminChange.Action.ACTION,
        action_name="anonymise",
        changes={
            "fields": {name: [REMOVED, REMOVED] for name in sorted(PERSONAL_FIELDS)},
            "inlines": [],
        },
    )


def add_anonymisation_to_user_admin() -> None:
    """Give the registered user admin the anonymisation page and its button."""
    base = type(admin.site._registry[User])
    if issubclass(base, UserAnonymiseViews):
        return
    admin.site.unregister(User)
    admin.site.register(User, type(base.__name__, (UserAnonymiseViews, base), {}))
