"""An organizer anonymises one account on the person's request from the user admin,
with a written reason; anyone else is refused."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from awards import services
from awards.models import AdminChange, AuditEntry, RoundResult
from tests.accounts.test_anonymise import (
    PERSON,
    REASON,
    approved_world,
    personal_values,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_in(group: str) -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def page_url(user: User) -> str:
    return reverse("admin:accounts_user_anonymise", args=[user.pk])


def test_the_change_page_offers_the_button_to_an_organizer(client):
    person = UserFactory()
    client.force_login(staff_in("Ban Tổ chức"))

    html = client.get(reverse("admin:accounts_user_change", args=[person.pk]))

    assert page_url(person) in html.content.decode()


def test_the_page_says_what_goes_and_what_stays(client):
    world = approved_world()
    client.force_login(staff_in("Ban Tổ chức"))

    response = client.get(page_url(world.person))

    html = response.content.decode()
    assert response.status_code == 200
    assert "không hoàn tác được" in html
    assert "Giữ nguyên 1 bài thi" in html
    assert 'name="reason"' in html


def test_an_organizer_anonymises_an_account_with_a_reason(client):
    world = approved_world()
    organizer = staff_in("Ban Tổ chức")
    client.force_login(organizer)

    response = client.post(page_url(world.person), {"reason": REASON})

    assert response.status_code == 302
    person = User.objects.get(pk=world.person.pk)
    assert person.anonymised_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_ANONYMISE)
    assert (entry.actor, entry.reason) == (organizer, REASON)
    logged = AdminChange.objects.get(action_name="anonymise")
    assert logged.actor == organizer
    text = f"{logged.object_repr} {logged.changes}"
    assert [value for value in personal_values() if value in text] == []
    result = RoundResult.objects.get(pk=world.result.pk)
    assert services.result_checksum(result=result) == result.checksum
    page = client.get(response["Location"])
    assert "Đã ẩn danh hóa tài khoản" in page.content.decode()


def test_without_a_written_reason_nothing_happens(client):
    person = UserFactory(full_name=PERSON["full_name"])
    client.force_login(staff_in("Ban Tổ chức"))

    response = client.post(page_url(person), {"reason": "  "})

    assert response.status_code == 200
    assert "Vui lòng ghi lý do" in response.content.decode()
    assert User.objects.get(pk=person.pk).full_name == PERSON["full_name"]
    assert not AuditEntry.objects.exists()


def test_a_staff_account_is_refused_with_a_reason_said(client):
    colleague = staff_in("Ban Giám khảo")
    client.force_login(staff_in("Ban Tổ chức"))

    response = client.post(page_url(colleague), {"reason": REASON})

    assert response.status_code == 200
    assert "tài khoản quản trị" in response.content.decode()
    assert User.objects.get(pk=colleague.pk).anonymised_at is None


@pytest.mark.parametrize("group", ["Ban Giám khảo", "Tổ soạn thảo câu hỏi"])
def test_anyone_but_an_organizer_is_refused(client, group):
    person = UserFactory(full_name=PERSON["full_name"])
    client.force_login(staff_in(group))

    shown = client.get(page_url(person))
    posted = client.post(page_url(person), {"reason": REASON})

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert User.objects.get(pk=person.pk).full_name == PERSON["full_name"]
    assert not AuditEntry.objects.exists()


def test_a_judge_sees_no_button(client):
    person = UserFactory()
    client.force_login(staff_in("Ban Giám khảo"))

    html = client.get(reverse("admin:accounts_user_change", args=[person.pk]))

    assert html.status_code == 200
    assert page_url(person) not in html.content.decode()
