"""The admin's front page for officials: their shortcuts, and no technical screens."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import UserFactory
from tests.websec import staff_in

pytestmark = pytest.mark.django_db

TECHNICAL = [
    "admin:axes_accessattempt_changelist",
    "admin:axes_accesslog_changelist",
    "admin:axes_accessfailurelog_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
]


@pytest.mark.parametrize(
    ("group", "shortcuts", "absent"),
    [
        pytest.param(
            "Ban Tổ chức",
            ["reports:dashboard", "reports:export-list"],
            [],
            id="organizer",
        ),
        pytest.param(
            "Ban Giám khảo",
            ["reports:export-list", "admin:awards_auditentry_changelist"],
            [],
            id="judge",
        ),
        pytest.param(
            "Tổ soạn thảo câu hỏi",
            [],
            ["reports:dashboard", "reports:export-list"],
            id="author",
        ),
    ],
)
def test_the_index_links_each_role_to_its_pages(client, group, shortcuts, absent):
    user = staff_in(group)
    client.force_login(user)

    page = client.get(reverse("admin:index"))

    for name in shortcuts:
        assertContains(page, f'href="{reverse(name)}"')
        assert client.get(reverse(name)).status_code == 200
    for name in absent:
        assertNotContains(page, f'href="{reverse(name)}"')


@pytest.mark.parametrize("group", ["Ban Tổ chức", "Ban Giám khảo"])
def test_officials_never_see_the_technical_screens(client, group):
    user = staff_in(group)
    # Even a permission granted by hand does not open them.
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["axes", "django_tasks_database"]
        )
    )
    client.force_login(user)

    page = client.get(reverse("admin:index"))

    for name in TECHNICAL:
        assertNotContains(page, reverse(name))
        assert client.get(reverse(name)).status_code == 403


def test_a_superuser_opens_the_technical_screens(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:index"))

    for name in TECHNICAL:
        assertContains(page, reverse(name))
        assert client.get(reverse(name)).status_code == 200
