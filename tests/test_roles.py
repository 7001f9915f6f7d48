"""The four roles: each group reaches what it should in the admin, and nothing more."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_in(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize(
    ("group", "url", "status"),
    [
        pytest.param(
            "Tổ soạn thảo câu hỏi",
            "admin:quizzes_question_add",
            200,
            id="author-adds-questions",
        ),
        pytest.param(
            "Tổ soạn thảo câu hỏi",
            "admin:rounds_contest_changelist",
            403,
            id="author-no-contests",
        ),
        pytest.param(
            "Tổ soạn thảo câu hỏi",
            "admin:accounts_user_changelist",
            403,
            id="author-no-users",
        ),
        pytest.param(
            "Tổ soạn thảo câu hỏi",
            "admin:awards_roundresult_changelist",
            403,
            id="author-no-results",
        ),
        pytest.param(
            "Ban Tổ chức", "admin:rounds_contest_add", 200, id="organizer-adds-contests"
        ),
        pytest.param(
            "Ban Tổ chức", "admin:accounts_unit_add", 200, id="organizer-adds-units"
        ),
        pytest.param(
            "Ban Tổ chức", "admin:awards_prizetier_add", 200, id="organizer-adds-tiers"
        ),
        pytest.param(
            "Ban Tổ chức",
            "admin:awards_disqualification_add",
            403,
            id="organizer-no-disqualify",
        ),
        pytest.param(
            "Ban Giám khảo",
            "admin:rounds_contest_changelist",
            200,
            id="judge-reads-contests",
        ),
        pytest.param(
            "Ban Giám khảo", "admin:rounds_contest_add", 403, id="judge-no-contest-edit"
        ),
        pytest.param(
            "Ban Giám khảo",
            "admin:quizzes_question_add",
            403,
            id="judge-no-question-edit",
        ),
        pytest.param(
            "Ban Giám khảo",
            "admin:awards_disqualification_add",
            200,
            id="judge-disqualifies",
        ),
        pytest.param(
            "Ban Giám khảo",
            "admin:rounds_roundvoidedquestion_add",
            200,
            id="judge-voids",
        ),
        pytest.param(
            "Ban Giám khảo",
            "admin:awards_auditentry_changelist",
            200,
            id="judge-reads-audit",
        ),
    ],
)
def test_each_role_reaches_only_its_admin_pages(client, group, url, status):
    client.force_login(staff_in(group))

    response = client.get(reverse(url))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("group", "can_compute", "can_approve"),
    [
        pytest.param("Ban Tổ chức", True, False, id="organizer"),
        pytest.param("Ban Giám khảo", True, True, id="judge"),
        pytest.param("Tổ soạn thảo câu hỏi", False, False, id="author"),
        pytest.param("Quản lý đơn vị", False, False, id="unit-manager"),
    ],
)
def test_computing_and_approving_results_are_separate_rights(
    group, can_compute, can_approve
):
    user = staff_in(group)

    assert user.has_perm("awards.compute_results") is can_compute
    assert user.has_perm("awards.approve_results") is can_approve


def test_the_approve_action_is_offered_only_to_judges(client):
    client.force_login(staff_in("Ban Tổ chức"))

    response = client.get(reverse("admin:awards_roundresult_changelist"))

    assert b'value="approve"' not in response.content


ROLES = ["Ban Tổ chức", "Tổ soạn thảo câu hỏi", "Ban Giám khảo", "Quản lý đơn vị"]


def _registered_models() -> list:
    from django.contrib import admin

    return sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("group", ROLES)
@pytest.mark.parametrize("model", _registered_models(), ids=lambda m: m._meta.label)
def test_every_admin_list_follows_the_role_permissions(client, group, model):
    user = staff_in(group)
    meta = model._meta
    allowed = user.has_perm(
        f"{meta.app_label}.view_{meta.model_name}"
    ) or user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
    client.force_login(user)

    response = client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    )

    assert response.status_code == (200 if allowed else 403)


EXPORTS = [
    ("reports:export-list", {}),
    ("reports:export-bank", {}),
    ("reports:export-units", {"slug": "SLUG"}),
    ("reports:export-contest-questions", {"slug": "SLUG"}),
    ("reports:export-contestants", {"slug": "SLUG"}),
    ("reports:export-questions", {"round_id": "ROUND"}),
]


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param("Ban Tổ chức", 200, id="organizer"),
        pytest.param("Ban Giám khảo", 200, id="judge"),
        pytest.param("Tổ soạn thảo câu hỏi", 403, id="author"),
        pytest.param("Quản lý đơn vị", 403, id="unit-manager"),
    ],
)
@pytest.mark.parametrize(("name", "kwargs"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_every_export_follows_the_role(client, round_, group, status, name, kwargs):
    filled = {
        key: (round_.contest.slug if value == "SLUG" else round_.pk)
        for key, value in kwargs.items()
    }
    client.force_login(staff_in(group))

    response = client.get(reverse(name, kwargs=filled))

    assert response.status_code == status
