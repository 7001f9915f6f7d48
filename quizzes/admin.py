from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.admin.spreadsheet_import import SpreadsheetImportMixin
from accounts.spreadsheet import SheetRow
from quizzes import importer as question_importer
from quizzes.import_template import EXAMPLE_MARK
from quizzes.models import Choice, Question, QuestionRevision, Topic
from quizzes.services import choices_validate, question_publish


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            choices_validate(
                texts=[row.get("text", "") for row in kept],
                correct_flags=[bool(row.get("is_correct")) for row in kept],
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from error


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    extra = 4
    max_num = 6
    fields = ("order", "text", "is_correct")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    search_fields = ("name",)


@admin.register(Question)
class QuestionAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    list_display = ("__str__", "topic", "is_active", "updated_at")
    list_filter = ("topic", "is_active")
    search_fields = ("text", "choices__text")
    list_select_related = ("topic",)
    inlines = [ChoiceInline]
    actions = ["deactivate"]
    import_module = question_importer
    import_noun = "câu hỏi"
    import_template_filename = "mau-nhap-cau-hoi.xlsx"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # Only on a page about to be drawn: a redirect would carry the warnings to
        # the next page, which adds them again.
        if (
            request.method == "GET"
            and IS_POPUP_VAR not in request.GET
            and isinstance(response, TemplateResponse)
            and not response.is_rendered
        ):
            for warning in question_importer.bank_length_warnings():
                messages.warning(request, warning)
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        response = super().import_view(request)
        rows = self._import_preview(request, response)
        plan = response.context_data.get("plan") if rows else None
        if plan is not None and plan.is_valid:
            # The preview warns before the author confirms; the bank list the
            # confirmation redirects to warns again from the saved questions.
            for warning in question_importer.length_warnings(rows=rows):
                messages.warning(request, warning)
        return response

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        response = super().import_confirm_view(request)
        self._import_preview(request, response)
        return response

    def _import_preview(
        self, request: HttpRequest, response: HttpResponse
    ) -> list[SheetRow]:
        """Pair each previewed row with its choices; return the rows read."""
        context = getattr(response, "context_data", None) or {}
        if context.get("plan") is None:
            return []
        stored = cache.get(self._import_cache_key(request, context["token"]))
        rows = [SheetRow.from_cache(row) for row in (stored or {}).get("rows", [])]
        preview = question_importer.preview(rows=rows)
        context["question_rows"] = [
            (row, preview.questions.get(row.number)) for row in context["rows"]
        ]
        context["skipped_rows"] = preview.skipped
        context["example_mark"] = EXAMPLE_MARK
        return rows

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question_publish(question=form.instance)

    @admin.action(description="Ngừng sử dụng các câu hỏi đã chọn")
    def deactivate(self, request: HttpRequest, queryset) -> None:
        queryset.update(is_active=False)


@admin.register(QuestionRevision)
class QuestionRevisionAdmin(admin.ModelAdmin):
    list_display = ("question", "number", "topic", "created_at")
    list_select_related = ("question", "topic")
    search_fields = ("text",)
    readonly_fields = [f.name for f in QuestionRevision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
