"""The awards admin, one module per subject; importing them registers the screens.

The other apps register their own screens; the audit trail is added to every
editable one here, so those apps keep importing nothing of awards.
"""

from django.contrib import admin

from awards.admin import contests, decisions, results  # noqa: F401  (registers them)
from awards.admin.common import ReadOnlyAdmin
from awards.admin_audit import AdminAuditMixin, AdminChangeAdmin
from awards.models import AdminChange

admin.site.register(AdminChange, AdminChangeAdmin)
# Every other editable screen is audited too, whichever app registered it: a user
# made staff, a unit's headcount, a group's permissions, an unlocked account.
for model, model_admin in list(admin.site._registry.items()):
    if model is AdminChange or isinstance(model_admin, AdminAuditMixin | ReadOnlyAdmin):
        continue
    base = type(model_admin)
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (AdminAuditMixin, base), {}))
