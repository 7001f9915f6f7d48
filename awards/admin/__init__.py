"""The awards admin, one module per subject; importing them registers the screens.

The other apps register their own screens; the audit trail is added to every
editable one here, so those apps keep importing nothing of awards.
"""

from django.contrib import admin
from django.http import HttpRequest

from awards.admin import contests, decisions, results  # noqa: F401  (registers them)
from awards.admin.anonymise import add_anonymisation_to_user_admin
from awards.admin.common import ReadOnlyAdmin
from awards.admin_audit import AdminAuditMixin, AdminChangeAdmin
from awards.models import AdminChange

# Technical screens: login lockout records, background task results, and
# django-allauth's (links to identity provider accounts; providers come from the
# settings, accounts/oidc_config.py).
TECHNICAL_APPS = frozenset(
    {"axes", "django_tasks_database", "account", "socialaccount"}
)


class SuperuserOnly:
    """A technical screen: superusers only, whatever permissions a group holds."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


admin.site.register(AdminChange, AdminChangeAdmin)


def audit_every_screen() -> None:
    """Every other editable screen is audited too, whichever app registered it: a
    user made staff, a unit's headcount, a group's permissions, an unlocked account.
    Run by AwardsConfig.ready(), once every app's admin module is imported (apps
    after awards in INSTALLED_APPS register theirs later than this module).
    The user admin first gets its anonymisation page (awards.admin.anonymise)."""
    add_anonymisation_to_user_admin()
    for model, model_admin in list(admin.site._registry.items()):
        if model is AdminChange or isinstance(
            model_admin, AdminAuditMixin | ReadOnlyAdmin
        ):
            continue
        base = type(model_admin)
        mixins: tuple[type, ...] = (AdminAuditMixin,)
        if model._meta.app_label in TECHNICAL_APPS:
            mixins = (SuperuserOnly, *mixins)
        admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (*mixins, base), {}))
