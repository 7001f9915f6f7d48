"""A small contest with something of every kind, for the web-security tests.

One published contest: a closed round with an approved result and a certificate for
Alice, and an open round where Alice has an attempt under way. Bob is another
contestant; each committee role has one staff member; a judge has an export job.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from accounts.models import User
from awards import services as award_services
from awards.certificate_services import certificate_issue
from awards.models import Certificate, PrizeTier, RankingRules, ResultRow, RoundResult
from quizzes.models import QuestionRevision
from reports import services as report_services
from reports.models import ExportJob
from rounds import services as round_services
from rounds.models import Attempt, Contest, Round
from tests.factories import RoundFactory, UserFactory, make_bank, make_finished_attempt

ROLES = {
    "organizer": "Ban Tổ chức",
    "author": "Tổ soạn thảo câu hỏi",
    "judge": "Ban Giám khảo",
    "unit_manager": "Quản lý đơn vị",
}


@dataclass
class World:
    contest: Contest
    past: Round
    current: Round
    alice: User
    bob: User
    staff: dict[str, User]
    superuser: User
    finished: Attempt
    open_attempt: Attempt
    result: RoundResult
    certificate: Certificate
    job: ExportJob


def staff_in(group: str, **fields: Any) -> User:
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


def build_world() -> World:
    # Whole seconds, as the admin's date and time fields show and send them back.
    now = timezone.now().replace(microsecond=0)
    bank = make_bank(topics=2, per_topic=5)
    past = RoundFactory(
        name="Tuần thi đã đóng",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=10),
    )
    contest = past.contest
    contest.topics.set(bank)
    current = RoundFactory(
        contest=contest,
        name="Tuần thi đang mở",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
    )
    RankingRules.objects.create(
        contest=contest, certificates_enabled=True, certificate_min_correct_percent=80
    )
    PrizeTier.objects.create(
        contest=contest,
        kind=PrizeTier.Kind.INDIVIDUAL,
        name="Giải nhất",
        count=1,
        amount_vnd=1_000_000,
        order=1,
    )
    alice = UserFactory(full_name="Phạm Thị Ánh")
    bob = UserFactory(full_name="Vũ Văn Bình")
    staff = {key: staff_in(group) for key, group in ROLES.items()}
    superuser = UserFactory(is_staff=True, is_superuser=True)
    revisions = list(QuestionRevision.objects.order_by("pk")[:5])
    finished = make_finished_attempt(
        alice, past, revisions, correct=5, at=past.opens_at + timedelta(hours=1)
    )
    result = award_services.result_approve(
        result=award_services.result_compute(round_=past, actor=staff["judge"]),
        actor=staff["judge"],
    )
    certificate = certificate_issue(
        row=ResultRow.objects.get(result=result, user=alice)
    )
    open_attempt = round_services.attempt_start(user=alice, round_=current).attempt
    job = report_services.export_job_start(
        user=staff["judge"], kind="bank", key="", personal=False
    )
    job.status = ExportJob.Status.DONE
    job.file.save("ngan-hang.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=False)
    job.save()
    return World(
        contest=contest,
        past=past,
        current=current,
        alice=alice,
        bob=bob,
        staff=staff,
        superuser=superuser,
        finished=finished,
        open_attempt=open_attempt,
        result=result,
        certificate=certificate,
        job=job,
    )


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table the project owns, to compare before and after."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "axes"}:
            continue  # a refused request may still touch the visitor's own session
        rows = model._base_manager.order_by("pk").values_list()
        state[model._meta.label] = list(rows)
    return state


def csrf_client(user: User | None = None) -> tuple[Client, str]:
    """A client that enforces CSRF checks and holds a valid token of its own."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def multi_widget_values(key: str, widget: Any, value: Any) -> dict[str, str]:
    """What a browser sends for a widget made of several inputs: key_0, key_1, ..."""
    if not value:
        return {}
    parts = widget.decompress(value) if not isinstance(value, list) else value
    parts = list(parts) + [""] * (len(widget.widgets) - len(parts))
    return {
        f"{key}_{i}": part.isoformat() if hasattr(part, "isoformat") else str(part)
        for i, part in enumerate(parts)
    }


def form_values(form: Any) -> dict[str, Any]:
    """What a browser would send back for an unchanged form: its initial values."""
    from django import forms as django_forms

    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, django_forms.MultiWidget):
            data.update(multi_widget_values(key, field.widget, value))
            continue
        if isinstance(field, django_forms.BooleanField):
            if value:
                data[key] = "on"
            continue
        if value is not None:
            data[key] = value  # BoundField.value() is already prepared for the widget
    return data


def admin_form_data(response: Any) -> dict[str, Any]:
    """The POST body of an admin change form as shown, inlines included."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        # Extra blank rows are left out, as if the user had not touched them.
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            data.update(form_values(form))
    data["_save"] = "Lưu"
    return data
