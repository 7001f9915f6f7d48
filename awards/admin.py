from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from awards import settings_check
from awards.admin_audit import AdminAuditMixin, AdminChangeAdmin
from awards.eligibility_reasons import REASON_LABELS
from awards.models import (
    AdminChange,
    AuditEntry,
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    ResultRow,
    RoundResult,
    UnitGroup,
    UnitResult,
    UnitResultRow,
)
from awards.selectors import contest_rules_in_words, result_rules_in_words
from awards.services import (
    contestant_disqualify,
    contestant_disqualify_check,
    final_sync_qualifiers,
    question_void,
    question_void_check,
    result_approve,
    result_compute,
    result_preview,
    unit_result_approve,
    unit_result_compute,
)
from awards.services.settings import unawardable_errors
from awards.suspicion_selectors import flags_text, round_suspicion_flags
from quizzes.admin import QuestionAdmin as BaseQuestionAdmin
from quizzes.admin import TopicAdmin as BaseTopicAdmin
from quizzes.models import Question, Topic
from rounds.admin import AttemptAdmin as BaseAttemptAdmin
from rounds.admin import ContestAdmin as BaseContestAdmin
from rounds.admin import RoundAdmin as BaseRoundAdmin
from rounds.models import (
    Attempt,
    Contest,
    ContestCommitteeMember,
    Round,
    RoundVoidedQuestion,
)


class ResultPermissions:
    """Computing and approving results are permissions of their own, not 'change'."""

    def has_compute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("awards.compute_results")

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("awards.approve_results")


def _report(model_admin, request, work) -> None:
    try:
        work()
    except ValidationError as error:
        model_admin.message_user(request, error.messages[0], messages.ERROR)
    else:
        model_admin.message_user(request, _("Đã thực hiện."), messages.SUCCESS)


class RankingRulesInline(admin.StackedInline):
    model = RankingRules
    can_delete = False
    fieldsets = (
        (
            _("Xếp hạng cá nhân"),
            {
                "fields": (
                    "counted_attempt",
                    "order",
                    "truth_kind",
                    "one_weekly_prize_per_person",
                    "live_leaderboard",
                )
            },
        ),
        (
            _("Xếp hạng tập thể"),
            {
                "fields": (
                    "unit_metric",
                    "unit_tie_break",
                    "unit_min_rate_percent",
                    "unit_rounds",
                )
            },
        ),
        (
            _("Giấy chứng nhận"),
            {"fields": ("certificates_enabled", "certificate_min_correct_percent")},
        ),
    )

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        self._contest = obj  # the rounds offered for the collective ranking
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "unit_rounds":
            contest = getattr(self, "_contest", None)
            kwargs["queryset"] = (
                Round.objects.filter(contest=contest).order_by("opens_at")
                if contest
                else Round.objects.none()
            )
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SiblingCheckedFormSet(forms.BaseInlineFormSet):
    """An inline formset that sees the contest's other inlines as posted, so that
    settings spread over two inlines are checked together (ContestAdmin)."""

    siblings: list = []

    def posted(self, model) -> list[dict]:
        """The kept rows of the sibling inline of `model`, as cleaned data."""
        for formset in self.siblings:
            if formset.model is model:
                return [
                    form.cleaned_data
                    for form in formset.forms
                    if getattr(form, "cleaned_data", None)
                    and not form.cleaned_data.get("DELETE")
                ]
        return []


class PrizeSettingsFormSet(SiblingCheckedFormSet):
    """Refuses prize settings that could never award (awards.settings_check)."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        groups = [
            settings_check.GroupSetting(
                str(row.get("name") or ""), tuple(row.get("occupations") or ())
            )
            for row in self.posted(ContestantGroup)
        ]
        tiers = [
            settings_check.TierSetting(
                str(row.get("name") or ""),
                row.get("kind") or "",
                row.get("contestant_group") is not None,
                row.get("unit_group") is not None,
            )
            for row in self.posted(PrizeTier)
        ]
        errors = unawardable_errors(groups=groups, tiers=tiers)
        if errors:
            raise forms.ValidationError(errors)


class ContestantGroupInline(admin.TabularInline):
    model = ContestantGroup
    extra = 0


class UnitGroupInline(admin.TabularInline):
    model = UnitGroup
    extra = 0


class PrizeTierInline(admin.TabularInline):
    model = PrizeTier
    formset = PrizeSettingsFormSet
    extra = 0
    fields = (
        "order",
        "kind",
        "stage",
        "contestant_group",
        "unit_group",
        "name",
        "count",
        "amount_vnd",
    )


class CommitteeInline(admin.TabularInline):
    model = ContestCommitteeMember
    extra = 0
    autocomplete_fields = ("user",)


admin.site.unregister(Contest)


@admin.register(Contest)
class ContestAdmin(AdminAuditMixin, ResultPermissions, BaseContestAdmin):
    inlines = [
        RankingRulesInline,
        ContestantGroupInline,
        UnitGroupInline,
        PrizeTierInline,
        CommitteeInline,
    ]
    actions = ["compute_unit_results"]

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        for formset in formsets:
            if isinstance(formset, SiblingCheckedFormSet):
                formset.siblings = formsets
        return formsets, inline_instances

    @admin.action(description=_("Tính kết quả giải tập thể"), permissions=["compute"])
    def compute_unit_results(
        self, request: HttpRequest, queryset: QuerySet[Contest]
    ) -> None:
        for contest in queryset:
            _report(
                self,
                request,
                lambda c=contest: unit_result_compute(contest=c, actor=request.user),
            )


admin.site.unregister(Round)


@admin.register(Round)
class RoundAdmin(AdminAuditMixin, ResultPermissions, BaseRoundAdmin):
    audit_skip_actions = ("preview_draw", "preview_results")
    actions = [*BaseRoundAdmin.actions, "preview_results", "compute_results"]

    @admin.action(
        description=_("Xem trước người đạt giải nếu tuần thi đóng lúc này (không lưu)"),
        permissions=["compute"],
    )
    def preview_results(
        self, request: HttpRequest, queryset: QuerySet[Round]
    ) -> HttpResponse | None:
        round_ = queryset.select_related("contest").first()
        now = timezone.now()
        try:
            preview = result_preview(round_=round_, actor=request.user, now=now)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return None
        for row in preview.rows:
            row["skip_label"] = REASON_LABELS.get(row["skip_reason"], "")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Xem trước kết quả: %(round)s") % {"round": round_},
            "round": round_,
            "now": now,
            "preview": preview,
            "rows": preview.rows,
            "rules_words": contest_rules_in_words(contest=round_.contest)["individual"],
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/rounds/round/preview_result.html", context
        )

    def save_model(self, request: HttpRequest, obj: Round, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        final_sync_qualifiers(final=obj)

    @admin.action(
        description=_("Tính kết quả và danh sách đạt giải (tạm thời)"),
        permissions=["compute"],
    )
    def compute_results(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        for round_ in queryset.select_related("contest"):
            _report(
                self,
                request,
                lambda r=round_: result_compute(round_=r, actor=request.user),
            )


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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
            _report(
                self,
                request,
                lambda r=result: result_approve(result=r, actor=request.user),
            )

    @admin.action(description=_("Tính lại kết quả"), permissions=["compute"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[RoundResult]) -> None:
        for result in queryset.select_related("round"):
            _report(
                self,
                request,
                lambda r=result: result_compute(round_=r.round, actor=request.user),
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
            _report(
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


@admin.register(PrizeTier)
class PrizeTierAdmin(AdminAuditMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "contest",
        "kind",
        "contestant_group",
        "unit_group",
        "count",
        "amount_vnd",
        "order",
    )
    list_editable = ("count", "amount_vnd", "order")
    list_filter = ("contest", "kind")
    list_select_related = ("contest", "contestant_group", "unit_group")


# The question bank and the attempts are registered by their own apps; the audit
# trail is added here so those apps keep importing nothing of awards.
admin.site.register(AdminChange, AdminChangeAdmin)
for model, base in (
    (Question, BaseQuestionAdmin),
    (Topic, BaseTopicAdmin),
    (Attempt, BaseAttemptAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (AdminAuditMixin, base), {}))
