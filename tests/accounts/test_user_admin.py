import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def add_user(client, phone: str):
    return client.post(
        "/quan-tri/accounts/user/add/",
        {
            "phone": phone,
            "full_name": "Vàng Thị Mỷ",
            "usable_password": "true",
            "password1": "Mat-khau-2024!",
            "password2": "Mat-khau-2024!",
        },
    )


def test_an_organizer_adds_a_user_with_the_phone_typed_in_any_form(organizer_client):
    response = add_user(organizer_client, "+84 912 111 222")

    assert response.status_code == 302
    assert User.objects.get(phone="0912111222").full_name == "Vàng Thị Mỷ"


def test_the_admin_refuses_a_phone_already_registered_in_another_form(
    organizer_client,
):
    UserFactory(phone="0912111222")

    response = add_user(organizer_client, "84912111222")

    assert response.status_code == 200
    assert "đã được đăng ký" in response.content.decode()
    assert User.objects.filter(phone="0912111222").count() == 1
