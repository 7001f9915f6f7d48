"""What a provider's verified ID token means for the portal's accounts.

The first sign-in with a provider account links the portal account whose phone (a
verified phone claim) or citizen ID (when the deployment declares the provider's
citizen ID verified) matches; otherwise the person answers the first-time questions
(accounts.oidc_views) and a new account is made with the registration's own rules.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.middleware import remember_credential
from accounts.models import User
from accounts.normalize import clean_text, normalize_citizen_id, normalize_phone
from accounts.oidc_config import DEFAULT_CLAIMS
from accounts.oidc_protocol import CLAIMS_STATE_KEY

# The portal's own backend reads the user back on each request (unit included).
LOGIN_BACKEND = "accounts.backends.PhoneOrCitizenIdBackend"
GENDERS = {"male", "female", "other"}


@dataclass(frozen=True, slots=True)
class ProvidedIdentity:
    """What the provider vouches for, in the portal's forms; "" or None if absent."""

    provider_name: str
    full_name: str
    phone: str
    phone_verified: bool
    date_of_birth: date | None
    citizen_id: str
    citizen_id_verified: bool
    gender: str

    def form_values(self) -> dict[str, Any]:
        """The registration fields the provider gave, as a form's initial data."""
        values = {
            "full_name": self.full_name,
            "phone": self.phone,
            "date_of_birth": self.date_of_birth,
            "citizen_id": self.citizen_id,
            "gender": self.gender,
        }
        return {name: value for name, value in values.items() if value}


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _birthdate(value: Any) -> date | None:
    # OpenID Connect writes YYYY-MM-DD; "0000-MM-DD" and "YYYY" mean unknown parts.
    try:
        born = date.fromisoformat(str(value))
    except ValueError:
        return None
    return born if born.year > 1 else None


def identity_of(sociallogin: SocialLogin) -> ProvidedIdentity:
    """The portal's reading of the sign-in's ID token claims."""
    app = sociallogin.account.get_provider().app
    # An app added in the admin instead of DJANGO_OIDC_PROVIDERS has no mapping.
    mapping = app.settings.get("claims") or DEFAULT_CLAIMS
    claims = sociallogin.state.get(CLAIMS_STATE_KEY) or {}

    def claim(key: str) -> Any:
        name = mapping.get(key)
        return claims.get(name) if name else None

    full_name = clean_text(str(claim("name") or ""))
    if not full_name:
        full_name = clean_text(
            f"{claims.get('family_name') or ''} {claims.get('given_name') or ''}"
        )
    phone = normalize_phone(str(claim("phone") or "")) or ""
    citizen_id = normalize_citizen_id(str(claim("citizen_id") or "")) or ""
    gender = str(claim("gender") or "").lower()
    return ProvidedIdentity(
        provider_name=app.name,
        full_name=full_name,
        phone=phone,
        phone_verified=bool(phone) and _truthy(claim("phone_verified")),
        date_of_birth=_birthdate(claim("date_of_birth")),
        citizen_id=citizen_id,
        citizen_id_verified=bool(citizen_id)
        and bool(app.settings.get("citizen_id_verified")),
        gender=gender if gender in GENDERS else "",
    )


def user_matching(identity: ProvidedIdentity) -> User | None:
    """The one portal account a verified claim points to; None when there is none.

    Raises LookupError when the verified phone and citizen ID name two accounts."""
    found = set()
    if identity.phone_verified:
        found.update(User.objects.filter(phone=identity.phone))
    if identity.citizen_id_verified:
        found.update(User.objects.filter(citizen_id=identity.citizen_id))
    if len(found) > 1:
        raise LookupError("the verified claims name two accounts")
    return found.pop() if found else None


def refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(redirect("accounts:login"))


def profile_incomplete(user: User) -> bool:
    """Results are reported per unit and most contests have an age limit."""
    return user.unit_id is None or user.date_of_birth is None


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        # A new account always answers the first-time questions (the unit at least).
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Link an existing account on a verified match, once per provider."""
        if sociallogin.is_existing:
            return
        identity = identity_of(sociallogin)
        try:
            user = user_matching(identity)
        except LookupError:
            raise refuse(
                request,
                _(
                    "Số điện thoại và số CCCD từ %(provider)s thuộc hai tài khoản "
                    "khác nhau trên cổng thi. Vui lòng liên hệ Ban Tổ chức."
                )
                % {"provider": identity.provider_name},
            ) from None
        if user is None:
            return
        if user.is_staff or user.is_superuser:
            # An administrator's account is never opened by another system's claim.
            raise refuse(
                request,
                _(
                    "Tài khoản quản trị không đăng nhập bằng %(provider)s. Vui lòng "
                    "đăng nhập bằng số điện thoại và mật khẩu."
                )
                % {"provider": identity.provider_name},
            )
        if SocialAccount.objects.filter(
            user=user, provider=sociallogin.account.provider
        ).exists():
            raise refuse(
                request,
                _(
                    "Tài khoản cổng thi có số điện thoại/CCCD này đã gắn với một tài "
                    "khoản %(provider)s khác. Vui lòng liên hệ Ban Tổ chức."
                )
                % {"provider": identity.provider_name},
            )
        sociallogin.connect(request, user)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        # Whatever went wrong (a refused token, a wrong state, the provider down),
        # nobody is signed in and the person is back at the login page.
        raise refuse(
            request,
            _(
                "Không đăng nhập được bằng %(provider)s. Vui lòng thử lại hoặc đăng "
                "nhập bằng số điện thoại và mật khẩu."
            )
            % {"provider": getattr(provider, "name", "")},
        )


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth's account side: only its login step is used, never its pages."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: User) -> None:
        user.backend = LOGIN_BACKEND
        super().login(request, user)  # Django's login
        remember_credential(request)  # as accounts.middleware.log_in does

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        # allauth's messages are English; the portal's views say what happened.
        return None

    def post_login(
        self, request: HttpRequest, user: User, **kwargs: Any
    ) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        messages.success(
            request,
            _("Đăng nhập thành công. Chào %(name)s!") % {"name": user.full_name},
        )
        if profile_incomplete(user):
            messages.info(
                request,
                _("Vui lòng bổ sung đơn vị và ngày sinh để tham gia cuộc thi."),
            )
            return redirect("accounts:profile")
        return response
