from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from accounts.normalize import normalize_citizen_id, normalize_phone


class PhoneOrCitizenIdBackend(ModelBackend):
    """Log in with the phone number in any usual form, or the 12-digit CCCD."""

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
            phone = normalize_phone(username)
            if phone:
                user = User.objects.filter(phone=phone).first()
        if user is None:
            # Spend the same time as a real check so timing reveals nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
