"""The computed results a judge reviews and approves, and the decision log."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from awards.admin.common import ReadOnlyAdmin, ResultPermissions, report
from awards.admin.review import (
    ResultReviewViews,
    audit_details_in_words,
    compute_message,
)
from awards.admin_audit import AdminAuditMixin
from awards.eligibility_reasons import REASON_LABELS
from awards.models import (
    AuditEntry,
    ResultRow,
    RoundResult,
    UnitResult,
    UnitResultRow,
)
from awards.selectors import result_rules_in_words, revoked_results
from awards.services import (
    result_compute,
    unit_result_approve,
)
from awards.suspicion_selectors import flags_text, round_suspicion_flags
from awards.unit_certificates import unit_certificate_can_download
from awards.unit_certificates_views import unit_certificate_download
from contest_portal.numbers import thousands
from rounds.scoring import format_duration

WINNER_HEADERS = (
    _("Hạng"),
    _("Giải"),
    _("Trị giá (đồng)"),
    _("Họ và tên"),
    _("Đơn vị"),
    _("Số câu đúng"),
    _("Dự đoán"),
    _("Chênh lệch dự đoán"),
    _("Thời gian làm bài"),
    _("Thời điểm nộp"),
)


def _moment(at) -> str:
    """A submission instant to the millisecond, as the tie-break reads it."""
    local = timezone.localtime(at)
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d} {local:%d/%m/%Y}"


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
        "decide",
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
        self._can_disqualify = (
            obj is not None
            and obj.status == RoundResult.Status.PROVISIONAL
            and request.user.has_perm("awards.add_disqualification")
        )
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("quyết định"))
    def decide(self, row: ResultRow) -> str:
        if not getattr(self, "_can_disqualify", False) or row.skip_reason:
            return ""
        url = reverse("admin:awards_disqualification_add")
        return format_html(
            '<a href="{}?round={}&amp;user={}&amp;ket_qua={}">{}</a>',
            url,
            row.result.round_id,
            row.user_id,
            row.result_id,
            _("Loại…"),
        )

    @admin.display(description=_("dấu hiệu bất thường (chỉ để xem xét)"))
    def suspicion(self, row: ResultRow) -> str:
        return flags_text(getattr(self, "_suspicion", {}).get(row.user_id))

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResultRow]:
        # The review screen shows the prize zone and well beyond; exports have the rest.
        return super().get_queryset(request).filter(rank__lte=200)


@admin.register(RoundResult)
class RoundResultAdmin(
    ResultReviewViews, AdminAuditMixin, ResultPermissions, ReadOnlyAdmin
):
    change_form_template = "admin/awards/roundresult/change_form.html"
    # The action only leads to the confirmation page, which records the approval.
    audit_skip_actions = ("approve",)
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
        "rules_in_words",
        "winners_table",
        "round",
        "status",
        "version",
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

    @admin.display(description=_("người đạt giải"))
    def winners_table(self, result: RoundResult) -> str:
        rows = result.rows.filter(prize_tier__isnull=False).order_by("rank")
        if not rows:
            return _("Chưa có người đạt giải.")
        header = format_html_join(
            "", "<th scope='col'>{}</th>", ((str(label),) for label in WINNER_HEADERS)
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.rank,
                    row.prize_name,
                    thousands(row.prize_amount_vnd),
                    row.full_name,
                    row.unit_name,
                    row.correct,
                    row.question_count,
                    "—" if row.prediction is None else row.prediction,
                    "—" if row.prediction is None else row.prediction_gap,
                    format_duration(row.duration_ms),
                    _moment(row.submitted_at),
                )
                for row in rows
            ),
        )
        return format_html(
            '<table id="winners"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
            header,
            body,
        )

    actions = ["approve", "recompute"]

    @admin.action(
        description=_("Phê duyệt danh sách… (xem lại trước khi xác nhận)"),
        permissions=["approve"],
    )
    def approve(
        self, request: HttpRequest, queryset: QuerySet[RoundResult]
    ) -> HttpResponse | None:
        """One list at a time, through the page that shows what will be frozen."""
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Vui lòng chọn một danh sách để phê duyệt."),
                messages.WARNING,
            )
            return None
        return redirect("admin:awards_roundresult_approve", queryset.get().pk)

    @admin.action(description=_("Tính lại kết quả"), permissions=["compute"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[RoundResult]) -> None:
        for result in queryset.select_related("round"):
            try:
                computed = result_compute(round_=result.round, actor=request.user)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(request, compute_message(computed), messages.SUCCESS)

    def get_urls(self) -> list:
        own = [
            path(
                "<path:object_id>/tinh-lai/",
                self.admin_site.admin_view(self.recompute_view),
                name="awards_roundresult_recompute",
            ),
            path(
                "<path:object_id>/phe-duyet/",
                self.admin_site.admin_view(self.approve_view),
                name="awards_roundresult_approve",
            ),
            path(
                "<path:object_id>/thu-hoi/",
                self.admin_site.admin_view(self.revoke_view),
                name="awards_roundresult_revoke",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        result = self.get_object(request, object_id)
        extra = {**(extra_context or {})}
        if result is not None:
            provisional = result.status == RoundResult.Status.PROVISIONAL
            extra.update(
                can_recompute=provisional and self.has_compute_permission(request),
                can_approve=provisional and self.has_approve_permission(request),
                can_revoke=not provisional and self.has_approve_permission(request),
                can_disqualify=provisional
                and request.user.has_perm("awards.add_disqualification"),
                can_void=provisional
                and request.user.has_perm("rounds.add_roundvoidedquestion"),
                revoked=revoked_results(round_=result.round),
            )
        return super().change_view(request, object_id, form_url, extra)


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
        "certificate_link",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitResultRow]:
        return super().get_queryset(request).select_related("certificate")

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        # Inline instances live for one request: decided once for all rows.
        self._certificates = (
            obj is not None
            and obj.status == UnitResult.Status.APPROVED
            and unit_certificate_can_download(user=request.user)
        )
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("giấy khen tập thể"))
    def certificate_link(self, row: UnitResultRow) -> str:
        if not getattr(self, "_certificates", False) or not row.prize_name:
            return ""
        issued = getattr(row, "certificate", None)
        return format_html(
            '<a href="{}" download>{}</a>{}',
            reverse("admin:awards_unitresult_certificate", args=[row.pk]),
            _("Tải giấy khen (PDF)"),
            format_html("<br><code>{}</code>", issued.grouped_code) if issued else "",
        )


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

    def get_urls(self) -> list:
        own = [
            path(
                # object_id names the UnitResultRow: one parameter, as the
                # admin's own routes have.
                "giay-khen/<id:object_id>/",
                self.admin_site.admin_view(unit_certificate_download),
                name="awards_unitresult_certificate",
            ),
        ]
        return own + super().get_urls()


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "contest", "round", "reason", "details")
    list_filter = ("action", "contest")
    list_select_related = ("actor", "contest", "round")
    search_fields = ("reason", "actor__full_name")
    fields = ("at", "actor", "action", "contest", "round", "reason", "details")
    readonly_fields = fields

    @admin.display(description=_("chi tiết"))
    def details(self, entry: AuditEntry) -> str:
        return audit_details_in_words(entry.data)
