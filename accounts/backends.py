from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from accounts.normalize import (
    legacy_national_phone,
    normalize_citizen_id,
    normalize_phone,
)


class PhoneOrCitizenIdBackend(ModelBackend):
    """Log in with the phone number in any usual form, or the 12-digit CCCD.

    Foreign numbers need their country code ("+1 202 555 0123"); digits alone
    are read as a Vietnamese number, as at registration.
    """

    def get_user(self, user_id: Any) -> User | None:
        # Every contestant page reads the unit (eligibility, profile): fetch it along.
        user = User._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = None
        citizen_id = normalize_citizen_id(username)
        if citizen_id:
            user = User.objects.filter(citizen_id=citizen_id).first()
        if user is None:
            phone = normalize_phone(username) or legacy_national_phone(username)
            if phone:
                user = User.objects.filter(phone=phone).first()
        if user is None:
            # Spend the same time as a real check so timing reveals nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins made through a web request only.

    Code that authenticates without a request (a management command, a shell)
    has no client address to lock and no attacker behind it.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
