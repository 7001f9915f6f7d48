"""The computed results a judge reviews and approves, and the decision log."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from awards.admin.common import ReadOnlyAdmin, ResultPermissions, report
from awards.admin_audit import AdminAuditMixin
from awards.eligibility_reasons import REASON_LABELS
from awards.models import (
    AuditEntry,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from awards.selectors import result_rules_in_words
from awards.services import (
    result_approve,
    result_compute,
    unit_result_approve,
)
from awards.suspicion_selectors import flags_text, round_suspicion_flags


class ResultRowInline(admin.TabularInline):
    model = ResultRow
    fields = (
        "rank",
        "group_name",
        "full_name",
        "unit_name",
        "correct",
        "question_count",
        "prediction",
        "prediction_gap",
        "duration_ms",
        "submitted_at",
        "attempts_used",
        "attempt_number",
        "prize_name",
        "prize_amount_vnd",
        "skip_label",
        "qualified",
        "suspicion",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    ordering = ("rank",)

    @admin.display(description=_("không xét giải vì"))
    def skip_label(self, row: ResultRow) -> str:
        return REASON_LABELS.get(row.skip_reason, row.skip_reason)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        # Inline instances live for one request: the round's flags are read once.
        self._suspicion = round_suspicion_flags(round_=obj.round) if obj else {}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("dấu hiệu bất thường (chỉ để xem xét)"))
    def suspicion(self, row: ResultRow) -> str:
        return flags_text(getattr(self, "_suspicion", {}).get(row.user_id))

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResultRow]:
        # The review screen shows the prize zone and well beyond; exports have the rest.
        return super().get_queryset(request).filter(rank__lte=200)


@admin.register(RoundResult)
class RoundResultAdmin(AdminAuditMixin, ResultPermissions, ReadOnlyAdmin):
    list_display = (
        "round",
        "status",
        "prediction_truth",
        "participants",
        "attempts",
        "perfect_people",
        "computed_at",
        "approved_at",
    )
    list_filter = ("status", "round__contest")
    list_select_related = ("round", "round__contest")
    readonly_fields = (
        "round",
        "status",
        "rules_in_words",
        "prediction_truth",
        "participants",
        "attempts",
        "perfect_people",
        "computed_by",
        "computed_at",
        "approved_by",
        "approved_at",
        "checksum",
        "ruleset",
    )
    inlines = [ResultRowInline]

    @admin.display(description=_("quy tắc đã áp dụng"))
    def rules_in_words(self, result: RoundResult) -> str:
        return format_html_join(
            "", "<p>{}</p>", ((s,) for s in result_rules_in_words(result=result))
        )

    actions = ["approve", "recompute"]

    @admin.action(
        description=_("Phê duyệt danh sách (không thể sửa sau khi duyệt)"),
        permissions=["approve"],
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[RoundResult]) -> None:
        for result in queryset:
            report(
                self,
                request,
                lambda r=result: result_approve(result=r, actor=request.user),
            )

    @admin.action(description=_("Tính lại kết quả"), permissions=["compute"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[RoundResult]) -> None:
        for result in queryset.select_related("round"):
            report(
                self,
                request,
                lambda r=result: result_compute(round_=r.round, actor=request.user),
            )


class UnitResultRowInline(admin.TabularInline):
    model = UnitResultRow
    fields = (
        "group_name",
        "rank",
        "unit_name",
        "headcount",
        "participants",
        "rate_percent",
        "average_score_percent",
        "total_correct",
        "perfect_people",
        "average_duration_ms",
        "winners",
        "prize_name",
        "prize_amount_vnd",
        "not_ranked_because",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0


@admin.register(UnitResult)
class UnitResultAdmin(AdminAuditMixin, ResultPermissions, ReadOnlyAdmin):
    list_display = ("contest", "status", "computed_at", "approved_at")
    readonly_fields = (
        "contest",
        "status",
        "computed_by",
        "computed_at",
        "approved_by",
        "approved_at",
        "checksum",
        "ruleset",
    )
    inlines = [UnitResultRowInline]
    actions = ["approve"]

    @admin.action(description=_("Phê duyệt kết quả tập thể"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[UnitResult]) -> None:
        for result in queryset:
            report(
                self,
                request,
                lambda r=result: unit_result_approve(result=r, actor=request.user),
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "contest", "round", "reason")
    list_filter = ("action", "contest")
    list_select_related = ("actor", "contest", "round")
    search_fields = ("reason", "actor__full_name")
    readonly_fields = ("at", "actor", "action", "contest", "round", "reason", "data")
