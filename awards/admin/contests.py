"""The contest and round screens: the rules, groups, tiers and committee of a
contest; computing and previewing a round's result."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards import settings_check
from awards.admin.common import ResultPermissions, report
from awards.admin.review import compute_message
from awards.admin_audit import AdminAuditMixin
from awards.eligibility_reasons import REASON_LABELS
from awards.models import (
    ContestantGroup,
    PrizeTier,
    RankingRules,
    Signatory,
    UnitGroup,
)
from awards.selectors import contest_rules_in_words
from awards.services import (
    final_sync_qualifiers,
    result_compute,
    result_preview,
    unit_result_compute,
)
from awards.services.settings import unawardable_errors
from rounds.admin import ContestAdmin as BaseContestAdmin
from rounds.admin import RoundAdmin as BaseRoundAdmin
from rounds.models import (
    Contest,
    ContestCommitteeMember,
    Round,
)


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


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ("order", "title", "name", "on_lists", "on_certificates")


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
        SignatoryInline,
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
            report(
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
            try:
                result = result_compute(round_=round_, actor=request.user)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(request, compute_message(result), messages.SUCCESS)


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
