import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from accounts.middleware import CREDENTIAL_SESSION_KEY, user_credential
from accounts.models import UnitChange, User
from accounts.services import user_issue_one_time_password
from rounds.services import attempt_start
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@2024"
NEW_PASSWORD = "Doi-mat-khau-2025!"


@pytest.fixture
def user():
    return UserFactory(
        phone="0912345678",
        citizen_id="001090012345",
        email="van.an@example.com",
    )


def log_in(client, username: str, password: str):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}
    )


def profile_data(user: User, **overrides) -> dict[str, str]:
    """The profile form as the user would resubmit it, with some fields changed."""
    data = {
        "full_name": user.full_name,
        "date_of_birth": user.date_of_birth.strftime("%d/%m/%Y"),
        "gender": user.gender,
        "occupation": user.occupation,
        "unit": str(user.unit_id),
        "email": user.email or "",
        "citizen_id": user.citizen_id or "",
    }
    data.update(overrides)
    return data


# --- login -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    ["0912345678", "0912 345 678", "+84912345678", "(+84) 912-345-678"],
    ids=["national", "spaces", "plus-84", "brackets-and-dashes"],
)
def test_login_by_phone_in_any_form(client, user, username):
    response = log_in(client, username, PASSWORD)

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "username", ["001090012345", "001 090 012 345"], ids=["plain", "spaces"]
)
def test_login_by_citizen_id(client, user, username):
    response = log_in(client, username, PASSWORD)

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused(client, user):
    response = log_in(client, "0912345678", "MatKhau@2025")

    assertContains(response, "không đúng")
    assert "_auth_user_id" not in client.session


def test_unknown_phone_gets_the_same_message_as_a_wrong_password(client, user):
    wrong_password = log_in(client, "0912345678", "MatKhau@2025")

    unknown_phone = log_in(client, "0987654321", PASSWORD)

    assertContains(unknown_phone, "không đúng")
    assert (
        unknown_phone.context["form"].non_field_errors()
        == wrong_password.context["form"].non_field_errors()
    )
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client):
    UserFactory(phone="0912345678", is_active=False)

    response = log_in(client, "0912345678", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- logout ----------------------------------------------------------------------


def test_logout_by_post_ends_the_session(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_not_allowed(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)


# --- password change -------------------------------------------------------------


def test_password_change_with_the_old_password_sets_the_new_one(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_after_a_password_change_the_new_password_logs_in(client, user):
    client.force_login(user)
    client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    user.refresh_from_db()
    # The session that changed it keeps the new password's credential at once.
    assert client.session[CREDENTIAL_SESSION_KEY] == user_credential(user.password)
    client.post(reverse("accounts:logout"))

    response = log_in(client, "0912345678", NEW_PASSWORD)

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[CREDENTIAL_SESSION_KEY] == user_credential(user.password)


def test_password_change_with_a_wrong_old_password_is_refused(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "MatKhau@2025",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- profile ---------------------------------------------------------------------


def test_profile_page_shows_for_a_logged_in_user(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:profile"))

    assertContains(response, user.full_name)


def test_profile_page_sends_an_anonymous_visitor_to_login(client):
    response = client.get(reverse("accounts:profile"))

    assertRedirects(
        response,
        f"{reverse('accounts:login')}?next={reverse('accounts:profile')}",
        fetch_redirect_response=False,
    )


def test_profile_update_saves_the_new_details(client, user):
    new_unit = UnitFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(user, full_name="Nguyễn  Văn   Ân", unit=str(new_unit.pk)),
    )

    assertRedirects(
        response, reverse("accounts:profile"), fetch_redirect_response=False
    )
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Văn Ân"
    assert user.unit == new_unit


def test_profile_keeps_the_users_own_email_and_citizen_id(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(user, email="Van.An@Example.com"),
    )

    assertRedirects(
        response, reverse("accounts:profile"), fetch_redirect_response=False
    )
    user.refresh_from_db()
    assert user.email == "van.an@example.com"
    assert user.citizen_id == "001090012345"


def test_profile_refuses_another_users_email(client, user):
    UserFactory(email="khac@example.com")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), profile_data(user, email="KHAC@example.com")
    )

    assertContains(response, "Email này đã được đăng ký")
    user.refresh_from_db()
    assert user.email == "van.an@example.com"


def test_unit_change_after_an_attempt_is_logged(client, user, round_):
    old_unit = user.unit
    new_unit = UnitFactory()
    attempt_start(user=user, round_=round_)
    client.force_login(user)
    before = timezone.now()

    client.post(reverse("accounts:profile"), profile_data(user, unit=str(new_unit.pk)))

    change = UnitChange.objects.get()
    assert change.user == user
    assert change.old_unit == old_unit
    assert change.new_unit == new_unit
    assert change.changed_by == user
    assert before <= change.changed_at <= timezone.now()


def test_unit_change_without_an_attempt_is_not_logged(client, user):
    new_unit = UnitFactory()
    client.force_login(user)

    client.post(reverse("accounts:profile"), profile_data(user, unit=str(new_unit.pk)))

    user.refresh_from_db()
    assert user.unit == new_unit
    assert not UnitChange.objects.exists()


def test_profile_save_after_an_attempt_without_unit_change_is_not_logged(
    client, user, round_
):
    attempt_start(user=user, round_=round_)
    client.force_login(user)

    client.post(reverse("accounts:profile"), profile_data(user, full_name="Lê Ân"))

    user.refresh_from_db()
    assert user.full_name == "Lê Ân"
    assert not UnitChange.objects.exists()


# --- one-time password -----------------------------------------------------------


@pytest.fixture
def superuser():
    return User.objects.create_superuser(
        phone="0987654321", password="Quan-tri-2024!", full_name="Quản trị viên"
    )


def test_admin_action_issues_a_one_time_password(client, user, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_one_time_password", "_selected_action": [user.pk]},
    )

    assertRedirects(
        response,
        reverse("admin:accounts_user_changelist"),
        fetch_redirect_response=False,
    )
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(shown) == 1
    password = re.search(r"\(0912345678\): (\S+)$", shown[0]).group(1)
    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(password)
    assert not user.check_password(PASSWORD)


def test_one_time_password_forces_every_page_to_the_password_change(client, user):
    password = user_issue_one_time_password(user=user)
    log_in(client, "0912345678", password)

    pages = [
        client.get(reverse("rounds:home")),
        client.get(reverse("accounts:profile")),
        client.get(reverse("rounds:attempt-list")),
    ]

    for response in pages:
        assertRedirects(
            response,
            reverse("accounts:password-change"),
            fetch_redirect_response=False,
        )


def test_one_time_password_change_does_not_ask_for_the_old_password(client, user):
    password = user_issue_one_time_password(user=user)
    log_in(client, "0912345678", password)

    response = client.post(
        reverse("accounts:password-change"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)


def test_after_the_new_password_pages_open_again(client, user):
    password = user_issue_one_time_password(user=user)
    log_in(client, "0912345678", password)
    client.post(
        reverse("accounts:password-change"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = client.get(reverse("rounds:home"))

    assert response.status_code == 200


def test_logout_stays_possible_while_a_password_change_is_forced(client, user):
    password = user_issue_one_time_password(user=user)
    log_in(client, "0912345678", password)

    response = client.post(reverse("accounts:logout"))

    assertRedirects(response, reverse("rounds:home"), fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


# --- forgotten password ----------------------------------------------------------


def test_password_reset_by_email_sends_a_link(client, user):
    response = client.post(
        reverse("accounts:password-reset"), {"email": "Van.An@example.com"}
    )

    assertRedirects(
        response,
        reverse("accounts:password-reset-done"),
        fetch_redirect_response=False,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["van.an@example.com"]
    assert "http://testserver/tai-khoan/dat-lai-mat-khau/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_email_sends_nothing(client, user):
    response = client.post(
        reverse("accounts:password-reset"), {"email": "nobody@example.com"}
    )

    assertRedirects(
        response,
        reverse("accounts:password-reset-done"),
        fetch_redirect_response=False,
    )
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password(client, user):
    client.post(reverse("accounts:password-reset"), {"email": "van.an@example.com"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url

    client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_reset_link_lifts_a_pending_one_time_password(client, user):
    user_issue_one_time_password(user=user)
    client.post(reverse("accounts:password-reset"), {"email": "van.an@example.com"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url

    client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.must_change_password


def test_forgotten_password_leads_to_the_email_form_when_mail_works(client):
    response = client.get(reverse("accounts:password-forgotten"))

    assertRedirects(
        response, reverse("accounts:password-reset"), fetch_redirect_response=False
    )


def test_forgotten_password_without_mail_says_to_contact_the_organizers(
    client, settings
):
    settings.PASSWORD_RESET_BY_EMAIL = False

    response = client.get(reverse("accounts:password-forgotten"))

    assertContains(response, "Ban Tổ chức")
    assertContains(response, "mật khẩu dùng một lần")
