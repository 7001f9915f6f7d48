"""The admin's "Nhập từ Excel": upload, preview, confirm, template download."""

import re
import secrets
from types import ModuleType
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.import_plan import ImportPlan
from accounts.spreadsheet import SheetRow
from contest_portal.numbers import thousands

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Parsed rows wait in the shared cache, not on one server's disk, between the
# preview and the confirmation.
IMPORT_CACHE_SECONDS = 3600
IMPORT_PREVIEW_ROWS = 1000
# The token naming a stored upload (or a passwords file) in the shared cache.
IMPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )


class SpreadsheetImportMixin:
    """ "Nhập từ Excel" on a changelist: upload, preview, confirm, template download.

    The importer module offers read(upload), parse(rows=), apply(rows=) and
    template(); the confirmation re-validates the stored rows against the database.
    """

    import_module: ModuleType
    import_noun: str = ""
    import_template_filename: str = "mau-nhap.xlsx"

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=f"{info}_import"),
            path(
                "import/confirm/",
                wrap(self.import_confirm_view),
                name=f"{info}_import_confirm",
            ),
            path(
                "import/template/",
                wrap(self.import_template_view),
                name=f"{info}_import_template",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = self.import_module.read(upload)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                token = secrets.token_urlsafe(24)
                cache.set(
                    self._import_cache_key(request, token),
                    {"filename": upload.name, "rows": [row.to_cache() for row in rows]},
                    IMPORT_CACHE_SECONDS,
                )
                plan = self.import_module.parse(rows=rows)
                return self._import_render(
                    request, form=form, plan=plan, token=token, filename=upload.name
                )
        return self._import_render(request, form=form)

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        token = request.POST.get("token", "")
        stored = None
        if request.method == "POST" and IMPORT_TOKEN.fullmatch(token):
            stored = cache.get(self._import_cache_key(request, token))
        if stored is None:
            self.message_user(
                request,
                _("Phiên nhập đã hết hạn hoặc không còn; hãy tải file lên lại."),
                messages.ERROR,
            )
            return redirect(self._import_url("import"))
        rows = [SheetRow.from_cache(row) for row in stored["rows"]]
        try:
            plan = self.import_module.apply(rows=rows)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return self._import_render(
                request,
                form=SpreadsheetUploadForm(),
                plan=self.import_module.parse(rows=rows),
                token=token,
                filename=stored["filename"],
            )
        cache.delete(self._import_cache_key(request, token))
        return self.import_done(request, result=plan, filename=stored["filename"])

    def import_done(
        self, request: HttpRequest, *, result: Any, filename: str
    ) -> HttpResponse:
        """After a confirmed import: say what it did and go back to the list."""
        self.message_user(
            request,
            _(
                "Đã nhập file “%(file)s”: thêm mới %(create)d, cập nhật %(update)d, "
                "không thay đổi %(unchanged)d %(noun)s."
            )
            % {"file": filename, "noun": self.import_noun, **result.counts},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._import_url("changelist"))

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        self._import_check(request)
        response = HttpResponse(
            self.import_module.template(), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.import_template_filename}"'
        )
        return response

    def _import_check(self, request: HttpRequest) -> None:
        if not self.has_import_permission(request):
            raise PermissionDenied

    def _import_cache_key(self, request: HttpRequest, token: str) -> str:
        return f"admin-import:{self.opts.label_lower}:{request.user.pk}:{token}"

    def _import_url(self, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            current_app=self.admin_site.name,
        )

    def _import_render(
        self,
        request: HttpRequest,
        *,
        form: SpreadsheetUploadForm,
        plan: ImportPlan | None = None,
        token: str = "",
        filename: str = "",
    ) -> TemplateResponse:
        shown = []
        if plan is not None:
            shown = [row for row in plan.rows if row.errors or plan.is_valid]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": _("Nhập %(noun)s từ Excel") % {"noun": self.import_noun},
            "form": form,
            "plan": plan,
            "rows": shown[:IMPORT_PREVIEW_ROWS],
            "rows_hidden": max(0, len(shown) - IMPORT_PREVIEW_ROWS),
            "token": token,
            "filename": filename,
            "noun": self.import_noun,
            "max_rows": thousands(self.import_module.MAX_ROWS),
        }
        return TemplateResponse(
            request,
            f"admin/{self.opts.app_label}/{self.opts.model_name}/import.html",
            context,
        )
