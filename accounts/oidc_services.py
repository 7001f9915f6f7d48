from datetime import datetime
from typing import Any

from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from accounts.services import user_register


@transaction.atomic
def user_register_from_provider(
    *,
    request: HttpRequest,
    sociallogin: SocialLogin,
    data: dict[str, Any],
    privacy_consent: bool,
    registered_ip: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create the account of a first sign-in and link the provider account to it."""
    user = user_register(
        # None: an unusable password. The person signs in through the provider,
        # or sets a password with "Quên mật khẩu" like anyone else.
        password=None,  # type: ignore[arg-type]
        privacy_consent=privacy_consent,
        registered_ip=registered_ip,
        now=now,
        **data,
    )
    sociallogin.user = user
    sociallogin.save(request, connect=True)
    return user
