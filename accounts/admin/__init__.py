"""The accounts admin: units, users and the spreadsheet import they share."""

# Importing the modules registers their admins, once, when Django loads this package.
from accounts.admin.spreadsheet_import import (
    XLSX_CONTENT_TYPE,
    SpreadsheetImportMixin,
    SpreadsheetUploadForm,
)
from accounts.admin.units import UnitAdmin, UnitChangeAdmin
from accounts.admin.user_forms import (
    PasswordSetForm,
    PhoneCleaningMixin,
    UserAddForm,
    UserEditForm,
    permission_label,
)
from accounts.admin.users import UserAdmin

__all__ = [
    "XLSX_CONTENT_TYPE",
    "PasswordSetForm",
    "PhoneCleaningMixin",
    "SpreadsheetImportMixin",
    "SpreadsheetUploadForm",
    "UnitAdmin",
    "UnitChangeAdmin",
    "UserAddForm",
    "UserAdmin",
    "UserEditForm",
    "permission_label",
]
