import random
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.sms import sms_enabled
from rounds.addresses import contest_slug_from_title
from rounds.models import Attempt, Contest, Round, RoundTopicQuota
from rounds.services import draw_preview


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)
        help_texts = {
            "slug": _(
                "Để trống: tạo từ tiêu đề, không dấu (“Chuyển đổi số” thành "
                "“chuyen-doi-so”). Không nên đổi sau khi đã công bố."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_slug(self) -> str:
        """The address as typed, else made from the title once, when first saved."""
        slug = self.cleaned_data.get("slug") or ""
        if slug or self.instance.slug:
            return slug or self.instance.slug
        title = self.data.get(self.add_prefix("title"), "")
        taken = Contest.objects.exclude(pk=self.instance.pk).values_list(
            "slug", flat=True
        )
        return contest_slug_from_title(title, taken=set(taken))

    def clean_require_phone_verification(self) -> bool:
        wanted = self.cleaned_data["require_phone_verification"]
        if wanted and not sms_enabled():
            raise ValidationError(
                _(
                    "Hệ thống chưa cấu hình cổng gửi SMS nên chưa thể yêu cầu xác thực "
                    "số điện thoại. Đề nghị bộ phận kỹ thuật cấu hình "
                    "DJANGO_SMS_BACKEND trước."
                ),
                code="sms_not_configured",
            )
        return wanted


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    form = ContestForm
    list_display = ("title", "slug", "is_published", "min_age", "review_policy")
    list_filter = ("is_published",)
    search_fields = ("title", "slug")
    filter_horizontal = ("topics",)
    autocomplete_fields = ("excluded_units",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "organizer_name",
                    "parent_body",
                    "document_place",
                    "summary",
                    "is_published",
                )
            },
        ),
        (_("Thể lệ và tài liệu"), {"fields": ("rules", "materials")}),
        (_("Câu hỏi"), {"fields": ("topics", "review_policy")}),
        (
            _("Điều kiện dự thi"),
            {
                "fields": (
                    "min_age",
                    "allowed_occupations",
                    "allowed_nationalities",
                    "require_citizen_id",
                    "require_phone_verification",
                    "excluded_units",
                    "exclude_committee_units",
                    "allow_excluded_practice",
                )
            },
        ),
        (
            _("Chỉ tiêu tham gia của đơn vị"),
            {"fields": ("participation_target_percent", "participation_occupations")},
        ),
    )


class QuotaInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        total = sum(
            form.cleaned_data.get("count") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        question_count = self.instance.question_count or 0
        if total > question_count:
            raise forms.ValidationError(
                _(
                    "Tổng số câu theo chủ đề (%(total)d) vượt quá số câu hỏi của tuần thi (%(n)d)."
                )
                % {"total": total, "n": question_count},
                code="quota_exceeds_count",
            )


class QuotaInline(admin.TabularInline):
    model = RoundTopicQuota
    formset = QuotaInlineFormSet
    extra = 0
    fields = ("topic", "count")


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "contest",
        "opens_at",
        "closes_at",
        "question_count",
        "time_limit_seconds",
        "max_attempts",
    )
    list_filter = ("contest",)
    search_fields = ("name", "contest__title")
    list_select_related = ("contest",)
    inlines = [QuotaInline]
    actions = ["preview_draw"]

    @admin.action(description=_("Xem thử một đề ngẫu nhiên (kèm đáp án)"))
    def preview_draw(
        self, request: HttpRequest, queryset: QuerySet[Round]
    ) -> HttpResponse | None:
        round_ = queryset.select_related("contest").first()
        try:
            questions = draw_preview(round_=round_, rng=random.SystemRandom())
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Đề thi mẫu: %(round)s") % {"round": round_},
            "round": round_,
            "questions": questions,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/rounds/round/preview_draw.html", context
        )


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "round",
        "number",
        "status",
        "correct_count",
        "question_count",
        "duration_ms",
        "submitted_at",
        "is_practice",
    )
    list_filter = ("status", "is_practice", "finished_by", "round")
    search_fields = ("user__full_name", "user__phone", "public_id")
    list_select_related = ("user", "round", "round__contest")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in Attempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.method == "GET" and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
