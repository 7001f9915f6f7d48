"""Every change made through the admin, kept in AdminChange with old -> new values.

Django's LogEntry records only a sentence ("Changed text.") and any superuser can
edit it; judges asked who changed a question, a tier or a round, from what to what.
`AdminAuditMixin` goes first in a ModelAdmin's bases. It reads the row from the
database before the save and again after the inlines and many-to-many fields are
saved, so the diff is what the database really holds, not what the form held.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from awards.models import AdminChange

PENDING = "_admin_audit_pending"
# Admin actions that change nothing need no entry; deletions log themselves.
UNAUDITED_ACTIONS = frozenset({"delete_selected"})


def _plain(value: Any) -> Any:
    """A JSON value as stored: dates as ISO text, decimals as text, rows as ids."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# Recorded as a digest: the log shows that a password changed, never the hash.
SECRET_FIELDS = frozenset({"password"})


def _secret(value: Any) -> str:
    if not value:
        return ""
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:16]


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's fields and many-to-many ids; auto-timestamps are left out."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        value = field.value_from_object(obj)
        values[field.name] = _secret(value) if field.name in SECRET_FIELDS else value
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(
            related.pk for related in field.value_from_object(obj)
        )
    return _plain(values)


def snapshots(model: type[models.Model], pks: Iterable[Any]) -> dict[Any, dict]:
    """The current database state of the given rows, keyed by primary key."""
    wanted = [pk for pk in pks if pk is not None]
    if not wanted:
        return {}
    rows = model._base_manager.filter(pk__in=wanted)
    if model._meta.many_to_many:
        rows = rows.prefetch_related(*(f.name for f in model._meta.many_to_many))
    return {row.pk: snapshot(row) for row in rows}


def diff(before: dict | None, after: dict | None) -> dict[str, list]:
    """{field: [old, new]} for every field whose value differs."""
    before, after = before or {}, after or {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def rows_diff(
    model: type[models.Model], before: dict[Any, dict], after: dict[Any, dict]
) -> list[dict]:
    """Added, changed and deleted rows of one inline, each with its field diff."""
    label = model._meta.label
    entries = []
    for pk in sorted(before.keys() | after.keys(), key=str):
        fields = diff(before.get(pk), after.get(pk))
        if not fields:
            continue
        action = (
            AdminChange.Action.ADD
            if pk not in before
            else AdminChange.Action.DELETE
            if pk not in after
            else AdminChange.Action.CHANGE
        )
        entries.append(
            {"model": label, "id": _plain(pk), "action": action, "fields": fields}
        )
    return entries


def admin_change_record(
    *,
    actor: User,
    model: type[models.Model],
    object_id: Any,
    object_repr: str,
    action: str,
    changes: dict,
    action_name: str = "",
    now: datetime | None = None,
) -> AdminChange:
    """Append one admin change to the audit log."""
    return AdminChange.objects.create(
        actor=actor,
        at=now or timezone.now(),
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        action=action,
        action_name=action_name,
        changes=changes,
    )


def _pending(request: HttpRequest) -> dict[int, dict]:
    # One admin request saves one object (or one per list_editable row) and then
    # logs it; the "before" state waits here between save_model and log_change.
    if not hasattr(request, PENDING):
        setattr(request, PENDING, {})
    return getattr(request, PENDING)


class AdminAuditMixin:
    """Record additions, changes, deletions and actions of a ModelAdmin."""

    # Actions that only read (a preview, a download) leave no entry.
    audit_skip_actions: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change) -> None:
        before = snapshots(type(obj), [obj.pk]).get(obj.pk) if change else None
        _pending(request)[id(obj)] = {"before": before, "inlines": []}
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        model = formset.model
        pks = [f.instance.pk for f in formset.initial_forms]
        before = snapshots(model, pks)
        super().save_formset(request, form, formset, change)
        new = [obj.pk for obj in getattr(formset, "new_objects", [])]
        after = snapshots(model, [*pks, *new])
        entry = _pending(request).setdefault(
            id(form.instance), {"before": None, "inlines": []}
        )
        entry["inlines"].extend(rows_diff(model, before, after))

    def log_addition(self, request, obj, message):
        logged = super().log_addition(request, obj, message)
        self._record(request, obj, AdminChange.Action.ADD)
        return logged

    def log_change(self, request, obj, message):
        logged = super().log_change(request, obj, message)
        self._record(request, obj, AdminChange.Action.CHANGE)
        return logged

    def _record(self, request: HttpRequest, obj: models.Model, action: str) -> None:
        entry = _pending(request).pop(id(obj), {"before": None, "inlines": []})
        fields = diff(entry["before"], snapshots(type(obj), [obj.pk]).get(obj.pk))
        if not fields and not entry["inlines"]:
            return  # saved without a change
        admin_change_record(
            actor=request.user,
            model=type(obj),
            object_id=obj.pk,
            object_repr=str(obj),
            action=action,
            changes={"fields": fields, "inlines": entry["inlines"]},
        )

    def delete_model(self, request, obj) -> None:
        model, pk, shown = type(obj), obj.pk, str(obj)
        before = snapshots(model, [pk]).get(pk)
        super().delete_model(request, obj)
        self._record_deletion(request, model, pk, shown, before)

    def delete_queryset(self, request, queryset) -> None:
        rows = {obj.pk: str(obj) for obj in queryset}
        before = snapshots(queryset.model, rows)
        super().delete_queryset(request, queryset)
        for pk, shown in rows.items():
            self._record_deletion(request, queryset.model, pk, shown, before.get(pk))

    def _record_deletion(self, request, model, pk, shown, before) -> None:
        admin_change_record(
            actor=request.user,
            model=model,
            object_id=pk,
            object_repr=shown,
            action=AdminChange.Action.DELETE,
            changes={"fields": diff(before, None), "inlines": []},
        )

    def audited(
        self, request: HttpRequest, obj: models.Model, name: str, work: Callable
    ) -> Any:
        """Run a custom admin page's `work` on `obj`, recorded like an action."""
        model = type(obj)
        before = snapshots(model, [obj.pk]).get(obj.pk)
        done = work()
        admin_change_record(
            actor=request.user,
            model=model,
            object_id=obj.pk,
            object_repr=str(obj),
            action=AdminChange.Action.ACTION,
            action_name=name,
            changes={
                "fields": diff(before, snapshots(model, [obj.pk]).get(obj.pk)),
                "inlines": [],
            },
        )
        return done

    def get_actions(self, request: HttpRequest) -> dict:
        skip = UNAUDITED_ACTIONS | set(self.audit_skip_actions)
        return {
            name: (func if name in skip else self._audited(func, name), name, label)
            for name, (func, name, label) in super().get_actions(request).items()
        }

    def _audited(self, func: Callable, name: str) -> Callable:
        @wraps(func)
        def run(modeladmin, request, queryset) -> HttpResponse | None:
            pks = list(queryset.values_list("pk", flat=True))
            before = snapshots(self.model, pks)
            response = func(modeladmin, request, queryset)
            after = snapshots(self.model, pks)
            shown = {
                obj.pk: str(obj) for obj in self.model._base_manager.filter(pk__in=pks)
            }
            for pk in pks:
                admin_change_record(
                    actor=request.user,
                    model=self.model,
                    object_id=pk,
                    object_repr=shown.get(pk, str(pk)),
                    action=AdminChange.Action.ACTION,
                    action_name=name,
                    changes={
                        "fields": diff(before.get(pk), after.get(pk)),
                        "inlines": [],
                    },
                )
            return response

        return run


class AdminChangeAdmin(admin.ModelAdmin):
    """The log is read, never written, from the admin: not even by a superuser."""

    list_display = (
        "at",
        "actor",
        "action",
        "action_name",
        "content_type",
        "object_repr",
    )
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "object_id", "actor__full_name", "actor__phone")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "action",
        "action_name",
        "content_type",
        "object_id",
        "object_repr",
        "changes_shown",
    )
    readonly_fields = fields

    @admin.display(description=_("thay đổi (cũ → mới)"))
    def changes_shown(self, entry: AdminChange) -> str:
        text = json.dumps(entry.changes, ensure_ascii=False, indent=2)
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
