"""The committees at work in the admin, as a plan's acceptance test needs them.

An organizer sets a contest up through the admin's own forms (the same POSTs a
browser sends), a judge computes and approves through the admin's actions. Values
are given as Python values and sent the way the widgets send them.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Model
from django.forms import BooleanField, MultiWidget
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards.models import RoundResult
from quizzes.models import QuestionRevision
from rounds import services
from rounds.models import Round
from tests.websec import form_values, multi_widget_values, staff_in


def committee_client(group: str, **fields: Any) -> Client:
    """A logged-in client of a new staff member of `group`, of no unit (so that no
    stray unit joins the plan's unit tree)."""
    client = Client()
    client.force_login(staff_in(group, **{"unit": None, **fields}))
    return client


def organizer() -> Client:
    return committee_client("Ban Tổ chức")


def judge() -> Client:
    return committee_client("Ban Giám khảo")


def _wire(key: str, field: Any, value: Any) -> dict[str, Any]:
    """What the browser posts for `value` in `field`."""
    if isinstance(field.widget, MultiWidget):
        if isinstance(value, datetime):
            value = timezone.localtime(value)
        return multi_widget_values(key, field.widget, value)
    if isinstance(field, BooleanField):
        return {key: "on"} if value else {}
    if isinstance(value, Model):
        return {key: str(value.pk)}
    if isinstance(value, list | tuple | set):
        return {key: [str(v.pk if isinstance(v, Model) else v) for v in value]}
    if isinstance(value, date):
        return {key: value.strftime("%d/%m/%Y")}
    if value is None:
        return {key: ""}
    return {key: str(value)}


def _without(data: dict[str, Any], key: str) -> None:
    for name in [k for k in data if k == key or k.startswith(f"{key}_")]:
        del data[name]


def _fill(data: dict[str, Any], form: Any, values: dict[str, Any], prefix: str) -> None:
    for name, value in values.items():
        key = f"{prefix}{name}"
        _without(data, key)
        data.update(_wire(key, form.fields[name], value))


def admin_form_post(
    client: Client,
    url: str,
    fields: dict[str, Any] | None = None,
    inlines: dict[str, list[dict[str, Any]]] | None = None,
) -> Any:
    """Open the admin form at `url`, change `fields`, append `inlines` rows (by
    formset prefix) and save, as the organizer's browser would."""
    response = client.post(url, admin_form_data(client, url, fields, inlines))
    assert response.status_code == 302, admin_errors(response)
    return response


def admin_form_data(
    client: Client,
    url: str,
    fields: dict[str, Any] | None = None,
    inlines: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """What the browser posts from the admin form at `url` once `fields` are
    changed and `inlines` rows appended."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["adminform"].form
    data = form_values(form)
    _fill(data, form, fields or {}, "")
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        kept = list(formset.initial_forms)
        for row in kept:
            data.update(form_values(row))
        added = (inlines or {}).get(formset.prefix, [])
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(kept) + len(added)
        for index, values in enumerate(added, start=len(kept)):
            _fill(data, formset.empty_form, values, f"{formset.prefix}-{index}-")
    data["_save"] = "Lưu"
    return data


def admin_errors(response: Any) -> list:
    """Every error an admin form page shows, to explain a refused save."""
    if response.context is None:
        return [response.status_code]
    errors = [response.context["adminform"].form.errors]
    for inline in response.context.get("inline_admin_formsets", []):
        errors += [inline.formset.non_form_errors(), inline.formset.errors]
    return [e for e in errors if e]


def admin_add(
    client: Client,
    model: type[Model],
    fields: dict[str, Any],
    inlines: dict[str, list[dict[str, Any]]] | None = None,
) -> Model:
    """Add one object through its admin add form; return it as stored."""
    meta = model._meta
    before = set(model.objects.values_list("pk", flat=True))
    admin_form_post(
        client,
        reverse(f"admin:{meta.app_label}_{meta.model_name}_add"),
        fields,
        inlines,
    )
    (created,) = model.objects.exclude(pk__in=before)
    return created


def admin_change(
    client: Client,
    obj: Model,
    fields: dict[str, Any] | None = None,
    inlines: dict[str, list[dict[str, Any]]] | None = None,
) -> Model:
    """Change one object through its admin change form; return it as stored."""
    meta = obj._meta
    admin_form_post(
        client,
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
        fields,
        inlines,
    )
    return type(obj).objects.get(pk=obj.pk)


def admin_action(client: Client, model: type[Model], action: str, objects) -> Any:
    """Run an admin action on `objects` from the change list; return the page."""
    meta = model._meta
    response = client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )
    assert response.status_code == 200
    return response


def compute_and_approve(round_: Round) -> RoundResult:
    """A judge computes the round's result and approves it, both from the admin."""
    bench = judge()
    admin_action(bench, Round, "compute_results", [round_])
    result = RoundResult.objects.get(round=round_)
    return admin_approve(bench, result)


def admin_approve(client: Client, result: RoundResult) -> RoundResult:
    """The judge's approve action, then the confirmation of what it freezes."""
    asked = admin_action(client, RoundResult, "approve", [result])
    confirm_url = reverse("admin:awards_roundresult_approve", args=[result.pk])
    assert asked.redirect_chain[-1][0] == confirm_url, messages_of(asked)
    confirmed = client.post(confirm_url, {"confirm": "on"}, follow=True)
    assert confirmed.status_code == 200
    return RoundResult.objects.get(pk=result.pk)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def take(
    user: Any,
    round_: Any,
    *,
    correct: int,
    at: datetime,
    seconds: float = 60,
    prediction: int | None = None,
) -> Any:
    """One attempt as the contestant makes it, through the services: `correct`
    right answers (the others wrong), submitted `seconds` after starting at `at`."""
    attempt = services.attempt_start(user=user, round_=round_, now=at).attempt
    keys = dict(
        QuestionRevision.objects.filter(
            pk__in=[item[0] for item in attempt.draw]
        ).values_list("pk", "correct_index")
    )
    answers = {}
    for position, (revision_id, permutation) in enumerate(attempt.draw):
        right = permutation.index(keys[revision_id])
        answers[position] = (
            right if position < correct else (right + 1) % len(permutation)
        )
    return services.attempt_submit(
        attempt=attempt,
        answers=answers,
        prediction=prediction,
        now=at + timedelta(seconds=seconds),
    )
