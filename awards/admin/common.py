"""What the awards admin screens share: result permissions, reports of a service's
refusal, read-only screens."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ResultPermissions:
    """Computing and approving results are permissions of their own, not 'change'."""

    def has_compute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("awards.compute_results")

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("awards.approve_results")


def report(model_admin, request, work) -> None:
    try:
        work()
    except ValidationError as error:
        model_admin.message_user(request, error.messages[0], messages.ERROR)
    else:
        model_admin.message_user(request, _("Đã thực hiện."), messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
