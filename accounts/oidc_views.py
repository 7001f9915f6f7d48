"""Pages of the sign-in with an identity provider that are the portal's own: the
first-time questions, and where allauth's own account pages would have been."""

from allauth.socialaccount.internal.flows.signup import (
    clear_pending_signup,
    complete_social_signup,
    get_pending_signup,
)
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.oidc_adapter import identity_of
from accounts.oidc_forms import FirstTimeForm, accepted_values
from accounts.oidc_services import user_register_from_provider
from accounts.privacy import retention_days
from accounts.views import REGISTRATION_FIELDS, probe_refusal
from contest_portal.client_ip import client_ip
from contest_portal.ratelimit import ratelimit

TAKEN = _lazy("Số điện thoại hoặc CCCD này đã được đăng ký.")
# What registration asks, but the email: a provider's email claim is never used.
ACCOUNT_FIELDS = tuple(f for f in REGISTRATION_FIELDS if f != "email")


@require_http_methods(["GET", "POST"])
@ratelimit("register")
def first_time(request: HttpRequest) -> HttpResponse:
    """Ask what the contest needs and the provider did not give, then sign in."""
    sociallogin = get_pending_signup(request)
    if sociallogin is None:
        return redirect("accounts:login")
    identity = identity_of(sociallogin)
    fixed = accepted_values(identity.form_values())
    form = FirstTimeForm(
        request.POST if request.method == "POST" else None,
        fixed=fixed,
        initial=identity.form_values(),
    )
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in ACCOUNT_FIELDS}
        try:
            user_register_from_provider(
                request=request,
                sociallogin=sociallogin,
                data=data,
                privacy_consent=form.cleaned_data["privacy_consent"],
                registered_ip=client_ip(request),
            )
        except ValidationError as error:
            code = getattr(error, "code", None)
            field = "privacy_consent" if code == "privacy_consent_missing" else None
            form.add_error(field, error if field else TAKEN)
        except IntegrityError:
            # Another registration with the same phone or CCCD won the race.
            form.add_error(None, TAKEN)
        else:
            clear_pending_signup(request)
            return complete_social_signup(request, sociallogin)
    refusal = probe_refusal(request, form)
    if refusal is not None:
        return refusal
    shown = [(form.fields[name].label, form.initial.get(name)) for name in form.fixed]
    return render(
        request,
        "accounts/oidc_first_time.html",
        {
            "form": form,
            "provider_name": identity.provider_name,
            "given": shown,
            "retention_days": retention_days(),
        },
    )


@require_GET
def to_login(request: HttpRequest) -> HttpResponse:
    """allauth's login, signup and account pages are the portal's own."""
    return redirect("accounts:login")


@require_GET
def to_register(request: HttpRequest) -> HttpResponse:
    return redirect("rounds:register")


@require_GET
def cancelled(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Bạn đã hủy đăng nhập."))
    return redirect("accounts:login")


@require_GET
def inactive(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Tài khoản này đã bị khóa."))
    return redirect("accounts:login")
