"""The admin of units (the organisation tree) and of people's unit changes."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import importer as unit_importer
from accounts.admin.spreadsheet_import import SpreadsheetImportMixin
from accounts.models import Unit, UnitChange
from accounts.services import unit_save


@admin.register(Unit)
class UnitAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    import_module = unit_importer
    import_noun = _("đơn vị")
    import_template_filename = "mau-nhap-don-vi.xlsx"
    list_display = ("name", "code", "level", "parent", "headcount", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "search_name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    def save_model(self, request: HttpRequest, obj: Unit, form, change: bool) -> None:
        unit_save(unit=obj)


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ("user", "old_unit", "new_unit", "changed_by", "changed_at")
    list_select_related = ("user", "old_unit", "new_unit", "changed_by")
    search_fields = ("user__full_name", "user__phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
