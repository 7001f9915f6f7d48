"""A judge's decisions on a round: disqualifications and voided questions."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from awards.admin_audit import AdminAuditMixin
from awards.models import (
    Disqualification,
    RoundResult,
)
from awards.services import (
    contestant_disqualify,
    contestant_disqualify_check,
    question_void,
    question_void_check,
)
from contest_portal.converters import row_id
from rounds.models import (
    RoundVoidedQuestion,
)


class DisqualificationForm(forms.ModelForm):
    """Checked by the service's own rules, so a refusal is a form error, not a crash."""

    class Meta:
        model = Disqualification
        fields = ("round", "user", "reason")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            contestant_disqualify_check(
                round_=cleaned["round"], user=cleaned["user"], reason=cleaned["reason"]
            )
        return cleaned


class VoidForm(forms.ModelForm):
    class Meta:
        model = RoundVoidedQuestion
        fields = ("round", "question", "reason")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            question_void_check(
                round_=cleaned["round"],
                question=cleaned["question"],
                reason=cleaned["reason"],
            )
        return cleaned


class DecisionAdmin(admin.ModelAdmin):
    """Decisions are added, never edited or deleted: the audit log keeps them."""

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        """Back to the result page the judge came from (?ket_qua=<result>)."""
        result_id = row_id(request.GET.get("ket_qua"))
        if result_id is not None and RoundResult.objects.filter(pk=result_id).exists():
            self.message_user(request, _("Đã ghi quyết định và tính lại kết quả."))
            return redirect("admin:awards_roundresult_change", result_id)
        return super().response_add(request, obj, post_url_continue)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Disqualification)
class DisqualificationAdmin(AdminAuditMixin, DecisionAdmin):
    form = DisqualificationForm
    list_display = ("round", "user", "reason", "decided_by", "decided_at")
    list_select_related = ("round", "user", "decided_by")
    list_filter = ("round__contest",)
    search_fields = ("user__full_name", "user__phone", "reason")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change) -> None:
        decided = contestant_disqualify(
            round_=obj.round, user=obj.user, reason=obj.reason, actor=request.user
        )
        obj.pk = decided.pk


@admin.register(RoundVoidedQuestion)
class RoundVoidedQuestionAdmin(AdminAuditMixin, DecisionAdmin):
    form = VoidForm
    list_display = ("round", "question", "reason", "voided_by", "voided_at")
    list_select_related = ("round", "question", "voided_by")
    list_filter = ("round__contest",)
    search_fields = ("question__text", "reason")
    autocomplete_fields = ("question",)

    def save_model(self, request, obj, form, change) -> None:
        voided = question_void(
            round_=obj.round,
            question=obj.question,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk = voided.pk
