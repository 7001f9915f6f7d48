from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import LoginForm, ProfileForm, RegistrationForm
from accounts.lockout import login_rate_key
from accounts.middleware import log_in, remember_credential
from accounts.models import User
from accounts.normalize import normalize_phone
from accounts.noscript_challenge import RATE_SCOPE as PICTURE_RATE_SCOPE
from accounts.noscript_challenge import picture_digits, picture_render
from accounts.privacy import retention_days
from accounts.profile_fields import ProfileFields
from accounts.services import user_change_password, user_register, user_update_profile
from accounts.sms import sms_enabled
from contest_portal.client_ip import client_ip
from contest_portal.ratelimit import check_request, ratelimit, too_many_requests

# django-axes sits first in AUTHENTICATION_BACKENDS and logs nobody in.
LOGIN_BACKEND = "accounts.backends.PhoneOrCitizenIdBackend"

REGISTRATION_FIELDS = (
    "phone",
    "full_name",
    "date_of_birth",
    "gender",
    "occupation",
    "unit",
    "email",
    "citizen_id",
)
# Asked at registration only; the profile form does not change it.
REGISTRATION_ONLY_FIELDS = ("nationality",)


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def register_user_from_form(
    request: HttpRequest, form: RegistrationForm
) -> User | None:
    """Create the account from a valid form and log it in; None when refused."""
    data = {
        field: form.cleaned_data[field]
        for field in (*REGISTRATION_FIELDS, *REGISTRATION_ONLY_FIELDS)
    }
    try:
        user = user_register(
            password=form.cleaned_data["password1"],
            privacy_consent=form.cleaned_data["privacy_consent"],
            registered_ip=client_ip(request),
            **data,
        )
    except (ValidationError, IntegrityError) as error:
        if getattr(error, "code", None) == "privacy_consent_missing":
            form.add_error("privacy_consent", error)
        else:
            # Another registration with the same phone, email or CCCD won the race.
            form.add_error(
                None, _("Số điện thoại, email hoặc CCCD này đã được đăng ký.")
            )
        return None
    log_in(request, user, backend=LOGIN_BACKEND)
    messages.success(
        request, _("Đăng ký thành công. Chào mừng %(name)s!") % {"name": user.full_name}
    )
    return user


def registration_rate_key(request: HttpRequest) -> str | None:
    """Rate-limit key of a registration POST: the phone number it claims, from this
    address. Posts that merely name a number, from anywhere else, never block its
    owner's own registration."""
    phone = normalize_phone(request.POST.get("phone"))
    return f"{phone}@{client_ip(request)}" if phone else None


def probe_key(request: HttpRequest) -> str | None:
    """Who asks whether a phone, email or CCCD is registered: the account, or the
    browser's session before there is one."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return (
        f"session:{request.session.session_key}"
        if request.session.session_key
        else None
    )


def probe_refusal(request: HttpRequest, form: ProfileFields) -> HttpResponse | None:
    """429 instead of the answer once a browser or account has been told too often
    that a phone, email or CCCD is already registered."""
    if not form.conflicts_found:
        return None
    wait = check_request(request, "identity-probe", probe_key)
    return None if wait is None else too_many_requests(request, wait, as_json=False)


def registration_form(request: HttpRequest, **kwargs: Any) -> RegistrationForm:
    form = RegistrationForm(
        request.POST or None,
        session=request.session,
        client=client_ip(request),
        **kwargs,
    )
    if request.method == "POST" and form.answers_picture:
        # Counted before the answer is checked: blind guesses cost too. Over the
        # limit, the form refuses and registration_page answers 429.
        form.picture_wait = check_request(request, PICTURE_RATE_SCOPE)
    return form


def registration_page(
    request: HttpRequest, form: RegistrationForm, contest: Any = None
) -> HttpResponse:
    """The registration form (again) with a fresh challenge of this session."""
    if form.picture_wait is not None:
        return too_many_requests(request, form.picture_wait, as_json=False)
    refusal = probe_refusal(request, form)
    if refusal is not None:
        return refusal
    form.issue_challenge()
    return render(
        request,
        "accounts/user_register.html",
        {"form": form, "contest": contest, "retention_days": retention_days()},
    )


@require_http_methods(["GET", "POST"])
@ratelimit("register", user_key=registration_rate_key)
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("rounds:home")
    form = registration_form(request)
    if (
        request.method == "POST"
        and form.is_valid()
        and register_user_from_form(request, form)
    ):
        return redirect(safe_next(request, reverse_lazy("rounds:home")))
    return registration_page(request, form)


@require_GET
@ratelimit(PICTURE_RATE_SCOPE, methods=("GET",))
def registration_picture(request: HttpRequest, token: str) -> HttpResponse:
    """The digits a browser without JavaScript reads, for the session it was made for."""
    digits = picture_digits(request.session, token)
    if digits is None:
        raise Http404
    response = HttpResponse(
        picture_render(digits, seed=token), content_type="image/png"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@method_decorator(ratelimit("login", user_key=login_rate_key), name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/user_login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reset_by_email"] = settings.PASSWORD_RESET_BY_EMAIL
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)  # Django's login
        remember_credential(self.request)  # as log_in does
        return response


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit("profile")
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "full_name": user.full_name,
        "date_of_birth": user.date_of_birth,
        "gender": user.gender,
        "occupation": user.occupation,
        "unit": user.unit_id,
        "email": user.email or "",
        "citizen_id": user.citizen_id or "",
    }
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in REGISTRATION_FIELDS[1:]}
        try:
            user_update_profile(user=user, changed_by=user, **data)
        except (ValidationError, IntegrityError):
            form.add_error(None, _("Email hoặc CCCD này đã được đăng ký."))
            form.conflicts_found = True
        else:
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("accounts:profile")
    refusal = probe_refusal(request, form)
    if refusal is not None:
        return refusal
    return render(request, "accounts/user_profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; after a one-time password the old one is not asked."""
    user = request.user
    if user.must_change_password:
        form = SetPasswordForm(user, request.POST or None)
    else:
        form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_change_password(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        remember_credential(request)  # the new password's, in the same write
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("rounds:home")
    return render(
        request,
        "accounts/user_password_change.html",
        {"form": form, "forced": user.must_change_password},
    )


@require_GET
def password_forgotten(request: HttpRequest) -> HttpResponse:
    """The ways this deployment offers: a code by SMS, a link by email, and always
    a one-time password from the organizers."""
    by_sms = sms_enabled()
    if settings.PASSWORD_RESET_BY_EMAIL and not by_sms:
        return redirect("accounts:password-reset")
    return render(
        request,
        "accounts/user_password_forgotten.html",
        {"by_sms": by_sms, "by_email": settings.PASSWORD_RESET_BY_EMAIL},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset, through our service so a pending one-time password is lifted."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        user_change_password(
            user=form.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Đã đặt mật khẩu mới. Mời bạn đăng nhập."))
        return redirect(self.success_url)
