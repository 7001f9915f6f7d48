"""What the awards admin screens share: result permissions, reports of a service's
refusal, read-only screens."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from awards.services.result_revocation import MIN_REASON_LENGTH


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


def written_reason_field(
    *, label: str, help_text: str, required: str, too_short: str
) -> forms.CharField:
    """The written reason a logged decision asks for (a revocation, an
    anonymisation): at least MIN_REASON_LENGTH characters, at most 2,000."""
    return forms.CharField(
        label=label,
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
        error_messages={"required": required, "min_length": too_short},
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
